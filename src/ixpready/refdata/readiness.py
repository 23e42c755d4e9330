"""The reference files the readiness scorecard reads besides `load_snapshot`'s. No network.

In a reference-data folder (README, "Ready to peer?"):

- `peeringdb/net.json`: per network its PeeringDB record: `policy_general`, `irr_as_set`,
  `info_ipv6`, `info_unicast` (read here in full; `load_snapshot` keeps names only);
- `peeringdb/netfac.json`: which facilities a network is present at (`net_id`, `fac_id`,
  `local_asn`, `name`, `city`, `country`), read by the one `netfac` reader
  (`snapshots.read_network_facilities`; a row without `local_asn` takes its `net`'s ASN);
- `peeringdb/poc.json`: the network's points of contact. Only how many each network has
  is kept (`poc` counts); names, e-mail addresses and phone numbers are never read into
  anything that leaves this module;
- `rpki/*.json` (or `vrps*.json` at the top): validated ROA payloads, Routinator or
  rpki-client JSON (`refdata.rpki`);
- `ripestat/*.json` answers of the `rpki-validation` data call (one route each).

PeeringDB files may come in pages (`net-page1.json`, ...) like the other PeeringDB types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ixpready.errors import RefdataError
from ixpready.refdata.rpki import RipestatValidity, VrpSet, load_vrps, ripestat_validity
from ixpready.refdata.snapshots import (
    NetworkFacility,
    SnapshotSource,
    _date_of,
    peeringdb_files,
    peeringdb_rows,
    read_network_facilities,
)


@dataclass(frozen=True, slots=True)
class PeeringdbNet:
    """A network's PeeringDB record, as far as readiness needs it (no contacts)."""

    net_id: int
    asn: int
    name: str
    policy: str  # policy_general: "Open", "Selective", "Restrictive", "No", or ""
    irr_as_set: str
    info_ipv6: bool | None
    contacts: int  # how many poc records PeeringDB shows for it (0 when poc was not read)


@dataclass(frozen=True)
class ReadinessRefs:
    """What the readiness scorecard reads beyond the registry snapshot, with its sources."""

    nets: dict[int, PeeringdbNet] = field(default_factory=dict)  # by ASN
    netfacs: tuple[NetworkFacility, ...] = ()  # `snapshots.read_network_facilities`'s
    has_net: bool = False
    has_netfac: bool = False
    has_poc: bool = False
    vrp_sets: tuple[VrpSet, ...] = ()
    ripestat_rpki: tuple[RipestatValidity, ...] = ()
    sources: tuple[SnapshotSource, ...] = ()


def _date(path: Path, default: str | None) -> str | None:
    return _date_of(path, default)  # one reading of dates in file names


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def load_readiness_refs(folder: Path, default_date: str | None = None) -> ReadinessRefs:
    """Returns the readiness reference data of a folder (see the module doc).

    Missing files are fine (the scorecard says "unknown"); raises RefdataError for a damaged
    file, naming it.
    """
    sources: list[SnapshotSource] = []
    pdb = folder / "peeringdb"
    net_paths = peeringdb_files(pdb, "net") if pdb.is_dir() else []
    netfac_paths = peeringdb_files(pdb, "netfac") if pdb.is_dir() else []
    poc_paths = peeringdb_files(pdb, "poc") if pdb.is_dir() else []
    contacts: dict[int, int] = {}
    for path in poc_paths:
        for row in peeringdb_rows(path):  # counted, never kept: contacts stay in the file
            net_id = _int(row.get("net_id"))
            if net_id is not None:
                contacts[net_id] = contacts.get(net_id, 0) + 1
        sources.append(SnapshotSource("PeeringDB poc", f"peeringdb/{path.name}",
                                      _date(path, default_date)))  # fmt: skip
    nets: dict[int, PeeringdbNet] = {}
    asn_of_net: dict[int, int] = {}
    for path in net_paths:
        for row in peeringdb_rows(path):
            net_id, asn = _int(row.get("id")), _int(row.get("asn"))
            if net_id is None or asn is None:
                continue
            asn_of_net[net_id] = asn
            ipv6 = row.get("info_ipv6")
            nets[asn] = PeeringdbNet(
                net_id=net_id,
                asn=asn,
                name=str(row.get("name") or ""),
                policy=str(row.get("policy_general") or ""),
                irr_as_set=str(row.get("irr_as_set") or "").strip(),
                info_ipv6=ipv6 if isinstance(ipv6, bool) else None,
                contacts=contacts.get(net_id, 0),
            )
        sources.append(SnapshotSource("PeeringDB net", f"peeringdb/{path.name}",
                                      _date(path, default_date)))  # fmt: skip
    netfacs = read_network_facilities(pdb, asn_of_net) if netfac_paths else ()
    for path in netfac_paths:
        sources.append(SnapshotSource("PeeringDB netfac", f"peeringdb/{path.name}",
                                      _date(path, default_date)))  # fmt: skip
    vrp_paths = sorted((folder / "rpki").glob("*.json")) if (folder / "rpki").is_dir() else []
    vrp_paths += sorted(folder.glob("vrps*.json"))
    vrp_sets = []
    for path in vrp_paths:
        vrps = load_vrps(path, _date(path, default_date))
        vrp_sets.append(vrps)
        name = str(path.relative_to(folder))
        sources.append(SnapshotSource(f"RPKI VRPs ({vrps.program})", name, vrps.date))
    answers: list[RipestatValidity] = []
    ripestat = folder / "ripestat"
    if ripestat.is_dir():
        for path in sorted(ripestat.glob("*.json")):
            try:
                answer = ripestat_validity(orjson.loads(path.read_bytes()))
            except orjson.JSONDecodeError as exc:
                raise RefdataError(f"{path}: not JSON ({exc})", hint="download it again") from None
            except (ValueError, KeyError, TypeError) as exc:
                raise RefdataError(f"{path}: not a readable rpki-validation answer ({exc})") from None
            if answer is not None:
                answers.append(answer)
                sources.append(SnapshotSource("RIPEstat rpki-validation",
                                              f"ripestat/{path.name}", answer.date))  # fmt: skip
    return ReadinessRefs(
        nets=nets,
        netfacs=netfacs,
        has_net=bool(net_paths),
        has_netfac=bool(netfac_paths),
        has_poc=bool(poc_paths),
        vrp_sets=tuple(vrp_sets),
        ripestat_rpki=tuple(answers),
        sources=tuple(sources),
    )
