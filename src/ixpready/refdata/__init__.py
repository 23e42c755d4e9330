"""Reference data, the layer every stage reads registries through: dated snapshots of public
registry files and one loader per format, no network (downloads are `sources.registries`,
wired by `pipeline.refdata`).

- `snapshots`: a reference-data folder as one dated `RegistrySnapshot` (pfx2as / pyasn
  ipasn, PeeringDB ix/ixlan/ixpfx/netixlan/net/fac/netfac, RIR delegated files, RIPEstat,
  CAIDA AS relationships and AS-nationality, AS names, PCH and other IXP lists);
- `readiness`: what the readiness scorecard reads besides (PeeringDB net/netfac/poc, VRPs,
  RIPEstat rpki-validation answers);
- `rpki`: the VRP exports of Routinator and rpki-client, RIPEstat rpki-validation answers;
- `members`: IXP member lists and per-AS user estimates, and the snapshot's ports by exchange;
- `gazetteer`: the packaged cities and countries (`Gazetteer`) and the great-circle distance;
- `dictionaries`: the router-name dictionaries (carrier conventions and codes, IATA metro
  codes, GeoNames, airports) and CAIDA Hoiho rules files; the rules reading names with them
  are `enrichment.geohint`'s;
- `packaged`: the one reader of the tables shipped in `refdata/data/*.csv`;
- `update`: `refdata update`'s plan: the folder's layout, staging and archiving a download,
  and what a folder holds (`refdata show`).

It imports only `measurements` (for `Malformed`) and the modules every layer may (`errors`,
`progress`); `tests/test_architecture.py` keeps it so.
"""
