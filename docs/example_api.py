"""The library API in a notebook, on the SIMULATED Guatemala scenario of `ixpready demo`.

    python docs/example_api.py [FOLDER]      # default: a new temporary folder

Each `# %%` cell runs as a cell in Jupyter or VS Code. Everything is offline: the scenario
is written in RIPE Atlas formats, then read, analysed, modelled and reported through
`import ixpready` (docs/api.md). The `assert`s state what a reader should see; the tests run
this file (tests/test_api.py) and check its variables too.
"""

# %% 1. Data: the simulated scenario, written as real result and reference files
import sys
import tempfile
from collections import Counter
from pathlib import Path

import ixpready

folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="ixpready-"))
files = ixpready.write_demo_scenario(folder / "scenario")
print(f"scenario in {files.scenario.parent}: {[p.name for p in files.results]}")

# %% 2. Reference data, results, probe metadata, router names
refdata = ixpready.load_refdata(files.refdata)
results = ixpready.read_results(files.results)
probes = ixpready.read_probes(files.probes)
rdns = ixpready.read_rdns(files.rdns)
print(f"{len(results.traces)} traceroutes, {len(results.pings)} pings; quarantined:")
for bad in results.quarantined:
    print(f"  {bad.where}: {bad.reason}")
# nothing lost: every result line is a trace or a quarantined record
assert len(results.traces) == files.atlas_results + files.probe_results
assert len(results.quarantined) == files.malformed_lines

# %% 3. Analyse: a verdict, with its evidence, on every path
analysis = ixpready.analyze(
    results,
    country="GT",
    refdata=refdata,
    probes=probes,
    rdns=rdns,
    inputs=[p.name for p in files.results],
    simulated=True,
)
verdicts = Counter(path.verdict.value for path in analysis.paths)
print(f"{analysis.summary.domestic_paths} domestic paths: {dict(verdicts)}")
assert sum(verdicts.values()) == analysis.summary.domestic_paths == len(analysis.paths)
assert analysis.summary.quarantined == files.malformed_lines
tromboned = [p for p in analysis.paths if p.verdict is ixpready.Verdict.TROMBONED]
assert tromboned, "the scenario's domestic paths detour through Miami"
worst = max(tromboned, key=lambda p: p.extra_rtt_ms or 0.0)
print(f"worst detour: AS{worst.src_asn} -> AS{worst.dst_asn} via {worst.foreign_cities}, "
      f"+{worst.extra_rtt_ms:.0f} ms; {worst.reason}")
for fact in worst.evidence[:5]:
    print(f"  {fact.fact}")
# every tromboned path names where it went abroad and the facts that say so
assert all(p.foreign_countries and p.evidence for p in tromboned)
# a probe whose own RTTs contradict the place its host declared is set aside, not trusted
contradicted = [check.prb_id for check in analysis.probes if check.status == "contradicted"]
print(f"probes contradicted by their RTTs: {contradicted}")
assert contradicted

# %% 4. Model: who should join a national IXP, and what it would change
model = ixpready.run_model(analysis, refdata=files.refdata, k=5)
for candidate in model.candidates[:3]:
    print(f"#{candidate.rank} AS{candidate.asn} {candidate.name}: "
          f"{candidate.kept_local_pairs} pairs kept local. {candidate.explanation.text_en}")
founding = next(s for s in model.scenarios if s.name == "founding_set")
print(f"with the founding set, {founding.pairs_local_after} of {founding.pairs} pairs stay "
      f"in GT (now {founding.pairs_local_before})")
assert model.simulated and model.founding_set.picks
assert founding.pairs_local_after > founding.pairs_local_before

# %% 5. Report: HTML and PDF in Spanish and English, with CSV/JSON exports
report = ixpready.write_report(
    analysis,
    model=model,
    out_dir=folder / "report",
    dns=ixpready.read_dns(files.dns),
    refdata=refdata,
)
print(report.as_text())
assert {p.name for p in report.html} == {"report.es.html", "report.en.html"}

# %% 6. Save for the command line (`ixpready report analysis.json --model model.json`)
saved = ixpready.save_analysis(analysis, folder / "analysis.json")
ixpready.save_model(model, folder / "model.json")
assert ixpready.load_analysis(saved).paths == analysis.paths
