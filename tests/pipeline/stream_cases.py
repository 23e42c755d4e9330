"""The analyses the streaming tests compare: the demo scenario and every recorded fixture
(../shared/fixtures) analysed with the recorded reference data, one file at a time and all
together (traceroutes, pings and DNS results, with recorded probe metadata)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.test_every_fixture_loads import REFDATA_NAMES, RESULT_FOLDERS

from ixpready.demo.scenario import write_scenario


@dataclass(frozen=True)
class Case:
    name: str
    results: tuple[Path, ...]
    country: str
    refdata: Path
    probes: Path | None = None
    rdns: Path | None = None


def recorded_refdata(recorded: Path, folder: Path) -> Path:
    """Returns a reference-data folder made of every recorded reference file."""
    if not folder.is_dir():
        for source, name in REFDATA_NAMES.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(recorded / source, folder / name)
        shutil.copytree(recorded / "routing/ripestat", folder / "ripestat")
    return folder


def cases(recorded: Path, tmp: Path) -> list[Case]:
    """Returns the demo and one case per recorded result file, plus all of them at once."""
    demo = write_scenario(tmp / "demo", seed=2026)
    found = [
        Case("demo", tuple(demo.results), "GT", demo.refdata, demo.probes, demo.rdns),
    ]
    refdata = recorded_refdata(recorded, tmp / "refdata")
    every: list[Path] = []
    for folder in RESULT_FOLDERS:
        for path in sorted((recorded / folder).iterdir()):
            every.append(path)
            country = "MX" if "mexico" in path.name else "GT"
            found.append(Case(f"{folder}/{path.name}", (path,), country, refdata))
    probes = recorded / "atlas-probes/lacnic-simon-ripeatlasprobe-fixture-latam.json"
    found.append(Case("every-fixture", tuple(every), "GT", refdata, probes))
    return found
