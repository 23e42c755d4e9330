"""Writes outcomes as RIPE Atlas results: the keys and types the Atlas API uses.

Identity scheme (documented in docs/probe.md):
- `fw` is 9001 for every result of this probe (Atlas firmware numbers are 4xxx-5xxx, so
  9001 never collides and parsers take the newest layout);
- `prb_id` is the operator's configured number, else a stable hash of the probe name into
  1_000_000_000..1_999_999_999 (Atlas probe ids are far below that);
- `msm_id` is a stable hash of (kind, target, address family, protocol) into
  2_000_000_000..2_099_999_999: like an Atlas measurement, one id per target and method,
  the same in every run; `group_id` is a stable hash of the whole target set, same range;
- `lts` is -1 (Atlas: "does not know whether it is in sync");
- every result carries `ixpready_probe: {name, asn, country, latitude, longitude, version}`,
  and hops copied from the stop set carry `"inherited": true`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ixpready_probe import __version__
from ixpready_probe.engine import HopOutcome, ProbeReply, TraceOutcome

FIRMWARE = 9001
PROBE_ID_BASE = 1_000_000_000
MEASUREMENT_ID_BASE = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Identity:
    """Who measured: the probe's name, the operator's ASN, country and coordinates."""

    name: str
    probe_id: int
    asn: int | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    public_address: str | None = None

    def as_atlas(self) -> dict[str, Any]:
        """Returns the `ixpready_probe` object every result carries."""
        return {
            "name": self.name,
            "asn": self.asn,
            "country": self.country,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "version": __version__,
        }


def _stable(text: str, span: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % span


def probe_id_for(name: str) -> int:
    """Returns the default probe id of a probe name: 1_000_000_000 + hash, stable."""
    return PROBE_ID_BASE + _stable(f"ixpready-probe:{name}", 1_000_000_000)


def measurement_id_for(kind: str, target: str, af: int | None, protocol: str) -> int:
    """Returns the stable msm_id of one target measured one way (2_000_000_000 + hash)."""
    return MEASUREMENT_ID_BASE + _stable(f"{kind}|{target}|{af}|{protocol}", 100_000_000)


def group_id_for(kind: str, targets: list[str]) -> int:
    """Returns the stable group id of a whole target set."""
    return MEASUREMENT_ID_BASE + _stable(kind + "|" + "|".join(sorted(targets)), 100_000_000)


def _reply(reply: ProbeReply | None) -> dict[str, Any]:
    if reply is None:
        return {"x": "*"}
    packet: dict[str, Any] = {
        "from": str(reply.address),
        "rtt": reply.rtt_ms,
        "size": reply.size,
        "ttl": reply.ttl,
    }
    if reply.error is not None:
        packet["err"] = reply.error
    if reply.quoted_ttl is not None and reply.quoted_ttl != 1:
        packet["ittl"] = reply.quoted_ttl
    if reply.icmpext is not None:
        packet["icmpext"] = reply.icmpext
    return packet


def _hop(hop: HopOutcome) -> dict[str, Any]:
    entry: dict[str, Any] = {"hop": hop.ttl, "result": [_reply(r) for r in hop.replies]}
    if hop.inherited:
        entry["inherited"] = True
    return entry


def traceroute_result(
    outcome: TraceOutcome,
    identity: Identity,
    *,
    protocol: str,
    paris_id: int,
    size: int,
    group_id: int,
) -> dict[str, Any]:
    """Returns one RIPE Atlas traceroute result for one traced target."""
    af = outcome.target.address.version
    hops = [_hop(hop) for hop in outcome.hops]
    if not hops:
        hops = [{"hop": 1, "result": [{"x": "*"}]}]
    return {
        "type": "traceroute",
        "fw": FIRMWARE,
        "lts": -1,
        "msm_id": measurement_id_for("traceroute", outcome.target.name, af, protocol),
        "group_id": group_id,
        "msm_name": "Traceroute",
        "prb_id": identity.probe_id,
        "timestamp": int(outcome.started),
        "endtime": int(outcome.ended),
        "af": af,
        "proto": protocol,
        "dst_name": outcome.target.name,
        "dst_addr": str(outcome.target.address),
        "src_addr": str(outcome.source),
        "from": identity.public_address or str(outcome.source),
        "paris_id": paris_id,
        "size": size,
        "result": hops,
        "ixpready_probe": identity.as_atlas(),
    }


def failed_traceroute_result(
    name: str, reason: str, identity: Identity, *, protocol: str, af: int,
    paris_id: int, size: int, group_id: int, started: float,
) -> dict[str, Any]:
    """Returns the Atlas result of a target that could not be traced at all.

    Atlas writes `result: [{"error": "..."}]` (name resolution failed, no route), and
    omits `dst_addr` when the name did not resolve.
    """
    record: dict[str, Any] = {
        "type": "traceroute",
        "fw": FIRMWARE,
        "lts": -1,
        "msm_id": measurement_id_for("traceroute", name, af, protocol),
        "group_id": group_id,
        "msm_name": "Traceroute",
        "prb_id": identity.probe_id,
        "timestamp": int(started),
        "endtime": int(started),
        "af": af,
        "proto": protocol,
        "dst_name": name,
        "paris_id": paris_id,
        "size": size,
        "result": [{"error": reason}],
        "ixpready_probe": identity.as_atlas(),
    }
    if identity.public_address:
        record["from"] = identity.public_address
    return record
