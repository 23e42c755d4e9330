"""`ixpready locate`: place the hops that keep verdicts undecided with one-off pings.

RIPE IPmap's single-radius method: a probe of known place that gets a ping reply within a
millisecond or two places the router within ~100-200 km of itself. For the addresses on
inconclusive domestic paths that no evidence places (or only weakly), those deciding most
paths first, the candidate places are the interconnection hubs abroad and the home cities
that every speed-of-light disc of the address still reaches; for each, the connected RIPE
Atlas probes nearest it (anchors and probes tagged stable first) ping the address once.

The plan lives in the store as one growing document per country (plan id `locate-CC`:
items, each a target and its probes, and the probes' metadata, which `analyze` reads back to
place the pings). Creation follows `measure`: an item is marked "submitting" before the
request and gets its measurement id the moment the API answers, so a killed run never
creates one twice (an item whose answer never came is left for the operator to check). The
results are fetched with `fetch` and read by `analyze` like any other ping result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from ixpready.analysis.core import analyze_traces, gather_outcomes
from ixpready.analysis.unplaced import Target, unplaced_targets
from ixpready.config import LocateSettings, ReuseSettings
from ixpready.enrichment.annotate import Lookups
from ixpready.enrichment.geo import City, distance_km
from ixpready.measurements.parse import parse_lines
from ixpready.measurements.probes import load_probes, probes_from_document
from ixpready.measurements.records import IPAddress, Probe
from ixpready.measurements.store import MeasurementState, Store
from ixpready.pipeline import atlas as jobs
from ixpready.pipeline.analyze import load_rdns
from ixpready.progress import Progress
from ixpready.refdata.snapshots import load_snapshot
from ixpready.sources.atlas import (
    AtlasSource,
    PingRequest,
    create_ping,
    ping_credits_per_result,
    probes_near,
)

PLAN_PREFIX = "locate-"
FORMAT = "ixpready-locate/1"
PACKETS = 3
SIZE = 48


def _no_progress(done: int, total: int) -> None:
    return None


def plan_id_of(country: str) -> str:
    """Returns the store's plan id of a country's locate pings."""
    return PLAN_PREFIX + country.upper()


@dataclass(frozen=True, slots=True)
class LocateItem:
    """One ping measurement of the plan: a target from the probes near its candidate places."""

    item: int
    target: str
    af: int
    paths: int
    places: tuple[str, ...]
    probe_ids: tuple[int, ...]
    credits: int


@dataclass(frozen=True, slots=True)
class LocateSummary:
    """What locate did: what it planned (new items, their credits), created and fetched."""

    country: str
    dry_run: bool
    undecided_paths: int
    candidates: int
    planned: tuple[LocateItem, ...]
    credits: int
    budget_credits: int
    cost_per_result: int
    created: tuple[int, ...]
    already: int
    unknown: tuple[int, ...]
    fetched: int
    skipped: tuple[str, ...]  # addresses left out, with why

    def as_text(self) -> str:
        """Returns the summary for the terminal."""
        lines = [
            f"locate {self.country}: {self.undecided_paths} inconclusive domestic paths; "
            f"{self.candidates} undecided addresses on them",
            f"planned {len(self.planned)} pings ({sum(len(i.probe_ids) for i in self.planned)} "
            f"results): {self.credits} credits at {self.cost_per_result} per result "
            f"(one-off, {PACKETS} packets of {SIZE} bytes), budget {self.budget_credits}",
        ]
        for item in self.planned:
            lines.append(
                f"  {item.target}: decides up to {item.paths} paths; probes "
                f"{', '.join(map(str, item.probe_ids))} near {', '.join(item.places)} "
                f"({item.credits} credits)"
            )
        lines += [f"  left out: {why}" for why in self.skipped[:10]]
        if self.dry_run:
            lines.append("dry run: nothing was created or stored")
            return "\n".join(lines)
        lines.append(
            f"created {len(self.created)} ping measurements now "
            f"({', '.join(map(str, self.created)) or 'none'}), {self.already} before; "
            f"{self.fetched} new ping results fetched"
        )
        if self.unknown:
            lines.append(
                f"items {', '.join(map(str, self.unknown))}: asked for, but no answer came; "
                "check https://atlas.ripe.net/measurements/mine before `ixpready locate "
                "--forget-unknown`"
            )
        lines.append(
            "results come in over a few minutes: `ixpready locate` (or `fetch`) again "
            "collects them; `analyze --store` uses them"
        )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# the plan document in the store


def _document(store: Store, country: str) -> dict[str, Any]:
    text = store.plan(plan_id_of(country))
    if text is None:
        return {"format": FORMAT, "country": country, "items": [], "probes": []}
    return dict(json.loads(text))


def locate_probes(store: Store) -> dict[int, Probe]:
    """Returns the probes of every locate plan in the store (their metadata as the RIPE
    Atlas API gave it when they were chosen), for `analyze` to place their pings."""
    found: dict[int, Probe] = {}
    plan_ids = {row.plan_id for row in store.measurements() if row.plan_id.startswith(PLAN_PREFIX)}
    for plan_id in sorted(plan_ids):
        text = store.plan(plan_id)
        if text is not None:
            found.update(probes_from_document(json.loads(text).get("probes") or []))
    return found


def _items(document: Mapping[str, Any]) -> list[LocateItem]:
    return [
        LocateItem(
            item=int(i["item"]),
            target=str(i["target"]),
            af=int(i["af"]),
            paths=int(i["paths"]),
            places=tuple(i["places"]),
            probe_ids=tuple(int(p) for p in i["probe_ids"]),
            credits=int(i["credits"]),
        )
        for i in document.get("items") or []
    ]


def _item_object(item: LocateItem) -> dict[str, Any]:
    return {
        "item": item.item, "target": item.target, "af": item.af, "paths": item.paths,
        "places": list(item.places), "probe_ids": list(item.probe_ids), "credits": item.credits,
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# which addresses, which places


def _probes(store: Store, country: str, probes_file: Path | None) -> dict[int, Probe]:
    found: dict[int, Probe] = {}
    if probes_file is not None:
        found.update(load_probes(probes_file))
    else:
        inventory = store.latest_inventory(country)
        if inventory is not None:
            found.update(probes_from_document(json.loads(inventory.document)["probes"]))
    for prb, probe in locate_probes(store).items():
        found.setdefault(prb, probe)
    return found


def undecided(
    store: Store,
    probes: dict[int, Probe],
    rdns: Mapping[IPAddress, str],
    *,
    home: str,
    refdata_dir: Path,
    places_per_address: int,
) -> tuple[int, tuple[Target, ...]]:
    """Returns how many domestic paths in the (open) store are inconclusive, and the addresses
    on them that no evidence places (registry-only, or claims that cancel out; special ranges
    and destinations apart), those on most paths first, each with up to `places_per_address`
    candidate places."""
    snapshot = load_snapshot(refdata_dir)
    read = gather_outcomes(
        outcome
        for result in store.results()
        for outcome in parse_lines([result.raw], f"store msm {result.key.msm_id}")
    )
    lookups = Lookups.build(snapshot, dict(rdns))
    result = analyze_traces(
        read.traces, home=home, snapshot=snapshot, probes=probes, lookups=lookups,
        pings=read.pings, counts=read.counts,
    )  # fmt: skip
    return unplaced_targets(
        result, read.traces, read.pings, probes, lookups, places_per_address
    )


def _rank(probe: Probe, place: City, af: int) -> tuple[int, int, float, int]:
    stable = any(tag.startswith(f"system-ipv{af}-stable-") for tag in probe.tags)
    assert probe.latitude is not None and probe.longitude is not None
    far = distance_km(probe.latitude, probe.longitude, place.latitude, place.longitude)
    return (not probe.is_anchor, not stable, round(far, 1), probe.id)


def _usable(probe: Probe, af: int) -> bool:
    return (
        probe.has_location
        and probe.country is not None
        and probe.asn(af) is not None
        and probe.status in (None, "Connected")
    )


def choose_probes(
    probes: Iterable[Probe], place: City, af: int, count: int, radius_km: float
) -> tuple[Probe, ...]:
    """Returns up to `count` probes to ping from near `place`: connected, with coordinates,
    a country and an ASN of family `af`, within `radius_km`; anchors first, then probes
    tagged stable for that family by RIPE Atlas
    (`system-ipv4-stable-1d`, ...), then the nearest (then the lowest id)."""
    near = [
        p
        for p in probes
        if _usable(p, af)
        and distance_km(p.latitude or 0.0, p.longitude or 0.0, place.latitude, place.longitude)
        <= radius_km
    ]
    return tuple(sorted(near, key=lambda p: _rank(p, place, af))[:count])


# ---------------------------------------------------------------------------------------------
# the job


def locate(
    store: Store,
    *,
    country: str,
    refdata_dir: Path,
    settings: LocateSettings,
    atlas: AtlasSource,
    reuse: ReuseSettings,
    names: jobs.NameGathering,
    dry_run: bool = False,
    forget_unknown: bool = False,
    probes_file: Path | None = None,
    rdns_file: Path | None = None,
    now: datetime | None = None,
    on_progress: Progress = _no_progress,
) -> LocateSummary:
    """Plans, creates and fetches the pings that would place undecided hops (the open store's
    results; `[locate]`: budget, places, probes); see the module.

    Items already planned are resumed before new ones are planned (targets are never pinged
    twice). Raises the source's errors (QuotaError, AtlasAuthError, UnavailableError) after
    storing what was done.
    """
    moment = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    plan_id = plan_id_of(country)
    cost = ping_credits_per_result(PACKETS, SIZE)
    rdns = load_rdns(rdns_file) if rdns_file is not None else {}
    probes = _probes(store, country, probes_file)
    document = _document(store, country)
    earlier = _items(document)
    undecided_paths, targets = undecided(store, probes, rdns, home=country,
                                         refdata_dir=refdata_dir,
                                         places_per_address=settings.places_per_address)  # fmt: skip
    pinged_before = {ip_address(i.target) for i in earlier}
    budget = settings.budget_credits
    spent = 0
    planned: list[LocateItem] = []
    skipped: list[str] = []
    chosen_probes: dict[int, Probe] = {}
    near: dict[str, tuple[Probe, ...]] = {}
    number = max((i.item for i in earlier), default=0)
    candidates = [t for t in targets if t.address not in pinged_before]
    for target in candidates[: settings.max_addresses]:
        if not target.places:
            skipped.append(f"{target.address}: no probe of known place saw it (no RTT disc)")
            continue
        af = target.address.version
        probe_ids: list[int] = []
        labels: list[str] = []
        for place in target.places:
            if place.code not in near:
                listing = probes_near(
                    atlas, place.latitude, place.longitude, settings.radius_km
                )
                near[place.code] = listing.probes
            usable = choose_probes(
                (p for p in near[place.code] if p.id not in probe_ids),
                place,
                af,
                settings.probes_per_place,
                settings.radius_km,
            )
            if usable:
                labels.append(place.label)
                probe_ids += [p.id for p in usable]
                chosen_probes.update((p.id, p) for p in usable)
        if not probe_ids:
            skipped.append(f"{target.address}: no connected probe near its candidate places")
            continue
        credits = len(probe_ids) * cost
        if spent + credits > budget:
            skipped.append(f"{target.address}: {credits} credits would pass the budget")
            continue
        spent += credits
        number += 1
        planned.append(
            LocateItem(
                number,
                str(target.address),
                af,
                target.paths,
                tuple(labels),
                tuple(probe_ids),
                credits,
            )
        )

    def summary(
        created: Iterable[int], already: int, unknown: Iterable[int], fetched: int
    ) -> LocateSummary:
        return LocateSummary(
            country=country,
            dry_run=dry_run,
            undecided_paths=undecided_paths,
            candidates=len(targets),
            planned=tuple(planned),
            credits=spent,
            budget_credits=budget,
            cost_per_result=cost,
            created=tuple(created),
            already=already,
            unknown=tuple(unknown),
            fetched=fetched,
            skipped=tuple(skipped),
        )

    if dry_run:
        return summary((), 0, (), 0)
    items = [*earlier, *planned]
    if planned:
        known = {int(p["id"]) for p in document.get("probes") or [] if isinstance(p, dict)}
        document["items"] = [_item_object(i) for i in items]
        document["probes"] = [
            *(document.get("probes") or []),
            *(
                jobs._probe_object(p)
                for prb, p in sorted(chosen_probes.items())
                if prb not in known
            ),
        ]
        document["updated"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    created: list[int] = []
    unknown: list[int] = []
    already = 0
    if planned:
        store.save_plan(plan_id, json.dumps(document, indent=1) + "\n")
    if forget_unknown:
        jobs.forget_unknown_submissions(store, plan_id)
    for done, item in enumerate(items, start=1):
        state = jobs.submission_of(store, plan_id, item.item)
        if state == "created":
            already += 1
        elif state == "unknown":
            unknown.append(item.item)
        if state is not None:
            continue
        description = f"ixpready {plan_id} item {item.item}"
        request = PingRequest(item.target, item.af, item.probe_ids, description, PACKETS, SIZE)
        ids = jobs.create_once(
            store, plan_id, item.item, description,
            partial(create_ping, atlas, request),
        )  # fmt: skip
        created.extend(ids)
        on_progress(done, len(items))
    ids_now = [  # a stopped measurement already fetched has nothing more to give
        row.msm_id
        for row in store.measurements(plan_id)
        if row.msm_id is not None
        and (
            row.state is not MeasurementState.STOPPED or store.fetched_until(row.msm_id) is None
        )
    ]
    fetched = 0
    if ids_now:
        outcome = jobs.fetch(store, country=country, atlas=atlas, reuse=reuse, names=names,
                             msm_ids=ids_now, now=moment)  # fmt: skip
        fetched = sum(n for _, n in outcome.new)
    return summary(created, already, unknown, fetched)
