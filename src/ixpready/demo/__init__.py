"""The SIMULATED Guatemala scenario of `ixpready demo` (see docs/demo.md): `scenario` writes
RIPE Atlas results, DNS results, a probe page, a reverse-DNS cache and a dated reference-data
folder; `readiness` adds the scorecard's reference files. It is a data generator only: it
imports no other ixpready layer, and `pipeline.demo` runs the real pipeline on what it writes."""
