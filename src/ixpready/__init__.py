"""ixpready: does a country's domestic Internet traffic leave the country, and who should
join a national Internet exchange point? The public API is listed in `__all__`.

    import ixpready
    refdata = ixpready.load_refdata("refdata/")
    analysis = ixpready.analyze(ixpready.read_results(["mesh.jsonl"]), country="GT",
                                refdata=refdata)

The functions and types come from `ixpready.api` (see docs/api.md), loaded on first use so
that `import ixpready` (and the CLI's start) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ixpready.errors import ExitCode, IxpreadyError

if TYPE_CHECKING:
    from ixpready.api import (
        AnalysisResult,
        DnsResult,
        Evidence,
        ModelResult,
        PathLike,
        PathVerdict,
        Probe,
        Progress,
        ReadOutcome,
        RegistrySnapshot,
        ReportFiles,
        ScenarioFiles,
        Trace,
        Verdict,
        analyze,
        load_analysis,
        load_model,
        load_refdata,
        read_dns,
        read_probes,
        read_rdns,
        read_results,
        run_model,
        save_analysis,
        save_model,
        write_demo_scenario,
        write_report,
    )

__version__ = "0.1.0"

__all__ = [
    "AnalysisResult",
    "DnsResult",
    "Evidence",
    "ExitCode",
    "IxpreadyError",
    "ModelResult",
    "PathLike",
    "PathVerdict",
    "Probe",
    "Progress",
    "ReadOutcome",
    "RegistrySnapshot",
    "ReportFiles",
    "ScenarioFiles",
    "Trace",
    "Verdict",
    "__version__",
    "analyze",
    "load_analysis",
    "load_model",
    "load_refdata",
    "read_dns",
    "read_probes",
    "read_rdns",
    "read_results",
    "run_model",
    "save_analysis",
    "save_model",
    "write_demo_scenario",
    "write_report",
]

_EAGER = frozenset({"ExitCode", "IxpreadyError", "__version__"})


def __getattr__(name: str) -> object:
    """Returns a name of the API from `ixpready.api`, importing it on first use."""
    if name in __all__ and name not in _EAGER:
        value: object = getattr(importlib.import_module("ixpready.api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ixpready' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
