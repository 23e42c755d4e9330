"""The reference tables shipped inside the package (`ixpready/refdata/data/*.csv`) and their one
reader. Each file starts with `#` comment lines saying what its columns mean and where its
rows come from; then a CSV header and the rows.

- `cities.csv`, `countries.csv`: the gazetteer (`refdata.gazetteer`);
- `carriers.csv`, `carrier_codes.csv`, `iata_metro.csv`: the router-name dictionaries
  (`refdata.dictionaries`).
"""

from __future__ import annotations

import csv
from importlib import resources

TABLES = ("cities.csv", "countries.csv", "carriers.csv", "carrier_codes.csv", "iata_metro.csv")


def packaged_rows(name: str) -> list[dict[str, str]]:
    """Returns the rows of packaged table `name` (one of `TABLES`), without comments and blank
    lines."""
    if name not in TABLES:
        raise ValueError(f"{name!r} is not a packaged reference table (one of {', '.join(TABLES)})")
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))
