"""Reference-data folders built in tmp_path from the recorded files in ../shared/fixtures.

Recorded files are copied under the names `load_snapshot` recognises; the few files the
fixtures lack (a CAIDA pfx2as table, RIR delegated statistics) are written here in the real
formats, from values the recorded files hold (see each builder).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

PYASN_V4 = "routing/pyasn-ipasn-20140513-excerpt.dat"
PYASN_V6 = "routing/pyasn-ipasn6-20151101-v6-excerpt.dat"
ASNAMES = "routing/pyasn-asnames-central-america.json"
RIPESTAT = {
    "network-info.json": "routing/ripestat/andrelia-network-info.json",
    "prefix-overview.json": "routing/ripestat/andrelia-prefix-overview.json",
    "announced-prefixes.json": "routing/ripestat/andrelia-announced-prefixes.json",
    "as-overview.json": "routing/ripestat/andrelia-as-overview.json",
    "as-overview-AS1205.json": "routing/ripestat/fa11enangel-as-overview-AS1205.json",
}
PDB_2016 = "peeringdb/pdb-2016-10-19-{}.json"
PDB_BETA = "peeringdb/pdb-beta-api-2026-04-16-{}-page{}.json"

# RIR delegated-extended statistics in the real layout: version line, summary lines, then
# `registry|cc|type|start|value|date|status|opaque-id`. Resources and countries agree with
# the recorded data (pyasn AS names: AS14754 "Telgua, GT", AS27929 "Red Avanzada
# Guatemalteca ..., GT", AS52286 "Columbus Networks Guatemala, GT"; the Guatemalan probes'
# addresses 186.151.78.4 and 168.234.75.2); dates and opaque ids are placeholders.
DELEGATED_LACNIC = """\
2|lacnic|20140513|9|19870101|20140512|-0300
lacnic|*|asn|*|3|summary
lacnic|*|ipv4|*|4|summary
lacnic|*|ipv6|*|1|summary
lacnic|GT|asn|14754|1|20000101|allocated|opaque-1
lacnic|GT|asn|27929|1|20000101|allocated|opaque-2
lacnic|GT|asn|52286|1|20000101|allocated|opaque-3
lacnic|GT|ipv4|186.151.0.0|65536|20000101|allocated|opaque-1
lacnic|GT|ipv4|168.234.0.0|65536|20000101|allocated|opaque-3
lacnic|GT|ipv4|190.56.0.0|196608|20000101|allocated|opaque-4
lacnic||ipv4|200.0.0.0|256||available|
lacnic|GT|ipv6|2800:860:b0b::|48|20000101|allocated|opaque-5
"""
# RIPE NCC and APNIC records for networks seen in the recorded PeeringDB and pyasn data:
# Swisscom (AS3303, Zurich) and the WIDE project's 2001:200::/32 (AS2500, Japan); and two
# AFRINIC records of unallocated space, which the extended files mark with country "ZZ".
DELEGATED_OTHERS = """\
# records from several registries, comments first as in the real files
2.3|ripencc|20140513|2|19830705|20140512|+0200
ripencc|*|asn|*|1|summary
ripencc|CH|asn|3303|1|19940101|allocated|opaque-6
apnic|JP|ipv6|2001:200::|32|19990101|allocated|opaque-7
afrinic|ZZ|asn|8770|1||available|
afrinic|ZZ|ipv4|41.57.112.0|2048||reserved|
"""


def pfx2as_from_ipasn(ipasn: str) -> str:
    """Returns a CAIDA RouteViews prefix2as text (`prefix<TAB>length<TAB>AS`) holding every
    line of a pyasn IPASN table; 168.234.0.0/16 (AS52286, with AS27929's /24s inside it) is
    written as multi-origin `52286_27929` so the `a_b` form is exercised."""
    out: list[str] = []
    for line in ipasn.splitlines():
        if not line or line.startswith(";"):
            continue
        prefix, asn = line.split("\t")
        network, length = prefix.split("/")
        if prefix == "168.234.0.0/16":
            asn = f"{asn}_27929"
        out.append(f"{network}\t{length}\t{asn}")
    return "\n".join(out) + "\n"


def merged_pages(recorded: Path, kind: str) -> dict[str, object]:
    """Returns the two recorded beta API pages of one object type as one `{"data": [...]}`."""
    data: list[object] = []
    for page in (1, 2):
        document = json.loads((recorded / PDB_BETA.format(kind, page)).read_text())
        data.extend(document["data"])
    return {"data": data, "meta": {}}


def build_routing(recorded: Path, folder: Path) -> Path:
    """Writes pyasn tables, AS names, RIR statistics and RIPEstat answers into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(recorded / PYASN_V4, folder / "ipasn_20140513.dat")
    shutil.copyfile(recorded / PYASN_V6, folder / "ipasn6_20151101.dat")
    shutil.copyfile(recorded / ASNAMES, folder / "asnames.json")
    (folder / "delegated-lacnic-extended-20140513").write_text(DELEGATED_LACNIC)
    (folder / "delegated-others-extended-20140513").write_text(DELEGATED_OTHERS)
    ripestat = folder / "ripestat"
    ripestat.mkdir(exist_ok=True)
    for name, source in RIPESTAT.items():
        shutil.copyfile(recorded / source, ripestat / name)
    return folder


def build_peeringdb_2016(recorded: Path, folder: Path) -> Path:
    """Writes the 2016-10-19 PeeringDB ix/ixlan/ixpfx dumps as `peeringdb/*.json`."""
    pdb = folder / "peeringdb"
    pdb.mkdir(parents=True, exist_ok=True)
    for kind in ("ix", "ixlan", "ixpfx"):
        shutil.copyfile(recorded / PDB_2016.format(kind), pdb / f"{kind}.json")
    return folder


def build_peeringdb_beta(recorded: Path, folder: Path) -> Path:
    """Writes the 2026-04-16 beta API pages (page 1 + page 2 merged) as `peeringdb/*.json`."""
    pdb = folder / "peeringdb"
    pdb.mkdir(parents=True, exist_ok=True)
    for kind in ("ix", "ixlan", "ixpfx", "netixlan", "net"):
        (pdb / f"{kind}.json").write_text(json.dumps(merged_pages(recorded, kind)))
    return folder


@pytest.fixture
def routing_folder(recorded: Path, tmp_path: Path) -> Path:
    return build_routing(recorded, tmp_path / "routing")


@pytest.fixture
def pdb2016_folder(recorded: Path, tmp_path: Path) -> Path:
    return build_peeringdb_2016(recorded, tmp_path / "pdb2016")


@pytest.fixture
def beta_folder(recorded: Path, tmp_path: Path) -> Path:
    folder = build_peeringdb_beta(recorded, tmp_path / "beta")
    (folder / "snapshot.json").write_text('{"date": "2026-04-16"}')
    return folder


@pytest.fixture
def pfx2as_folder(recorded: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "caida"
    folder.mkdir()
    text = pfx2as_from_ipasn((recorded / PYASN_V4).read_text())
    (folder / "routeviews-rv2-20140513-1200.pfx2as").write_text(text)
    return folder


@pytest.fixture
def full_folder(recorded: Path, tmp_path: Path) -> Path:
    """Routing, RIR statistics, RIPEstat and the 2016 PeeringDB dump in one folder."""
    folder = build_routing(recorded, tmp_path / "full")
    return build_peeringdb_2016(recorded, folder)


@pytest.fixture
def full_beta_folder(recorded: Path, tmp_path: Path) -> Path:
    """Routing, RIR statistics, RIPEstat and the 2026 beta PeeringDB pages in one folder."""
    folder = build_routing(recorded, tmp_path / "full-beta")
    return build_peeringdb_beta(recorded, folder)
