"""Route origin validation (RFC 6811) of announced prefixes against validated ROA payloads.

The VRPs come from `refdata.rpki` (Routinator and rpki-client exports):

- Routinator `json` / `jsonext` (`routinator vrps -f json`, or its HTTP `/json` endpoint):
  `{"metadata": {"generatedTime": ...}?, "roas": [{"asn": "AS64496", "prefix": "192.0.2.0/24",
  "maxLength": 24, "ta": "ripe"}]}` (`jsonext` has `source` instead of `ta`);
- rpki-client `json` (`/var/db/rpki-client/json`): `{"metadata": {"buildtime": ...},
  "roas": [{"asn": 64496, "prefix": ..., "maxLength": ..., "ta": ..., "expires": ...}], ...}`;
  older versions write the ASN as "AS64496", newer ones as a number.

The validation follows RFC 6811 section 2: a VRP *covers* a route when its prefix contains the
route's prefix; a covering VRP *matches* when its ASN is the route's origin and the route is no
longer than the VRP's maxLength. A VRP for AS0 (RFC 6483 section 4, RFC 7607) matches nothing,
so it makes every route it covers invalid unless another VRP matches. Valid: some covering VRP
matches; invalid: covered, none matches; not found: no VRP covers it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ixpready.refdata.rpki import Validity, Vrp


@dataclass(frozen=True, slots=True)
class RouteValidity:
    """The outcome for one route, with the VRPs that covered it."""

    prefix: str
    origin: int
    validity: Validity
    covering: tuple[Vrp, ...]


class OriginValidator:
    """Answers RFC 6811 questions over a set of VRPs, indexed by prefix length."""

    def __init__(self, vrps: Iterable[Vrp]) -> None:
        # (version, prefix length) -> network address as int -> VRPs with that prefix
        self._index: dict[tuple[int, int], dict[int, list[Vrp]]] = {}
        self._lengths: dict[int, list[int]] = {4: [], 6: []}
        count = 0
        for vrp in vrps:
            network = ipaddress.ip_network(vrp.prefix)
            key = (network.version, network.prefixlen)
            bucket = self._index.setdefault(key, {})
            bucket.setdefault(int(network.network_address), []).append(vrp)
            count += 1
        for version, length in self._index:
            self._lengths[version].append(length)
        for lengths in self._lengths.values():
            lengths.sort()
        self.size = count

    def covering(self, prefix: str) -> tuple[Vrp, ...]:
        """Returns the VRPs whose prefix contains `prefix` (shortest VRP prefix first)."""
        network = ipaddress.ip_network(prefix, strict=False)
        bits = network.max_prefixlen
        address = int(network.network_address)
        found: list[Vrp] = []
        for length in self._lengths[network.version]:
            if length > network.prefixlen:
                break
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            found.extend(self._index[(network.version, length)].get(address & mask, ()))
        return tuple(found)

    def validate(self, prefix: str, origin: int) -> RouteValidity:
        """Returns the RFC 6811 validity of `prefix` announced by `origin`."""
        network = ipaddress.ip_network(prefix, strict=False)
        covering = self.covering(str(network))
        if not covering:
            return RouteValidity(str(network), origin, Validity.NOT_FOUND, ())
        matched = any(
            vrp.asn != 0 and vrp.asn == origin and network.prefixlen <= vrp.max_length
            for vrp in covering
        )
        return RouteValidity(
            str(network), origin, Validity.VALID if matched else Validity.INVALID, covering
        )


def validate_all(
    validator: OriginValidator, routes: Iterable[tuple[str, int]]
) -> Iterator[RouteValidity]:
    """Yields the validity of each (prefix, origin) route, in order."""
    for prefix, origin in routes:
        yield validator.validate(prefix, origin)
