"""Longest-prefix match on a radix tree: address -> origin AS(es), address/AS -> registry country.

Built once from a `RegistrySnapshot`; lookups never touch the network. The radix tree
(`py-radix`, a C implementation) answers in O(prefix length), not by scanning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import radix

from ixpready.measurements.records import IPAddress
from ixpready.refdata.snapshots import RegistrySnapshot, RoutedPrefix, RoutedPrefixes


@dataclass(frozen=True, slots=True)
class Origin:
    """The most specific routed prefix covering an address, and who originates it."""

    prefix: str
    asns: tuple[int, ...]

    @property
    def asn(self) -> int:
        """Returns the first (or only) origin AS."""
        return self.asns[0]


class PrefixTable:
    """Which AS originates the most specific prefix covering an address. No I/O."""

    def __init__(self, routed: Iterable[RoutedPrefix]) -> None:
        self._tree = radix.Radix()
        self._count = 0
        pairs: Iterator[tuple[str, tuple[int, ...]]] = (
            routed.pairs()
            if isinstance(routed, RoutedPrefixes)
            else ((entry.prefix, entry.origins) for entry in routed)
        )
        add = self._tree.add
        count = 0
        for prefix, origins in pairs:
            data = add(prefix).data
            count += 1
            previous: tuple[int, ...] | None = data.get("asns")
            if previous is None:
                data["asns"] = origins
            elif previous != origins:  # the prefix seen again: add new origins after the first
                data["asns"] = previous + tuple(a for a in origins if a not in previous)
        self._count = count

    @classmethod
    def from_snapshot(cls, snapshot: RegistrySnapshot) -> PrefixTable:
        """Returns the table of a snapshot's routed prefixes."""
        return cls(snapshot.routed)

    def __len__(self) -> int:
        return self._count

    def origin(self, address: IPAddress) -> Origin | None:
        """Returns the most specific covering prefix and its origin AS(es), or None."""
        node = self._tree.search_best(str(address))
        if node is None:
            return None
        return Origin(node.prefix, node.data["asns"])


class RegistryCountries:
    """Registry country (RIR delegated stats) of address blocks and ASNs: the weakest hint,
    since it names where the holder registered, not where a router stands."""

    def __init__(self, blocks: Iterable[tuple[str, str]], asns: dict[int, str]) -> None:
        self._tree = radix.Radix()
        for prefix, country in blocks:
            self._tree.add(prefix).data["cc"] = country
        self._asns = dict(asns)

    @classmethod
    def from_snapshot(cls, snapshot: RegistrySnapshot) -> RegistryCountries:
        """Returns the lookup of a snapshot's RIR records."""
        return cls(snapshot.block_countries, snapshot.asn_countries)

    def of_address(self, address: IPAddress) -> str | None:
        """Returns the country the address block is registered in, or None."""
        node = self._tree.search_best(str(address))
        return None if node is None else str(node.data["cc"])

    def of_asn(self, asn: int) -> str | None:
        """Returns the country the AS is registered in, or None."""
        return self._asns.get(asn)
