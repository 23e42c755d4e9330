"""The RIPE Atlas jobs: discover a country, plan, measure (create), fetch results into the store.

Each job takes the settings section(s) it reads, its sources and the open store (the wiring:
`pipeline/commands.py` for a command on its own, `pipeline/run.py` for `ixpready run`), and
returns a frozen summary. Measurement ids are written to the store the moment the API returns
them, and a submission whose answer never came is left marked so it is never created twice
(see `measure`). Results are stored a window at a time together with how far the fetch got,
so a killed fetch resumes cleanly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network, summarize_address_range
from pathlib import Path
from typing import Any

from ixpready.config import (
    AtlasSettings,
    Deadline,
    PlanSettings,
    RdnsSettings,
    RegistriesSettings,
    ReuseSettings,
)
from ixpready.errors import (
    AtlasAuthError,
    ConfigError,
    QuotaError,
    RateLimitedError,
    RefdataError,
    UnavailableError,
    UsageError,
)
from ixpready.measurements.probes import load_probes, probes_from_document, usable
from ixpready.measurements.records import IPAddress, Malformed, Probe, TraceKey
from ixpready.measurements.store import MeasurementState, ResultStore, Store, StoredResult
from ixpready.pipeline import rdns
from ixpready.pipeline.plan import (
    Plan,
    PlanOptions,
    ReusedCoverage,
    check_periodic,
    load_plan,
    make_plan,
    plan_document,
    summarize,
)
from ixpready.progress import Progress
from ixpready.refdata.snapshots import load_snapshot
from ixpready.sources.atlas import (
    AtlasSource,
    PublicMeasurement,
    RetryPolicy,
    TracerouteRequest,
)
from ixpready.sources.registries import CountryResources, RegistryClient

LATE_RESULTS = timedelta(hours=1)  # results can reach the API this long after they were made
PUBLIC_PREFIX = "public-"  # the store's plan id of a country's reused public measurements


def _no_progress(done: int, total: int) -> None:
    return None


def atlas_source(settings: AtlasSettings, deadline: Deadline) -> AtlasSource:
    """Returns the RIPE Atlas client `[atlas]` describes, within the job's `deadline`."""
    return AtlasSource(
        settings.server,
        verify=settings.verify,
        key=settings.key,
        timeout_s=settings.timeout_s,
        retry=RetryPolicy(attempts=settings.retries, backoff_s=settings.backoff_s),
        deadline=deadline,
        request_deadline_s=settings.request_deadline_s,
    )


def registry_client(
    registries: RegistriesSettings, atlas: AtlasSettings, deadline: Deadline
) -> RegistryClient:
    """Returns the registry client `[registries]` describes (TLS, timeouts and retries as
    `[atlas]`), within the job's `deadline`."""
    return RegistryClient(
        peeringdb_url=registries.peeringdb_url,
        ripestat_url=registries.ripestat_url,
        rir_stats_url=registries.rir_stats_url,
        verify=atlas.verify,
        timeout_s=atlas.timeout_s,
        attempts=atlas.retries,
        backoff_s=atlas.backoff_s,
        deadline=deadline,
        request_deadline_s=atlas.request_deadline_s,
    )


# ---------------------------------------------------------------------------------------------
# discover


@dataclass(frozen=True, slots=True)
class DiscoverSummary:
    """What discover found: networks, probes, IXPs; networks without a usable probe."""

    country: str
    taken: datetime
    inventory_file: Path
    probes_file: Path
    networks: int
    networks_source: str
    probes: int
    connected: int
    networks_with_probes: tuple[int, ...]
    networks_without_probes: tuple[int, ...]
    exchanges: tuple[str, ...]
    quarantined: int
    reuse: ReuseSummary | None = None  # with --reuse: the public measurements found

    def as_text(self) -> str:
        """Returns the summary for the terminal."""
        lines = [
            f"{self.country} on {self.taken:%Y-%m-%d}: {self.networks} networks, "
            f"{self.probes} RIPE Atlas probes ({self.connected} connected), "
            f"{len(self.exchanges)} IXPs ({', '.join(self.exchanges) or 'none'})",
            f"{len(self.networks_with_probes)} networks have a connected probe; "
            f"{len(self.networks_without_probes)} have none (they need their own probe)",
            f"networks from {self.networks_source}",
            f"inventory: {self.inventory_file}; probes: {self.probes_file}",
        ]
        if self.reuse is not None:
            lines.append(self.reuse.as_text())
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ReusableMeasurement:
    """A public traceroute to the country's address space that country probes take part in."""

    msm_id: int
    af: int
    target: str
    target_asn: int | None
    description: str
    probe_ids: tuple[int, ...]  # whose results fetch asks for: the country's probes known
    # to take part, else (found only by its target) every connected probe of the country
    pairs: tuple[tuple[int, int], ...]  # (source AS, target AS) they cover


@dataclass(frozen=True, slots=True)
class ReuseSummary:
    """What the search for public measurements found and stored as reusable."""

    country: str
    probes_asked: int
    anchors_asked: int
    measurements: tuple[ReusableMeasurement, ...]
    abroad: int  # public traceroutes of country probes to targets outside the country
    new: int  # of `measurements`, not in the store before
    quarantined: int

    @property
    def pairs(self) -> frozenset[tuple[int, int]]:
        """Returns the domestic AS pairs the reusable measurements cover."""
        return frozenset(pair for m in self.measurements for pair in m.pairs)

    def as_text(self) -> str:
        """Returns the summary for the terminal."""
        return (
            f"reuse: {len(self.measurements)} public traceroutes to {self.country} addresses "
            f"({self.new} new) cover {len(self.pairs)} domestic AS pairs at 0 credits; "
            f"{self.abroad} more aim abroad (asked for {self.probes_asked} probes and "
            f"{self.anchors_asked} anchor addresses); `fetch` takes them first"
        )


def _probe_object(probe: Probe) -> dict[str, object]:
    return {
        "id": probe.id,
        "asn_v4": probe.asn_v4,
        "asn_v6": probe.asn_v6,
        "country_code": probe.country,
        "latitude": probe.latitude,
        "longitude": probe.longitude,
        "status_name": probe.status,
        "description": probe.description,
        "address_v4": None if probe.address_v4 is None else str(probe.address_v4),
        "address_v6": None if probe.address_v6 is None else str(probe.address_v6),
        "prefix_v4": probe.prefix_v4,
        "prefix_v6": probe.prefix_v6,
        "is_anchor": probe.is_anchor,
        "tags": list(probe.tags),
    }


def _offline_resources(
    refdata_dir: Path, country: str, cause: UnavailableError
) -> CountryResources:
    """Returns the country's ASNs and blocks from downloaded RIR statistics, else raises cause."""
    try:
        snapshot = load_snapshot(refdata_dir)
    except RefdataError:
        raise cause from None
    asns = tuple(sorted(a for a, c in snapshot.asn_countries.items() if c == country))
    if not asns:
        raise cause from None
    blocks = [block for block, c in snapshot.block_countries if c == country]
    dates = sorted({s.date for s in snapshot.sources if s.kind == "RIR delegated stats" and s.date})
    return CountryResources(
        country=country,
        query_time=dates[-1] if dates else "",
        asns=asns,
        ipv4=tuple(b for b in blocks if ":" not in b),
        ipv6=tuple(b for b in blocks if ":" in b),
    )


def discover(
    store: Store,
    *,
    country: str,
    data_dir: Path,
    refdata_dir: Path,
    atlas: AtlasSource,
    registry: RegistryClient,
    now: datetime | None = None,
    reuse: bool = False,
) -> DiscoverSummary:
    """Returns what the country has; writes a dated inventory to the (open) store and a file
    in `data_dir`.

    The networks come from RIPEstat, or, when it cannot be reached, from the RIR delegated
    statistics of the last `refdata update` in `refdata_dir` (the offline fallback). With
    `reuse`, then finds the public traceroutes that already cover the country
    (`find_reusable`).
    """
    taken = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    try:
        resources = registry.country_resources(country)
        networks_source = "RIPEstat country-resource-list"
    except UnavailableError as exc:
        resources = _offline_resources(refdata_dir, country, exc)
        networks_source = f"RIR delegated stats in {refdata_dir} (RIPEstat unavailable)"
    listing = atlas.list_probes(country, connected_only=False)
    exchanges = registry.exchanges(country)
    connected_asns = {
        asn
        for p in listing.probes
        if usable(p)
        for asn in (p.asn_v4, p.asn_v6)
        if asn is not None
    }
    with_probes = tuple(a for a in resources.asns if a in connected_asns)
    without = tuple(a for a in resources.asns if a not in connected_asns)
    document = {
        "country": country,
        "taken": taken.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "networks": {
            "source": networks_source,
            "query_time": resources.query_time,
            "asns": list(resources.asns),
            "ipv4": list(resources.ipv4),
            "ipv6": list(resources.ipv6),
        },
        "probes": [_probe_object(p) for p in listing.probes],
        "exchanges": [
            {"id": e.ix_id, "name": e.name, "city": e.city, "members": e.members} for e in exchanges
        ],
        "networks_without_probes": list(without),
    }
    text = json.dumps(document, indent=1) + "\n"
    inventory_file = data_dir / f"inventory-{country}-{taken:%Y%m%d}.json"
    inventory_file.parent.mkdir(parents=True, exist_ok=True)
    inventory_file.write_text(text, encoding="utf-8")
    probes_file = data_dir / f"probes-{country}-{taken:%Y%m%d}.json"
    probes_file.write_text(  # the probes API layout, for `analyze --probes`
        json.dumps(
            {
                "count": len(listing.probes),
                "next": None,
                "previous": None,
                "results": document["probes"],
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    store.save_inventory(country, int(taken.timestamp()), text)
    quarantined = store.quarantine(listing.malformed)
    found = find_reusable(store, country=country, atlas=atlas, now=taken) if reuse else None
    return DiscoverSummary(
        country=country,
        taken=taken,
        inventory_file=inventory_file,
        probes_file=probes_file,
        networks=len(resources.asns),
        networks_source=networks_source,
        probes=len(listing.probes),
        connected=sum(p.status == "Connected" for p in listing.probes),
        networks_with_probes=with_probes,
        networks_without_probes=without,
        exchanges=tuple(e.name for e in exchanges),
        quarantined=quarantined + (found.quarantined if found else 0),
        reuse=found,
    )


# ---------------------------------------------------------------------------------------------
# reuse before spending


def _networks(blocks: Iterable[str]) -> list[IPv4Network | IPv6Network]:
    """Returns the networks of address blocks written as prefixes or as ranges (a-b, as
    RIPEstat gives some); unreadable blocks are left out."""
    networks: list[IPv4Network | IPv6Network] = []
    for block in blocks:
        try:
            if "-" in block:
                first, last = (ip_address(part.strip()) for part in block.split("-", 1))
                networks += summarize_address_range(first, last)
            else:
                networks.append(ip_network(block, strict=False))
        except (ValueError, TypeError):
            continue
    return networks


def _in_country(address: str | None, networks: Sequence[IPv4Network | IPv6Network]) -> bool:
    if address is None:
        return False
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed.version == n.version and parsed in n for n in networks)


def _target_address(measurement: PublicMeasurement) -> str | None:
    if measurement.target_ip:
        return measurement.target_ip
    try:
        return str(ip_address(measurement.target))
    except ValueError:
        return None


def find_reusable(
    store: Store, *, country: str, atlas: AtlasSource, now: datetime | None = None
) -> ReuseSummary:
    """Returns the public traceroutes that already cover the country, stored as reusable.

    From the latest inventory: for each connected probe of the country, the ongoing public
    traceroutes it takes part in; for each connected anchor's address, the ongoing public
    traceroutes aimed at it (anchoring meshes). Kept: those whose target address is in the
    country's address blocks. Each becomes a store measurement of plan `public-CC` (item = its
    id; recorded once, never created) and the plan document `public-CC` keeps which country
    probes take part and which AS pairs they cover, for `plan` and `fetch`. Raises UsageError
    without an inventory, and the source's errors (work stored so far is kept).
    """
    inventory = store.latest_inventory(country)
    if inventory is None:
        raise UsageError(
            f"no inventory of {country} in {store.path}",
            hint=f"run `ixpready discover --country {country} --reuse`",
        )
    document = json.loads(inventory.document)
    networks = _networks([*document["networks"]["ipv4"], *document["networks"]["ipv6"]])
    probes = probes_from_document(document["probes"])
    connected = sorted((p for p in probes.values() if usable(p)), key=lambda p: p.id)
    found: dict[int, PublicMeasurement] = {}
    takers: dict[int, set[int]] = defaultdict(set)
    malformed: list[Malformed] = []
    for probe in connected:
        listing = atlas.list_traceroutes(current_probe=probe.id)
        malformed += listing.malformed
        for measurement in listing.measurements:
            found[measurement.msm_id] = measurement
            takers[measurement.msm_id].add(probe.id)
    anchor_addresses = [
        str(address)
        for p in connected
        if p.is_anchor
        for address in (p.address_v4, p.address_v6)
        if address is not None
    ]
    for address in anchor_addresses:
        listing = atlas.list_traceroutes(target_ip=address)
        malformed += listing.malformed
        for measurement in listing.measurements:
            found.setdefault(measurement.msm_id, measurement)
    by_address = {
        str(address): p for p in probes.values() for address in (p.address_v4, p.address_v6)
        if address is not None
    }  # fmt: skip
    reusable: list[ReusableMeasurement] = []
    abroad = 0
    for msm_id, measurement in sorted(found.items()):
        target = _target_address(measurement)
        if not _in_country(target, networks):
            abroad += 1
            continue
        target_asn = measurement.target_asn
        if target_asn is None and target in by_address:
            target_asn = by_address[target].asn(measurement.af)
        sources = tuple(sorted(takers[msm_id]))
        pairs = sorted(
            {
                (asn, target_asn)
                for probe_id in sources
                if (asn := probes[probe_id].asn(measurement.af)) is not None
                and target_asn is not None
                and asn != target_asn
            }
        )
        # fetch asks for the results of the country's probes known to take part, else
        # (a mesh to an anchor here, found by its address) of every connected one
        asked = sources or tuple(p.id for p in connected)
        reusable.append(
            ReusableMeasurement(
                msm_id, measurement.af, measurement.target, target_asn,
                measurement.description, asked, tuple(pairs),
            )
        )  # fmt: skip
    new = _store_reusable(store, country, reusable, now or datetime.now(tz=UTC))
    quarantined = store.quarantine(malformed)
    return ReuseSummary(
        country=country,
        probes_asked=len(connected),
        anchors_asked=len(anchor_addresses),
        measurements=tuple(reusable),
        abroad=abroad,
        new=new,
        quarantined=quarantined,
    )


def _store_reusable(
    store: Store, country: str, found: Sequence[ReusableMeasurement], moment: datetime
) -> int:
    """Records the reusable measurements (merged with those found before); returns how many
    are new. A measurement already in the store (one of ours, say) is not recorded again."""
    plan_id = PUBLIC_PREFIX + country
    merged = {m.msm_id: m for m in reusable_measurements(store, country)}
    merged.update((m.msm_id, m) for m in found)
    document = {
        "format": 1,
        "plan_id": plan_id,
        "country": country,
        "found": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "measurements": [
            {
                "msm_id": m.msm_id, "af": m.af, "target": m.target,
                "target_asn": m.target_asn, "description": m.description,
                "probes": list(m.probe_ids), "pairs": [list(pair) for pair in m.pairs],
            }
            for _, m in sorted(merged.items())
        ],
    }  # fmt: skip
    # the document first: a measurement row is never fetched without its probe filter
    store.save_plan(plan_id, json.dumps(document, indent=1) + "\n")
    known = {row.msm_id for row in store.measurements() if row.msm_id is not None}
    new = 0
    for measurement in found:
        if measurement.msm_id in known:
            continue
        description = f"public: {measurement.description}"[:200]
        store.mark_submitting(plan_id, measurement.msm_id, description)
        store.record_created(plan_id, measurement.msm_id, measurement.msm_id)
        new += 1
    return new


def reusable_measurements(store: Store, country: str) -> tuple[ReusableMeasurement, ...]:
    """Returns the reusable public measurements recorded for the country (none: ())."""
    text = store.plan(PUBLIC_PREFIX + country)
    if text is None:
        return ()
    entries: list[dict[str, Any]] = json.loads(text)["measurements"]
    return tuple(
        ReusableMeasurement(
            msm_id=int(e["msm_id"]),
            af=int(e["af"]),
            target=str(e["target"]),
            target_asn=None if e["target_asn"] is None else int(e["target_asn"]),
            description=str(e["description"]),
            probe_ids=tuple(int(p) for p in e["probes"]),
            pairs=tuple((int(a), int(b)) for a, b in e["pairs"]),
        )
        for e in entries
    )


def reused_coverage(store: Store, country: str, af: int) -> ReusedCoverage:
    """Returns what the country's reusable measurements of address family `af` cover."""
    found = [m for m in reusable_measurements(store, country) if m.af == af]
    return ReusedCoverage(len(found), frozenset(pair for m in found for pair in m.pairs))


# ---------------------------------------------------------------------------------------------
# plan


@dataclass(frozen=True, slots=True)
class PlanResult:
    """A plan written to a file, with its coverage and cost summary."""

    path: Path
    plan: Plan
    text: str


def inventory_probes(store: Store, country: str) -> tuple[Probe, ...]:
    """Returns the probes of the country's latest inventory in the store.

    Raises UsageError when discover has not been run for the country.
    """
    inventory = store.latest_inventory(country)
    if inventory is None:
        raise UsageError(
            f"no inventory of {country} in {store.path}",
            hint=f"run `ixpready discover --country {country}` first "
            "(plan also takes --probes FILE)",
        )
    return tuple(probes_from_document(json.loads(inventory.document)["probes"]).values())


def plan(
    store: Store,
    output: Path,
    *,
    country: str,
    settings: PlanSettings,
    probes: Iterable[Probe] | None = None,
    probes_file: Path | None = None,
    af: int = 4,
    now: datetime | None = None,
) -> PlanResult:
    """Returns the plan for the country within `[plan]`'s budget, written to `output` (JSON).

    Probes come from `probes`, else `probes_file` (any layout `load_probes` reads), else the
    country's latest inventory in the store. AS pairs that public measurements already cover
    (`discover --reuse`) are not planned again, and leave the full-mesh comparison.
    """
    if probes is None and probes_file is not None:
        probes = load_probes(probes_file).values()
    chosen = tuple(probes) if probes is not None else inventory_probes(store, country)
    options = PlanOptions(
        country=country,
        budget_credits=settings.budget_credits,
        af=af,
        probes_per_as=settings.probes_per_as,
        protocol=settings.protocol,
        packets=settings.packets,
        size=settings.size,
        is_oneoff=settings.is_oneoff,
        interval_s=None if settings.is_oneoff else settings.interval_s,
        stop=None if settings.is_oneoff else settings.stop,
    )
    reused = reused_coverage(store, country, af)
    made = make_plan(chosen, options, now=now, covered=reused.pairs)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(plan_document(made), encoding="utf-8")
    summary = summarize(made, chosen, reused)
    text = summary.as_text() + f"\nplan {made.plan_id} written to {output}"
    return PlanResult(output, made, text)


# ---------------------------------------------------------------------------------------------
# measure


def create_once(
    store: Store, plan_id: str, item: int, description: str, create: Callable[[], tuple[int, ...]]
) -> tuple[int, ...]:
    """Creates one plan item's measurement exactly once and returns its ids.

    The item is marked "submitting" in the store before the request, and its id recorded
    after. A request RIPE Atlas refused, or that was never sent (quota, key, usage, rate
    limit, configuration), forgets the mark: nothing was created and the next run asks again.
    One that may have reached RIPE Atlas unanswered stays "submitting", so it is never asked
    twice (`forget_unknown_submissions` drops those marks when the user says so).
    """
    store.mark_submitting(plan_id, item, description)
    try:
        ids = create()
    except (QuotaError, AtlasAuthError, UsageError, RateLimitedError, ConfigError):
        store.forget_submission(plan_id, item)
        raise
    store.record_created(plan_id, item, ids[0])
    return ids


def submission_of(store: Store, plan_id: str, item: int) -> str | None:
    """Returns where a plan item's creation stands: "created" (its id recorded), "unknown"
    (asked, no answer: never asked again, see `create_once`) or None (still to create)."""
    row = store.measurement(plan_id, item)
    if row is None:
        return None
    if row.msm_id is not None:
        return "created"
    return "unknown" if row.state is MeasurementState.SUBMITTING else None


def forget_unknown_submissions(store: Store, plan_id: str) -> None:
    """Drops the "submitting" marks of a plan's items whose creation got no answer
    (`--forget-unknown`: the user checked RIPE Atlas and they do not exist)."""
    for row in store.measurements(plan_id):
        if row.state is MeasurementState.SUBMITTING:
            store.forget_submission(plan_id, row.item)


@dataclass(frozen=True, slots=True)
class MeasureSummary:
    """What measure did: created now, created before, unknown (asked, no answer), waiting."""

    plan_id: str
    dry_run: bool
    batch: int
    batches: int
    created: tuple[int, ...]
    already: int
    unknown: tuple[int, ...]
    to_create: int
    credits: int
    cost_per_result: int
    credits_read_back: float | None
    interval_s: int | None = None  # periodic plans only
    stop: datetime | None = None  # periodic plans only

    def as_text(self) -> str:
        """Returns the summary for the terminal."""
        lines = []
        if self.dry_run:
            lines.append(
                f"dry run: would create {self.to_create} measurements of batch {self.batch} "
                f"of {self.batches} ({self.credits} credits estimated); nothing was sent"
            )
        else:
            lines.append(
                f"plan {self.plan_id}: created {len(self.created)} measurements now "
                f"({', '.join(map(str, self.created)) or 'none'}), {self.already} before; "
                f"batch {self.batch} of {self.batches}"
            )
        if self.interval_s is not None and self.stop is not None:
            lines.append(
                f"periodic: every {self.interval_s} s, stopping at "
                f"{self.stop:%Y-%m-%dT%H:%M:%SZ} (set in every measurement created)"
            )
        if self.credits_read_back is not None:
            agree = "as" if self.credits_read_back == self.cost_per_result else "NOT as"
            lines.append(
                f"RIPE Atlas charges {self.credits_read_back:g} credits per result "
                f"({agree} estimated: {self.cost_per_result})"
            )
        if self.unknown:
            lines.append(
                f"items {', '.join(map(str, self.unknown))}: asked for, but no answer came; "
                "check https://atlas.ripe.net/measurements/mine for their description "
                "before running `ixpready measure --forget-unknown`"
            )
        if self.batch < self.batches:
            lines.append(
                "later batches wait for the quotas: run `ixpready measure` again "
                "tomorrow (or when these measurements have finished)"
            )
        return "\n".join(lines)


def _current_batch(plan: Plan, store: Store) -> int:
    done = {row.item for row in store.measurements(plan.plan_id) if row.msm_id is not None}
    pending = [item.batch for item in plan.items if item.item not in done]
    return min(pending) if pending else plan.batches


def measure(
    store: Store,
    plan_path: Path,
    *,
    atlas: AtlasSource,
    dry_run: bool = False,
    forget_unknown: bool = False,
    now: datetime | None = None,
    on_progress: Progress = _no_progress,
) -> MeasureSummary:
    """Creates the plan's measurements of the current batch, each at most once.

    Every id is stored as soon as the API returns it. An item whose request got no answer
    stays "submitting" and is skipped (it may exist) unless `forget_unknown`. A periodic
    plan's measurements are created with its interval and stop time (UsageError when the stop
    time is not at least one interval ahead). Raises the source's errors (QuotaError,
    AtlasAuthError, UnavailableError) after storing what was done.
    """
    made = load_plan(plan_path)
    moment = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    options = made.options
    if not options.is_oneoff:
        check_periodic(options, moment, f"{plan_path}")  # the stop time must still be ahead
    if made.credits > made.options.budget_credits:
        raise UsageError(
            f"{plan_path}: the plan costs {made.credits} credits, over its budget of "
            f"{made.options.budget_credits}",
            hint="remove probes or measurements, or raise budget_credits in the plan",
        )
    created: list[int] = []
    unknown: list[int] = []
    already = 0
    store.save_plan(made.plan_id, plan_path.read_text(encoding="utf-8"))
    if forget_unknown:
        forget_unknown_submissions(store, made.plan_id)
    batch = _current_batch(made, store)
    todo = [item for item in made.items if item.batch == batch]
    cost = made.options.cost_per_result
    to_create = 0
    for done, item in enumerate(todo, start=1):
        state = submission_of(store, made.plan_id, item.item)
        if state == "created":
            already += 1
        elif state == "unknown":
            unknown.append(item.item)
        if state is not None:
            continue
        to_create += 1
        if dry_run:
            continue
        description = f"ixpready {made.plan_id} item {item.item}"
        request = TracerouteRequest(
            target=item.target,
            af=made.options.af,
            probe_ids=item.probe_ids,
            description=description,
            protocol=made.options.protocol,
            packets=made.options.packets,
            size=made.options.size,
            is_oneoff=options.is_oneoff,
            interval_s=options.interval_s,
            stop=options.stop,
        )
        ids = create_once(
            store, made.plan_id, item.item, description,
            partial(atlas.create_traceroute, request),
        )  # fmt: skip
        created.extend(ids)
        on_progress(done, len(todo))
    read_back: float | None = None
    for msm_id in created[:1]:
        info = atlas.measurement(msm_id)
        read_back = info.credits_per_result
        store.record_cost(msm_id, info.credits_per_result, info.status)
    return MeasureSummary(
        plan_id=made.plan_id,
        dry_run=dry_run,
        batch=batch,
        batches=made.batches,
        created=tuple(created),
        already=already,
        unknown=tuple(unknown),
        to_create=to_create,
        credits=sum(made.item_credits(i) for i in todo),
        cost_per_result=cost,
        credits_read_back=read_back,
        interval_s=None if options.is_oneoff else options.interval_s,
        stop=None if options.is_oneoff else options.stop,
    )


# ---------------------------------------------------------------------------------------------
# fetch


@dataclass(frozen=True, slots=True)
class FetchSummary:
    """Results fetched: new ones stored per measurement, total stored, quarantined."""

    new: tuple[tuple[int, int], ...]
    stored: int
    quarantined: int
    names: rdns.GatherSummary = rdns.NOTHING  # reverse DNS of the new results' hops
    names_note: str = ""  # why no names were gathered, when none were

    def as_text(self) -> str:
        """Returns the summary for the terminal."""
        added = sum(n for _, n in self.new)
        lines = [
            f"fetched {added} new results from {len(self.new)} measurements; "
            f"{self.stored} results stored"
        ]
        if self.quarantined:
            lines.append(f"{self.quarantined} unreadable records quarantined in the store")
        if self.names.addresses or self.names_note:
            lines.append(f"reverse DNS: {self.names_note or self.names.as_line()}")
        return "\n".join(lines)


def fetch(
    store: Store,
    *,
    country: str,
    atlas: AtlasSource,
    reuse: ReuseSettings,
    names: NameGathering,
    msm_ids: Iterable[int] = (),
    now: datetime | None = None,
    window: timedelta = timedelta(days=1),
    domestic_only: bool = False,
    on_progress: Progress = _no_progress,
) -> FetchSummary:
    """Fetches what is new of the given measurements (default: all in the store).

    Incremental: each measurement resumes where the last fetch stopped (less an hour, for
    late results); duplicates are dropped by key. Reused public measurements (`discover
    --reuse`) come first, ask only for results of the country's probes that take part, and
    their first fetch goes back `reuse.days`. `domestic_only` asks only for results of the
    country's probes (from the latest inventory): the way to reuse any public measurement,
    such as built-in or anchoring meshes, at no credit cost. The new results' hop names are
    asked as `names` says. Raises the source's errors; windows already stored stay stored.
    """
    probe_ids = tuple(sorted(p.id for p in inventory_probes(store, country))) if domestic_only else ()
    moment = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    new: list[tuple[int, int]] = []
    hops: dict[IPAddress, None] = {}  # hop addresses of the results fetched now
    rows = store.measurements()
    public = {r.msm_id: r.plan_id for r in rows if r.plan_id.startswith(PUBLIC_PREFIX)}
    takers = {
        m.msm_id: m.probe_ids
        for plan_id in sorted(set(public.values()))
        for m in reusable_measurements(store, plan_id.removeprefix(PUBLIC_PREFIX))
    }
    wanted = list(msm_ids) or [r.msm_id for r in rows if r.msm_id is not None]
    wanted.sort(key=lambda msm: msm not in public)  # reused public ones first: 0 credits
    before_quarantine = len(store.quarantined())
    for done, msm_id in enumerate(wanted, start=1):
        info = atlas.measurement(msm_id)
        mark = store.fetched_until(msm_id)
        reused = msm_id in public
        if mark is not None:
            start = datetime.fromtimestamp(mark, tz=UTC) - LATE_RESULTS
        elif reused:  # a public mesh may run for years: only its recent results
            recent = moment - timedelta(days=reuse.days)
            start = max(info.start, recent) if info.start else recent
        else:
            start = info.start or moment - timedelta(days=1)
        stop = min(moment, info.stop) if info.stop else moment
        sources = probe_ids or (takers.get(msm_id, ()) if reused else ())
        if reused and not sources:  # its document lost: never the whole world's results
            sources = tuple(sorted(p.id for p in inventory_probes(store, country)))
        added = 0
        for part in atlas.fetch_results(msm_id, start, stop, window, sources):
            if names.settings.gather:  # their names are asked once the fetch is done
                hops.update(dict.fromkeys(rdns.raw_hop_addresses(r.raw for r in part.results)))
            added += store.save_window(
                msm_id,
                int(part.stop.timestamp()),
                (
                    StoredResult(TraceKey(r.msm_id, r.prb_id, r.timestamp), r.raw)
                    for r in part.results
                ),
                part.malformed,
            )
        cost = None if reused else info.credits_per_result  # not ours: 0 credits to us
        store.record_cost(msm_id, cost, info.status)
        new.append((msm_id, added))
        on_progress(done, len(wanted))
    stored = store.count_results()
    quarantined = len(store.quarantined()) - before_quarantine
    asked, note = gather_names(names, hops)
    return FetchSummary(tuple(new), stored, quarantined, asked, note)


@dataclass(frozen=True, slots=True)
class NameGathering:
    """How a fetch asks the reverse DNS of its new hop addresses: `[rdns]`, the job's
    deadline, and the store analyses read the names from, opened only when there are names
    to keep (`trend.results_store`: the shared one when `store.url` is set, else the job's)."""

    settings: RdnsSettings
    deadline: Deadline
    open_store: Callable[[], AbstractContextManager[ResultStore]]


def gather_names(
    names: NameGathering, addresses: Iterable[IPAddress]
) -> tuple[rdns.GatherSummary, str]:
    """Asks and keeps (in the store analyses read) the reverse DNS of hop addresses
    (`rdns.gather`); returns what was done, or why nothing was (a note)."""
    addresses = list(addresses)
    if not addresses:
        return rdns.NOTHING, ""
    resolver, note = rdns.gathering(names.settings, names.deadline)
    if resolver is None:
        return rdns.NOTHING, note
    with names.open_store() as store:
        return rdns.gather(store, addresses, resolver), ""


def export_results(store: Store, output: Path, msm_ids: Iterable[int] = ()) -> int:
    """Writes the (open) store's results (of the given measurements, else all) as JSON lines,
    each exactly as received; returns how many. The file is what `ixpready analyze` reads."""
    wanted = tuple(msm_ids)
    count = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        for msm_id in wanted or (None,):
            for result in store.results(msm_id):
                out.write(result.raw + "\n")
                count += 1
    return count
