"""The demo's readiness reference data (`ixpready readiness` on the demo): SIMULATED.

Adds to the demo's reference folder, after `demo.scenario` wrote it:

- `peeringdb/net.json`: each network's `policy_general`, `irr_as_set`, `info_ipv6`
  (simulated values; the networks and names are real public facts);
- `peeringdb/netfac.json`: presence at facilities (simulated; the facility ids are made up
  and not in `fac.json`, so the geolocation of the demo is unchanged);
- `peeringdb/poc.json`: how many contacts each network lists, as PeeringDB records whose
  name, e-mail and phone are empty (the demo invents no contact);
- `rpki/vrps-simulated-routinator-20261101.json`: validated ROA payloads in Routinator's JSON
  format, chosen to show each RFC 6811 outcome: all valid (Tigo, Columbus), a /16 ROA whose
  maxLength leaves the announced /20s invalid (Claro), an AS0 ROA making a prefix invalid,
  a MOAS prefix valid for one origin only, and networks without any ROA (not found).

Every file says `"note": "simulated"` (PeeringDB and Routinator ignore unknown keys).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# asn -> (policy_general, irr_as_set, info_ipv6, contacts): SIMULATED
_NET = {
    14754: ("Selective", "AS-TELGUA", False, 2),
    23243: ("Open", "AS-TIGOGT", True, 1),
    27929: ("Open", "", False, 1),
    52286: ("Selective", "AS-COLUMBUS-GT", True, 0),
    52362: ("Open", "", False, 0),
    264637: ("", "", False, 0),
    13682: ("Restrictive", "AS-TELEFONICA-GT", False, 1),
}
# asn -> facilities (id, name, city, country): SIMULATED
_NETFAC = {
    14754: ((9101, "Centro de datos Zona 4 (simulated)", "Guatemala City", "GT"),
            (9001, "Equinix MI1 - Miami (NAP of the Americas)", "Miami", "US")),
    23243: ((9101, "Centro de datos Zona 4 (simulated)", "Guatemala City", "GT"),),
    27929: ((9102, "Campus USAC (simulated)", "Guatemala City", "GT"),),
    52286: ((9001, "Equinix MI1 - Miami (NAP of the Americas)", "Miami", "US"),),
}  # fmt: skip
# (asn, prefix, maxLength): SIMULATED
_VRPS = (
    (14754, "186.151.0.0/16", 16),  # the announced /20s are longer than maxLength: invalid
    (23243, "181.174.64.0/22", 24),
    (23243, "181.174.68.0/22", 22),
    (23243, "181.189.128.0/24", 24),
    (23243, "2803:c800::/32", 48),
    (52286, "168.234.0.0/16", 16),
    (52286, "181.114.0.0/19", 24),
    (52286, "190.242.50.0/23", 23),
    (52286, "2803:ba00::/32", 32),
    (27929, "168.234.74.0/23", 24),  # a ROA for 27929's space: its /24s become valid
    (52362, "190.104.112.0/21", 21),
    (52362, "190.104.116.0/24", 24),  # the MOAS prefix: valid for 52362, invalid for 6487
    (0, "190.104.120.0/21", 21),  # AS0: nobody may originate it
)


def _dump(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def add_readiness_files(refdata: Path) -> None:
    """Adds the simulated readiness files to the demo's reference folder `refdata`."""
    pdb = refdata / "peeringdb"
    net_doc = json.loads((pdb / "net.json").read_text(encoding="utf-8"))
    net_ids: dict[int, int] = {}
    for row in net_doc["data"]:
        net_ids[int(row["asn"])] = int(row["id"])
        policy, as_set, ipv6, _contacts = _NET.get(int(row["asn"]), ("Open", "", True, 1))
        row.update(policy_general=policy, irr_as_set=as_set, info_ipv6=ipv6)
    net_doc["note"] = "simulated"
    _dump(pdb / "net.json", net_doc)
    netfac: list[dict[str, Any]] = []
    for asn, facilities in _NETFAC.items():
        for fac_id, name, city, country in facilities:
            netfac.append({
                "id": 97_000 + len(netfac), "net_id": net_ids[asn], "fac_id": fac_id,
                "local_asn": asn, "name": name, "city": city, "country": country,
                "status": "ok",
            })  # fmt: skip
    _dump(pdb / "netfac.json", {"data": netfac, "note": "simulated"})
    poc: list[dict[str, Any]] = []
    for asn, (_policy, _as_set, _ipv6, contacts) in _NET.items():
        for _ in range(contacts):
            poc.append({
                "id": 98_000 + len(poc), "net_id": net_ids[asn], "role": "Technical",
                "visible": "Public", "name": "", "phone": "", "email": "", "url": "",
                "status": "ok",
            })  # fmt: skip
    _dump(pdb / "poc.json", {"data": poc, "note": "simulated"})
    (refdata / "rpki").mkdir(exist_ok=True)
    _dump(
        refdata / "rpki" / "vrps-simulated-routinator-20261101.json",
        {
            "metadata": {"generated": 1793491200, "generatedTime": "2026-11-01T00:00:00Z"},
            "note": "simulated",
            "roas": [
                {"asn": f"AS{asn}", "prefix": prefix, "maxLength": max_length, "ta": "lacnic"}
                for asn, prefix, max_length in _VRPS
            ],
        },
    )
