"""PeeringDB, RIPEstat and RIR statistics over HTTPS: the raw reference data, as published.

Every request has a timeout and is retried with backoff on 429, 5xx, timeouts and cut-off
answers; failures become `UnavailableError` (one line naming the URL, with a hint). Nothing
here interprets the data beyond checking its shape: `pipeline.refdata` stores it, and
`refdata.snapshots` reads it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import requests

from ixpready.config import NO_DEADLINE, Deadline
from ixpready.errors import UnavailableError
from ixpready.sources.exchange import exchange

log = logging.getLogger(__name__)

PEERINGDB_TYPES = ("ix", "ixlan", "ixpfx", "netixlan", "net", "fac", "netfac")
READINESS_PEERINGDB_TYPES = ("poc",)  # for `readiness`: contact counts (netfac is above)
RIRS = ("afrinic", "apnic", "arin", "lacnic", "ripencc")
MAX_BACKOFF_S = 60.0
USER_AGENT = "ixpready"


@dataclass(frozen=True, slots=True)
class CountryResources:
    """The networks a country's registries list (RIPEstat country-resource-list)."""

    country: str
    query_time: str
    asns: tuple[int, ...]
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exchange:
    """An IXP PeeringDB places in the country."""

    ix_id: int
    name: str
    city: str
    members: int


def _no_connection(exc: requests.ConnectionError) -> str | None:
    """Returns why no connection could be opened at all (name not resolved, refused,
    unreachable), or None when one was opened and then broke (worth a retry)."""
    from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

    cause = exc.args[0] if exc.args else None
    if isinstance(cause, MaxRetryError):
        cause = cause.reason
    if isinstance(cause, NameResolutionError):
        return "the host name does not resolve"
    if isinstance(cause, NewConnectionError):
        return "no connection could be opened"
    return None


class RegistryClient:
    """Reads the registries at the configured base URLs (`verify`: True or a CA file path)."""

    def __init__(
        self,
        *,
        peeringdb_url: str = "https://www.peeringdb.com",
        ripestat_url: str = "https://stat.ripe.net",
        rir_stats_url: str = "https://ftp.ripe.net/pub/stats",
        verify: bool | str = True,
        timeout_s: float = 60.0,
        attempts: int = 4,
        backoff_s: float = 2.0,
        deadline: Deadline = NO_DEADLINE,
        sleep: Callable[[float], None] = time.sleep,
        request_deadline_s: float = 300.0,
    ) -> None:
        self.request_deadline_s = request_deadline_s
        self.peeringdb_url = peeringdb_url.rstrip("/")
        self.ripestat_url = ripestat_url.rstrip("/")
        self.rir_stats_url = rir_stats_url.rstrip("/")
        self.verify = verify
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.deadline = deadline
        self._sleep = sleep

    def _get(self, url: str, params: dict[str, str] | None = None) -> bytes:
        """Returns the body of a successful GET; raises UnavailableError after the retries."""
        reason = ""
        for attempt in range(1, self.attempts + 1):
            retry_after: float | None = None
            timeout = self.deadline.timeout_s(self.timeout_s)
            try:
                whole = min(self.request_deadline_s, self.deadline.remaining_s())
                response = exchange(  # a session per request: nothing left open
                    "GET", url, deadline_at=time.monotonic() + whole, params=params,
                    timeout=(timeout, timeout), verify=self.verify,
                    headers={"User-Agent": USER_AGENT},
                )  # fmt: skip
                body = response.content
            except requests.Timeout:
                reason = "no complete answer (timed out)"
            except requests.ConnectionError as exc:
                refused = _no_connection(exc)
                if refused is not None:  # offline, no DNS, nothing listening: retrying won't help
                    raise UnavailableError(
                        f"{url}: cannot connect ({refused})",
                        hint="no network connection? check it (or the proxy settings), "
                        "then run the command again",
                    ) from None
                reason = f"no complete answer ({type(exc).__name__})"
            except requests.RequestException as exc:
                reason = f"no complete answer ({type(exc).__name__})"
            else:
                if response.ok:
                    return body
                reason = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    raise UnavailableError(
                        f"{url} answered {reason}",
                        hint="check the registries.* URLs in the config",
                    )
                header = response.headers.get("Retry-After")
                retry_after = float(header) if header and header.isdigit() else None
            if attempt < self.attempts:
                wait = min(self.backoff_s * 2.0 ** (attempt - 1), MAX_BACKOFF_S)
                wait = max(wait, min(retry_after or 0.0, MAX_BACKOFF_S))
                if wait >= self.deadline.remaining_s():
                    break
                log.info("%s: %s; retrying in %.1f s", url, reason, wait)
                self._sleep(wait)
        raise UnavailableError(
            f"{url} gave {reason}, tried {attempt} times",
            hint="check the network, then run the command again",
        )

    def _json(self, url: str, params: dict[str, str] | None = None) -> Any:
        body = self._get(url, params)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise UnavailableError(
                f"{url} answered something that is not JSON",
                hint="run the command again later",
            ) from None

    # -- RIPEstat -------------------------------------------------------------------------

    def country_resources(self, country: str) -> CountryResources:
        """Returns the ASNs and address blocks registered to a country (RIPEstat)."""
        url = f"{self.ripestat_url}/data/country-resource-list/data.json"
        document = self._json(url, {"resource": country.upper(), "v4_format": "prefix"})
        data = document.get("data") if isinstance(document, dict) else None
        resources = data.get("resources") if isinstance(data, dict) else None
        if not isinstance(resources, dict):
            raise UnavailableError(f"{url}: the answer has no data.resources")
        asns = tuple(sorted({int(a) for a in resources.get("asn") or () if str(a).isdigit()}))
        return CountryResources(
            country=country.upper(),
            query_time=str(data.get("query_time") or "") if isinstance(data, dict) else "",
            asns=asns,
            ipv4=tuple(str(p) for p in resources.get("ipv4") or ()),
            ipv6=tuple(str(p) for p in resources.get("ipv6") or ()),
        )

    def announced_prefixes(self, asn: int) -> tuple[str, ...]:
        """Returns the prefixes RIPE RIS sees `asn` announce now (RIPEstat)."""
        url = f"{self.ripestat_url}/data/announced-prefixes/data.json"
        document = self._json(url, {"resource": f"AS{asn}"})
        data = document.get("data") if isinstance(document, dict) else None
        prefixes = data.get("prefixes") if isinstance(data, dict) else None
        if not isinstance(prefixes, list):
            raise UnavailableError(f"{url} (AS{asn}): the answer has no data.prefixes")
        return tuple(
            str(p["prefix"]) for p in prefixes if isinstance(p, dict) and p.get("prefix")
        )

    def rpki_validation(self, asn: int, prefix: str) -> bytes:
        """Returns RIPEstat's rpki-validation answer for one route, as sent."""
        url = f"{self.ripestat_url}/data/rpki-validation/data.json"
        body = self._get(url, {"resource": f"AS{asn}", "prefix": prefix})
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise UnavailableError(f"{url} answered something that is not JSON") from None
        data = document.get("data") if isinstance(document, dict) else None
        if not isinstance(data, dict) or "status" not in data:
            raise UnavailableError(f"{url} (AS{asn} {prefix}): the answer has no data.status")
        return body

    def vrp_export(self, url: str) -> bytes:
        """Returns an RPKI validator's JSON export of validated ROA payloads, as sent."""
        body = self._get(url)
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise UnavailableError(
                f"{url} answered something that is not JSON",
                hint="point registries.rpki_vrps_url at the validator's JSON export",
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("roas"), list):
            raise UnavailableError(
                f"{url}: the answer has no 'roas' list",
                hint="point registries.rpki_vrps_url at the validator's JSON export",
            )
        return body

    # -- PeeringDB ------------------------------------------------------------------------

    def peeringdb(self, kind: str) -> bytes:
        """Returns one PeeringDB object type as the API sends it (`{"data": [...], ...}`)."""
        if kind not in PEERINGDB_TYPES + READINESS_PEERINGDB_TYPES:
            raise ValueError(f"not a PeeringDB type ixpready uses: {kind}")
        url = f"{self.peeringdb_url}/api/{kind}"
        body = self._get(url, {"depth": "0"})
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise UnavailableError(f"{url} answered something that is not JSON") from None
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise UnavailableError(f"{url}: the answer has no 'data' list")
        return body

    def exchanges(self, country: str) -> tuple[Exchange, ...]:
        """Returns the IXPs PeeringDB lists in the country."""
        url = f"{self.peeringdb_url}/api/ix"
        document = self._json(url, {"country": country.upper()})
        rows = document.get("data") if isinstance(document, dict) else None
        if not isinstance(rows, list):
            raise UnavailableError(f"{url}: the answer has no 'data' list")
        return tuple(
            Exchange(
                ix_id=int(row["id"]),
                name=str(row.get("name") or ""),
                city=str(row.get("city") or ""),
                members=int(row.get("net_count") or 0),
            )
            for row in rows
            if isinstance(row, dict) and isinstance(row.get("id"), int)
        )

    # -- RIR statistics -------------------------------------------------------------------

    def delegated_extended(self, rir: str) -> bytes:
        """Returns the RIR's latest delegated-extended statistics file, as published."""
        if rir not in RIRS:
            raise ValueError(f"not a RIR: {rir}")
        url = f"{self.rir_stats_url}/{rir}/delegated-{rir}-extended-latest"
        body = self._get(url)
        if b"|" not in body[:4096]:
            raise UnavailableError(f"{url}: not a delegated statistics file")
        return body
