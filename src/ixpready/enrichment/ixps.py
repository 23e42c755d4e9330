"""Which IXP peering LAN an address is on, and which member network answers there. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address

import radix

from ixpready.measurements.records import IPAddress
from ixpready.refdata.gazetteer import City, Gazetteer, gazetteer
from ixpready.refdata.snapshots import RegistrySnapshot


@dataclass(frozen=True, slots=True)
class IxpLan:
    """A peering LAN: its exchange, where the exchange is, and the LAN prefix."""

    ix_id: int
    name: str
    country: str
    city_name: str
    city: City | None  # the gazetteer's city, else a PeeringDB facility's coordinates
    prefix: str


def _facility_city(snapshot: RegistrySnapshot, city: str, country: str) -> City | None:
    """Returns a City at the coordinates of a PeeringDB facility in `city`, `country`."""
    wanted = city.strip().lower()
    for fac in snapshot.facilities:
        if (
            fac.country == country
            and fac.city.strip().lower() == wanted
            and fac.latitude is not None
            and fac.longitude is not None
        ):
            return City(f"fac:{fac.id}", fac.city, fac.country, fac.latitude, fac.longitude, True)
    return None


@dataclass(frozen=True, slots=True)
class IxpHit:
    """An address on a peering LAN, and the member that holds it (from netixlan), if known."""

    lan: IxpLan
    member_asn: int | None


class IxpIndex:
    """Which IXP peering LAN an address is on, from a PeeringDB snapshot. No I/O."""

    def __init__(self, snapshot: RegistrySnapshot, places: Gazetteer | None = None) -> None:
        places = places or gazetteer()
        self._tree = radix.Radix()
        self._lans: list[IxpLan] = []
        for entry in snapshot.ix_prefixes:
            ix = snapshot.ixs.get(entry.ix_id)
            if ix is None:
                continue
            lan = IxpLan(
                ix_id=ix.id,
                name=ix.name,
                country=ix.country,
                city_name=ix.city,
                city=(
                    places.city_named(ix.city, ix.country)
                    or _facility_city(snapshot, ix.city, ix.country)
                )
                if ix.city
                else None,
                prefix=entry.prefix,
            )
            self._tree.add(entry.prefix).data["lan"] = lan
            self._lans.append(lan)
        # every exchange, with or without a known peering-LAN prefix
        self._exchanges = {(ix.name, ix.country) for ix in snapshot.ixs.values()}
        self._members: dict[IPAddress, int] = {}
        for member in snapshot.ix_members:
            try:
                self._members[ip_address(member.address)] = member.asn
            except ValueError:
                continue

    @classmethod
    def from_peeringdb(cls, snapshot: RegistrySnapshot) -> IxpIndex:
        """Returns the index of a snapshot's PeeringDB exchanges."""
        return cls(snapshot)

    @property
    def lans(self) -> tuple[IxpLan, ...]:
        """Returns every indexed peering LAN."""
        return tuple(self._lans)

    def lan_of(self, address: IPAddress) -> IxpHit | None:
        """Returns the peering LAN the address is on and its member AS, or None."""
        node = self._tree.search_best(str(address))
        if node is None:
            return None
        return IxpHit(node.data["lan"], self._members.get(address))

    def exchanges_in(self, country: str) -> tuple[str, ...]:
        """Returns the names of the exchanges in a country, sorted (LAN prefix known or not)."""
        names = {lan.name for lan in self._lans if lan.country == country}
        names.update(name for name, cc in self._exchanges if cc == country)
        return tuple(sorted(names))
