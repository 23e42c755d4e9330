"""Plan a domestic traceroute mesh within a RIPE Atlas credit budget and the API's quotas.

Cost rules (RIPE Atlas): a traceroute result costs 10 x packets x (size // 1500 + 1) credits
when periodic, twice that when one-off (60 for the default 3 packets of 48 bytes). A one-off
measurement gives one result per probe; a periodic one gives one per probe per interval, from
its start (at the latest the plan's creation) until its mandatory stop time. Quotas: 100
concurrent measurements, 100,000 results a day, 1,000 probes a measurement. A one-off plan is
cut into batches (one a day) that each respect them; a periodic plan runs all its measurements
at once until the stop time, so it must fit one batch and is cut to the quotas when made. The
plan is an editable JSON file; `load_plan` reads it back (JSON, or TOML with the same layout)
and recomputes every cost from what it says.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

from ixpready.errors import InputError, UsageError
from ixpready.measurements.probes import usable
from ixpready.measurements.records import Probe

MAX_CONCURRENT_MEASUREMENTS = 100
MAX_RESULTS_PER_DAY = 100_000
MAX_PROBES_PER_MEASUREMENT = 1_000
PLAN_FORMAT = 1
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MIN_INTERVAL_S = 60  # RIPE Atlas' shortest traceroute interval
DAY_S = 86_400
QUOTA_WARNING_SHARE = 0.8  # warn when a periodic plan takes this share of the daily quota


def credits_per_result(packets: int, size: int, is_oneoff: bool) -> int:
    """Returns the credits one traceroute result costs by RIPE Atlas' published rule."""
    periodic = 10 * packets * (size // 1500 + 1)
    return 2 * periodic if is_oneoff else periodic


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What every measurement of a plan looks like, and the budget (credits)."""

    country: str
    budget_credits: int
    af: int = 4
    probes_per_as: int = 3
    protocol: str = "ICMP"
    packets: int = 3
    size: int = 48
    is_oneoff: bool = True
    interval_s: int | None = None  # periodic only: seconds between two results of a probe
    stop: datetime | None = None  # periodic only (mandatory): when the measurements stop, UTC

    @property
    def cost_per_result(self) -> int:
        """Returns the credits of one result of this plan's measurements."""
        return credits_per_result(self.packets, self.size, self.is_oneoff)

    def results_per_probe(self, start: datetime) -> int:
        """Returns the results one probe gives from `start` to the stop time (1 if one-off)."""
        if self.is_oneoff or self.interval_s is None or self.stop is None:
            return 1
        seconds = (self.stop - start).total_seconds()
        return max(0, math.ceil(seconds / self.interval_s))

    @property
    def results_per_probe_per_day(self) -> int:
        """Returns the results one probe gives a day (a one-off's single result: 1)."""
        if self.is_oneoff or self.interval_s is None:
            return 1
        return math.ceil(DAY_S / self.interval_s)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One measurement: a traceroute to `target` (in `target_asn`) from `probe_ids`."""

    item: int
    batch: int
    target: str
    target_asn: int
    target_note: str
    probe_ids: tuple[int, ...]
    source_asns: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """A measurement plan; `plan_id` ties the store's records of what was created to it.

    `notes` are warnings made with the plan (a quota that cut it); they are not compared.
    """

    plan_id: str
    created: datetime
    options: PlanOptions
    items: tuple[PlanItem, ...]
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def probe_slots(self) -> int:
        """Returns how many (measurement, probe) participations the plan has."""
        return sum(len(item.probe_ids) for item in self.items)

    @property
    def results(self) -> int:
        """Returns how many results the plan asks for: one per probe per one-off item; per
        interval from the plan's creation until the stop time for a periodic one."""
        return self.probe_slots * self.options.results_per_probe(self.created)

    @property
    def credits(self) -> int:
        """Returns the plan's estimated cost in credits."""
        return self.results * self.options.cost_per_result

    @property
    def results_per_day(self) -> int:
        """Returns the results a day the plan's measurements give while they all run (the
        daily quota counts these); for a one-off plan, the largest batch."""
        if self.options.is_oneoff:
            per_batch: dict[int, int] = defaultdict(int)
            for item in self.items:
                per_batch[item.batch] += len(item.probe_ids)
            return max(per_batch.values(), default=0)
        return self.probe_slots * self.options.results_per_probe_per_day

    def item_credits(self, item: PlanItem) -> int:
        """Returns the estimated credits of one measurement of the plan."""
        results = len(item.probe_ids) * self.options.results_per_probe(self.created)
        return results * self.options.cost_per_result

    @property
    def batches(self) -> int:
        """Returns how many batches (days) the quotas cut the plan into."""
        return max((item.batch for item in self.items), default=0)

    def pairs(self) -> set[tuple[int, int]]:
        """Returns the (source AS, destination AS) pairs the plan measures."""
        return {(src, item.target_asn) for item in self.items for src in item.source_asns}


@dataclass(frozen=True, slots=True)
class ReusedCoverage:
    """What public measurements already cover at no cost: how many, and the (source AS,
    destination AS) pairs their domestic probes trace (found by `discover --reuse`)."""

    measurements: int
    pairs: frozenset[tuple[int, int]]


NO_REUSE = ReusedCoverage(0, frozenset())


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """A plan against the full mesh it replaces: coverage of domestic AS pairs and credits."""

    measurements: int
    results: int
    credits: int
    batches: int
    pairs_covered: int
    pairs_possible: int
    networks_with_probes: int
    full_mesh_results: int
    full_mesh_credits: int
    results_per_day: int = 0
    interval_s: int | None = None  # periodic plans only
    stop: datetime | None = None  # periodic plans only
    results_per_probe: int = 1
    notes: tuple[str, ...] = ()  # warnings: quotas
    reused_measurements: int = 0  # public measurements found by discover --reuse
    reused_pairs: int = 0  # domestic AS pairs they cover
    full_mesh_reused_results: int = 0  # full-mesh results of those pairs, left out of it

    def as_text(self) -> str:
        """Returns the summary as a few lines for the terminal."""
        share = 100.0 * self.pairs_covered / self.pairs_possible if self.pairs_possible else 0.0
        lines = [
            f"plan: {self.measurements} measurements, {self.results} results, "
            f"{self.credits} credits, {self.batches} batch(es)",
        ]
        if self.interval_s is not None and self.stop is not None:
            quota = 100.0 * self.results_per_day / MAX_RESULTS_PER_DAY
            lines.append(
                f"periodic: every {self.interval_s} s until {self.stop:%Y-%m-%d %H:%M} UTC, "
                f"{self.results_per_probe} results per probe, {self.results_per_day} results "
                f"a day ({quota:.0f} % of the {MAX_RESULTS_PER_DAY:,} a day quota)"
            )
        if self.reused_measurements:
            lines.append(
                f"reuse: {self.reused_measurements} public measurements already cover "
                f"{self.reused_pairs} domestic AS pairs, 0 credits"
            )
        left_out = (
            f" ({self.full_mesh_reused_results} results of AS pairs public measurements "
            "cover left out)"
            if self.full_mesh_reused_results
            else ""
        )
        lines += [
            f"coverage: {self.pairs_covered} of {self.pairs_possible} domestic AS pairs "
            f"({share:.0f} %), {self.networks_with_probes} networks with usable probes",
            f"full probe mesh instead: {self.full_mesh_results} results, "
            f"{self.full_mesh_credits} credits{left_out}",
        ]
        lines += [f"warning: {note}" for note in self.notes]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Choosing probes and targets


def _usable(probe: Probe, options: PlanOptions) -> bool:
    return (
        usable(probe)
        and probe.asn(options.af) is not None
        and (probe.country or options.country) == options.country
    )


def _rank(probe: Probe, af: int) -> tuple[int, int, int]:
    """Sorts anchors first, then probes tagged stable, then the rest; ties by id."""
    stable = any(
        tag in probe.tags
        for tag in (f"system-ipv{af}-stable-30d", f"system-ipv{af}-stable-1d", "anchor")
    )
    works = f"system-ipv{af}-works" in probe.tags
    return (0 if probe.is_anchor else 1, 0 if stable else (1 if works else 2), probe.id)


def choose_probes(probes: Iterable[Probe], options: PlanOptions) -> dict[int, tuple[Probe, ...]]:
    """Returns up to `probes_per_as` probes per ASN: stable first, one per prefix before seconds."""
    by_asn: dict[int, list[Probe]] = defaultdict(list)
    for probe in probes:
        if _usable(probe, options):
            asn = probe.asn(options.af)
            assert asn is not None
            by_asn[asn].append(probe)
    chosen: dict[int, tuple[Probe, ...]] = {}
    for asn, candidates in sorted(by_asn.items()):
        candidates.sort(key=lambda p: _rank(p, options.af))
        picked: list[Probe] = []
        seen_prefixes: set[str | None] = set()
        for probe in candidates:  # first pass: one per prefix
            prefix = probe.prefix_v6 if options.af == 6 else probe.prefix_v4
            if prefix not in seen_prefixes or prefix is None:
                seen_prefixes.add(prefix)
                picked.append(probe)
        picked += [p for p in candidates if p not in picked]
        chosen[asn] = tuple(picked[: options.probes_per_as])
    return chosen


def _target(probes: Sequence[Probe], af: int) -> tuple[str, str] | None:
    """Returns (address, note) to aim at in one AS: an anchor, a probe, else its prefix."""
    for probe in sorted(probes, key=lambda p: _rank(p, af)):
        address = probe.address_v6 if af == 6 else probe.address_v4
        if address is not None and address.is_global:
            kind = "anchor" if probe.is_anchor else "probe"
            return str(address), f"{kind} {probe.id}"
    for probe in sorted(probes, key=lambda p: p.id):
        prefix = probe.prefix_v6 if af == 6 else probe.prefix_v4
        if prefix:
            try:
                network = ip_network(prefix, strict=False)
            except ValueError:
                continue
            return str(
                network.network_address + 1
            ), f"first address of {prefix} (probe {probe.id}; edit me)"
    return None


def make_plan(
    probes: Iterable[Probe],
    options: PlanOptions,
    *,
    now: datetime | None = None,
    covered: frozenset[tuple[int, int]] = frozenset(),
) -> Plan:
    """Returns the plan covering the most domestic AS pairs the budget allows.

    Destinations are taken from the networks with the most usable probes first; a measurement
    that would pass the budget is cut to the probes it can pay for. Pairs in `covered` (source
    AS, destination AS: public measurements trace them already) are not planned again. Raises
    UsageError when no usable probe is in the country.
    """
    stamp = (now or datetime.now(tz=UTC)).replace(microsecond=0)
    check_periodic(options, stamp, "the settings (plan.is_oneoff)")
    all_probes = tuple(probes)
    usable = [p for p in all_probes if _usable(p, options)]
    if not usable:
        raise UsageError(
            f"no connected RIPE Atlas probe with an IPv{options.af} ASN in {options.country}",
            hint="run `ixpready discover` first, or pass a probe list with --probes",
        )
    chosen = choose_probes(usable, options)
    all_by_asn: dict[int, list[Probe]] = defaultdict(list)
    for probe in usable:
        asn = probe.asn(options.af)
        assert asn is not None
        all_by_asn[asn].append(probe)
    order = sorted(all_by_asn, key=lambda asn: (-len(all_by_asn[asn]), asn))
    per_probe = options.results_per_probe(stamp)
    remaining = options.budget_credits // (options.cost_per_result * per_probe)  # probe slots
    notes: list[str] = []
    if not options.is_oneoff:  # all at once until the stop time: one batch within the quotas
        by_quota = MAX_RESULTS_PER_DAY // options.results_per_probe_per_day
        if by_quota < remaining:
            remaining = by_quota
            notes.append(
                f"the daily results quota ({MAX_RESULTS_PER_DAY:,} a day) limits this periodic "
                f"plan to {by_quota} probe participations at one result every "
                f"{options.interval_s} s; lengthen the interval to cover more"
            )
    items: list[PlanItem] = []
    for destination in order:
        target = _target(all_by_asn[destination], options.af)
        if target is None:
            continue
        sources = _round_robin(
            [
                ps
                for asn, ps in chosen.items()
                if asn != destination and (asn, destination) not in covered
            ]
        )
        sources = sources[: max(0, remaining)]
        for start in range(0, len(sources), MAX_PROBES_PER_MEASUREMENT):
            part = sources[start : start + MAX_PROBES_PER_MEASUREMENT]
            if not part:
                continue
            if not options.is_oneoff and len(items) >= MAX_CONCURRENT_MEASUREMENTS:
                notes.append(
                    f"the quota of {MAX_CONCURRENT_MEASUREMENTS} concurrent measurements cut "
                    "this periodic plan (its measurements all run until the stop time)"
                )
                remaining = 0
                break
            items.append(
                PlanItem(
                    item=len(items) + 1,
                    batch=0,
                    target=target[0],
                    target_asn=destination,
                    target_note=target[1],
                    probe_ids=tuple(p.id for p in part),
                    source_asns=tuple(sorted({p.asn(options.af) or 0 for p in part})),
                )
            )
            remaining -= len(part)
        if remaining <= 0:
            break
    plan_id = f"{options.country}-{stamp:%Y%m%dT%H%M%SZ}"
    batched = assign_batches(items, options.results_per_probe_per_day)
    return Plan(plan_id, stamp, options, tuple(batched), tuple(dict.fromkeys(notes)))


def check_periodic(options: PlanOptions, start: datetime, where: str) -> None:
    """Refuses a periodic plan without an interval of at least a minute, or without a stop
    time at least one interval after `start`: it would spend credits for ever (UsageError)."""
    if options.is_oneoff:
        return
    hint = "give both: ixpready plan --periodic 1h --until 2027-01-31 (or plan.interval_s and plan.stop)"
    if options.interval_s is None or options.interval_s < MIN_INTERVAL_S:
        raise UsageError(
            f"{where}: a periodic plan needs an interval of at least {MIN_INTERVAL_S} s "
            f"(interval_s is {options.interval_s})",
            hint=hint,
        )
    if options.stop is None:
        raise UsageError(
            f"{where}: a periodic plan needs a stop time: without one it spends credits for ever",
            hint=hint,
        )
    if options.stop < start + timedelta(seconds=options.interval_s):
        raise UsageError(
            f"{where}: the stop time {options.stop:%Y-%m-%dT%H:%M:%SZ} is not at least one "
            f"interval ({options.interval_s} s) after {start:%Y-%m-%dT%H:%M:%SZ}",
            hint="choose a later stop time (--until)",
        )


def _round_robin(groups: Sequence[Sequence[Probe]]) -> list[Probe]:
    """Returns the first probe of every AS, then every second, ...: a cut keeps AS diversity."""
    ordered: list[Probe] = []
    for rank in range(max((len(g) for g in groups), default=0)):
        ordered += [group[rank] for group in groups if rank < len(group)]
    return ordered


def assign_batches(items: Sequence[PlanItem], results_per_probe_per_day: int = 1) -> list[PlanItem]:
    """Returns the items numbered into batches of <= 100 measurements and <= 100,000 results
    a day (a probe of a periodic measurement gives `results_per_probe_per_day`)."""
    batched: list[PlanItem] = []
    batch, count, results = 1, 0, 0
    for item in items:
        size = len(item.probe_ids) * results_per_probe_per_day
        if count and (
            count + 1 > MAX_CONCURRENT_MEASUREMENTS or results + size > MAX_RESULTS_PER_DAY
        ):
            batch, count, results = batch + 1, 0, 0
        count += 1
        results += size
        batched.append(
            PlanItem(
                item.item,
                batch,
                item.target,
                item.target_asn,
                item.target_note,
                item.probe_ids,
                item.source_asns,
            )
        )
    return batched


def summarize(
    plan: Plan, probes: Iterable[Probe], reused: ReusedCoverage = NO_REUSE
) -> PlanSummary:
    """Returns coverage and credits of the plan and of the full probe mesh it replaces.

    The full mesh: every usable probe traces to every other usable probe's address, less the
    probe pairs whose AS pair `reused` public measurements cover already. Coverage counts the
    plan's pairs and the reused ones.
    """
    options = plan.options
    usable = [p for p in probes if _usable(p, options)]
    per_asn: dict[int | None, int] = defaultdict(int)
    for probe in usable:
        per_asn[probe.asn(options.af)] += 1
    asns = set(per_asn)
    n = len(usable)
    per_probe = options.results_per_probe(plan.created)
    reused_pairs = {(a, b) for a, b in reused.pairs if a in asns and b in asns and a != b}
    reused_mesh = sum(per_asn[a] * per_asn[b] for a, b in reused_pairs) * per_probe
    full_results = n * (n - 1) * per_probe - reused_mesh
    notes = list(plan.notes)
    if not options.is_oneoff and plan.results_per_day > QUOTA_WARNING_SHARE * MAX_RESULTS_PER_DAY:
        notes.append(
            f"{plan.results_per_day:,} results a day leave little of the daily quota "
            f"({MAX_RESULTS_PER_DAY:,}) to other measurements of this key"
        )
    return PlanSummary(
        measurements=len(plan.items),
        results=plan.results,
        credits=plan.credits,
        batches=plan.batches,
        pairs_covered=len(plan.pairs() | reused_pairs),
        pairs_possible=len(asns) * (len(asns) - 1),
        networks_with_probes=len(asns),
        full_mesh_results=full_results,
        full_mesh_credits=full_results * options.cost_per_result,
        results_per_day=plan.results_per_day,
        interval_s=None if options.is_oneoff else options.interval_s,
        stop=None if options.is_oneoff else options.stop,
        results_per_probe=per_probe,
        notes=tuple(dict.fromkeys(notes)),
        reused_measurements=reused.measurements,
        reused_pairs=len(reused.pairs),
        full_mesh_reused_results=reused_mesh,
    )


# ---------------------------------------------------------------------------------------------
# The plan file


def plan_document(plan: Plan) -> str:
    """Returns the plan as the JSON text users read and edit."""
    o = plan.options
    document = {
        "format": PLAN_FORMAT,
        "plan_id": plan.plan_id,
        "created": plan.created.strftime(TIME_FORMAT),
        "country": o.country,
        "budget_credits": o.budget_credits,
        "measurement": {
            "af": o.af,
            "protocol": o.protocol,
            "packets": o.packets,
            "size": o.size,
            "is_oneoff": o.is_oneoff,
            "probes_per_as": o.probes_per_as,
            "credits_per_result": o.cost_per_result,
        },
        "estimate": {"results": plan.results, "credits": plan.credits, "batches": plan.batches},
        "measurements": [
            {
                "item": i.item,
                "batch": i.batch,
                "target": i.target,
                "target_asn": i.target_asn,
                "target_note": i.target_note,
                "probes": list(i.probe_ids),
                "source_asns": list(i.source_asns),
                "credits": plan.item_credits(i),
            }
            for i in plan.items
        ],
    }
    if not o.is_oneoff:  # the interval and the mandatory stop time; results a day for quotas
        measurement = document["measurement"]
        assert isinstance(measurement, dict) and o.stop is not None
        measurement["interval_s"] = o.interval_s
        measurement["stop"] = o.stop.strftime(TIME_FORMAT)
        estimate = document["estimate"]
        assert isinstance(estimate, dict)
        estimate["results_per_day"] = plan.results_per_day
    return json.dumps(document, indent=2) + "\n"


def _field(where: str, mapping: Any, name: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(mapping, dict) or name not in mapping:
        raise InputError(f"{where}: '{name}' is missing")
    value = mapping[name]
    if isinstance(value, bool) and kind is not bool:
        raise InputError(f"{where}: '{name}' is {value!r}, not {_kind_name(kind)}")
    if not isinstance(value, kind):
        raise InputError(f"{where}: '{name}' is {value!r:.40}, not {_kind_name(kind)}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "a whole number", str: "text", bool: "true or false", list: "a list"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def load_plan(path: Path) -> Plan:
    """Returns the plan in a JSON (or TOML) plan file, costs recomputed, batches re-cut.

    Raises InputError naming the file and the field that cannot be used.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file") from None
    try:
        document = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not a readable plan ({exc})") from None
    where = str(path)
    if _field(where, document, "format", int) != PLAN_FORMAT:
        raise InputError(f"{where}: plan format {document['format']} is not {PLAN_FORMAT}")
    m = _field(where, document, "measurement", dict)
    created = _moment(where, _field(where, document, "created", str), "created")
    is_oneoff = _field(f"{where} measurement", m, "is_oneoff", bool)
    interval_s: int | None = None
    stop: datetime | None = None
    if not is_oneoff:
        interval_s = _field(f"{where} measurement", m, "interval_s", int)
        stop = _moment(where, _field(f"{where} measurement", m, "stop", str), "measurement stop")
    options = PlanOptions(
        country=_field(where, document, "country", str).upper(),
        budget_credits=_field(where, document, "budget_credits", int),
        af=_field(f"{where} measurement", m, "af", int),
        probes_per_as=_field(f"{where} measurement", m, "probes_per_as", int),
        protocol=_field(f"{where} measurement", m, "protocol", str).upper(),
        packets=_field(f"{where} measurement", m, "packets", int),
        size=_field(f"{where} measurement", m, "size", int),
        is_oneoff=is_oneoff,
        interval_s=interval_s,
        stop=stop,
    )
    try:
        check_periodic(options, created, where)
    except UsageError as exc:
        raise InputError(str(exc), hint=exc.hint) from None
    if options.af not in (4, 6) or options.protocol not in ("ICMP", "UDP", "TCP"):
        raise InputError(f"{where}: measurement af must be 4 or 6 and protocol ICMP, UDP or TCP")
    items: list[PlanItem] = []
    for index, entry in enumerate(_field(where, document, "measurements", list)):
        at = f"{where} measurements[{index}]"
        probes = _field(at, entry, "probes", list)
        if not probes or not all(isinstance(p, int) and not isinstance(p, bool) for p in probes):
            raise InputError(f"{at}: 'probes' must be a non-empty list of probe ids")
        if len(probes) > MAX_PROBES_PER_MEASUREMENT:
            raise InputError(f"{at}: more than {MAX_PROBES_PER_MEASUREMENT} probes")
        target = _field(at, entry, "target", str)
        try:
            ip_address(target)
        except ValueError:
            if not target or " " in target:
                raise InputError(f"{at}: 'target' {target!r} is not an address or name") from None
        items.append(
            PlanItem(
                item=_field(at, entry, "item", int),
                batch=0,
                target=target,
                target_asn=_field(at, entry, "target_asn", int),
                target_note=str(entry.get("target_note") or ""),
                probe_ids=tuple(probes),
                source_asns=tuple(int(a) for a in entry.get("source_asns") or ()),
            )
        )
    numbers = [i.item for i in items]
    if len(set(numbers)) != len(numbers):
        raise InputError(f"{where}: two measurements share an 'item' number")
    plan_id = _field(where, document, "plan_id", str)
    batched = assign_batches(items, options.results_per_probe_per_day)
    if not options.is_oneoff and max((i.batch for i in batched), default=1) > 1:
        slots = sum(len(i.probe_ids) for i in items)
        raise InputError(
            f"{where}: a periodic plan runs all its measurements at once until its stop time, "
            f"but {len(items)} measurements with {slots * options.results_per_probe_per_day:,} "
            f"results a day pass the quotas ({MAX_CONCURRENT_MEASUREMENTS} concurrent "
            f"measurements, {MAX_RESULTS_PER_DAY:,} results a day)",
            hint="remove measurements or probes, or lengthen interval_s",
        )
    return Plan(plan_id, created, options, tuple(batched))


def _moment(where: str, text: str, name: str) -> datetime:
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"{where}: '{name}' is not YYYY-MM-DDTHH:MM:SSZ") from None


def days_needed(plan: Plan) -> int:
    """Returns the fewest days the plan needs under the daily results quota."""
    return max(1, math.ceil(plan.results / MAX_RESULTS_PER_DAY))
