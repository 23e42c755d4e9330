"""Which RIPE Atlas probes `locate` pings from, on real probe metadata: RIPEstat's list of
Austria's 584 probes and anchors (atlas-probes/ripestat-atlas-probes-at-2025-06-11.json,
recorded 2025-06-11; see ../shared/fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

from ixpready.enrichment.geo import distance_km, gazetteer
from ixpready.measurements.probes import load_probes
from ixpready.measurements.records import Probe
from ixpready.pipeline.locate import choose_probes

AUSTRIA = "atlas-probes/ripestat-atlas-probes-at-2025-06-11.json"


def _km(probe: Probe, latitude: float, longitude: float) -> float:
    assert probe.latitude is not None and probe.longitude is not None
    return distance_km(probe.latitude, probe.longitude, latitude, longitude)


def test_anchors_first_then_stable_probes_all_connected_and_near(recorded: Path) -> None:
    probes = load_probes(recorded / AUSTRIA)
    vienna = gazetteer().city("vie")
    assert vienna is not None
    chosen = choose_probes(probes.values(), vienna, 4, 14, 50)
    # read off the file by hand: 11 connected anchors with an IPv4 ASN within 50 km of
    # Vienna's centre, the nearest 7502 (0.6 km), 7476 and 6325; then the stable probes
    assert [p.id for p in chosen[:3]] == [7502, 7476, 6325]
    assert [p.is_anchor for p in chosen] == [True] * 11 + [False] * 3
    assert [p.id for p in chosen[11:]] == [11226, 1001595, 1009026]
    assert all(any(t.startswith("system-ipv4-stable-") for t in p.tags) for p in chosen)
    assert all(p.status == "Connected" for p in chosen)
    assert all(_km(p, vienna.latitude, vienna.longitude) <= 50 for p in chosen)
    # the list holds 359 probes that are not connected (written off, abandoned, ...): none
    assert sum(p.status != "Connected" for p in probes.values()) == 359


def test_an_ipv6_ping_needs_an_ipv6_asn_and_nothing_is_chosen_far_away(recorded: Path) -> None:
    probes = load_probes(recorded / AUSTRIA)
    vienna = gazetteer().city("vie")
    assert vienna is not None
    assert all(p.asn_v6 is not None for p in choose_probes(probes.values(), vienna, 6, 20, 50))
    miami = gazetteer().city("mia")
    assert miami is not None
    assert choose_probes(probes.values(), miami, 4, 2, 50) == ()
