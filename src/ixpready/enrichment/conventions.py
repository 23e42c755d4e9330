"""Naming conventions not packaged with ixpready, learned from the router names and RTTs of
the data at hand (Hoiho's method, CAIDA CoNEXT 2021). Like the rules of CAIDA's published Hoiho
rules file (`refdata.dictionaries.load_hoiho_rules`), they are `Convention`s that
`geohint.read_name` tries after the carriers'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ixpready.enrichment.geohint import (
    _RUNS,
    _SECOND_LEVEL,
    _STOP,
    _clean,
    _host_labels,
    _read,
)
from ixpready.refdata.dictionaries import Convention, dictionaries
from ixpready.refdata.gazetteer import distance_km


def registered_suffix(name: str) -> str:
    """Returns the registered domain of a name (`ae-1.r21.miamfl02.us.bb.gin.ntt.net` -> `ntt.net`)."""
    labels = _clean(name).split(".")
    keep = 2
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        keep = 3
    return ".".join(labels[-keep:])


# Shapes a learned rule may take: the place is the whole run of letters at one position,
# counted from the right among the host labels (`mia` in `xe-1.mia2.example.net`).
_LEARN_KINDS = ("iata", "clli", "city", "locode")


def learn_conventions(
    observations: Mapping[str, Sequence[tuple[float, float, float]]],
    *,
    slack_km: float = 25.0,
    min_routers: int = 3,
) -> tuple[Convention, ...]:
    """Returns conventions learned per domain suffix from names and speed-of-light discs.

    `observations` maps a router name to the discs it was seen in: (latitude, longitude,
    radius km) of each vantage whose reply bounds where the router can be. For each suffix
    and each candidate rule (which host label, counted from the right, holds the place, and
    in which dictionary), the rule is kept only when it places at least `min_routers`
    routers and the discs of every router it places contain the place read (within
    `slack_km`): one contradiction drops it (Hoiho). Of the rules kept, the one placing the
    most routers wins for its suffix.
    """
    places = dictionaries()
    by_suffix: dict[str, list[str]] = {}
    for name in observations:
        by_suffix.setdefault(registered_suffix(name), []).append(name)
    learned: list[Convention] = []
    for suffix, names in sorted(by_suffix.items()):
        best: tuple[int, Convention] | None = None
        for position in range(1, 4):
            for kind in _LEARN_KINDS:
                placed, contradicted = 0, False
                for name in names:
                    code = _label_run(name, position)
                    if code is None or code in _STOP:
                        continue
                    found = _read(places, kind, code, "")
                    if not found:
                        continue
                    city = found[0]
                    for lat, lon, radius in observations[name]:
                        if distance_km(lat, lon, city.latitude, city.longitude) - slack_km > radius:
                            contradicted = True
                            break
                    if contradicted:
                        break
                    placed += 1
                if contradicted or placed < min_routers:
                    continue
                if best is None or placed > best[0]:
                    pattern = _position_pattern(suffix, position)
                    best = (placed, Convention(suffix, suffix, pattern, kind, (),
                                               f"learned from {placed} routers' names and RTTs",
                                               "learned"))  # fmt: skip
        if best is not None:
            learned.append(best[1])
    return tuple(learned)


def _label_run(name: str, position: int) -> str | None:
    labels = _host_labels(_clean(name))
    if len(labels) < position:
        return None
    runs = _RUNS.findall(labels[-position])
    return runs[0] if len(runs) == 1 or (runs and runs[0] not in _STOP) else None


def _position_pattern(suffix: str, position: int) -> re.Pattern[str]:
    tail = r"\.[a-z0-9-]+" * (position - 1)
    return re.compile(
        rf"(?:^|\.)(?P<code>[a-z]+)[0-9]*(?:-[a-z0-9-]*)?{tail}\.{re.escape(suffix)}$"
    )
