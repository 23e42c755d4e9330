"""RIPE Atlas over the real `ripe.atlas.cousteau`: probes, measurement creation, results, credits.

cousteau sets no timeout and hides the HTTP status: every request here goes through a small
subclass of its request classes that adds `timeout` to `http_method_args` and keeps the
status code and `Retry-After`. Listings are paged here (following `next`) so each page has its
own timeout and retries. cousteau's `(False, body)` and `requests`' exceptions are translated
once, in `_call`, into `ixpready.errors`; messages name the URL path, never the key (it only
travels in the `Authorization` header cousteau builds).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
from ripe.atlas.cousteau import (
    AtlasCreateRequest,
    AtlasRequest,
    AtlasResultsRequest,
    Ping,
    Traceroute,
)
from ripe.atlas.cousteau import AtlasSource as ProbeSelection

from ixpready.config import NO_DEADLINE, NO_SECRET, Deadline, Secret, unsendable_key
from ixpready.errors import (
    AtlasAuthError,
    InputError,
    IxpreadyError,
    QuotaError,
    RateLimitedError,
    UnavailableError,
    UsageError,
)
from ixpready.measurements.probes import probe_from_api
from ixpready.measurements.records import Malformed, Probe
from ixpready.sources.exchange import exchange

log = logging.getLogger(__name__)

DEFAULT_SERVER = "atlas.ripe.net"
PAGE_SIZE = 500  # the API's largest page
# Every query parameter sent is one the RIPE Atlas API reference or manual documents
# (tests/sources/replay.py refuses any other): measurements listing: current_probes (reference,
# measurements_list), target, type, status (manual, listing-measurements), page_size; probes
# listing: country_code (reference, probes_list), page_size; results: start, stop, probe_ids.
MAX_BACKOFF_S = 60.0
_QUOTA_WORDS = ("credit", "quota", "limit", "per day", "daily", "concurrent", "spending")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failed request is tried again: `attempts` in all, waiting `backoff_s`
    before the second, doubling up to `MAX_BACKOFF_S` (a server's Retry-After wins if longer)."""

    attempts: int = 4
    backoff_s: float = 2.0

    def wait_s(self, attempt: int, retry_after_s: float | None) -> float:
        """Returns the seconds to wait after failed attempt number `attempt` (1-based)."""
        wait = min(self.backoff_s * 2.0 ** (attempt - 1), MAX_BACKOFF_S)
        if retry_after_s is not None:
            wait = max(wait, min(retry_after_s, MAX_BACKOFF_S))
        return wait


@dataclass(frozen=True, slots=True)
class ProbeListing:
    """The probes a listing returned, and the objects that could not be read."""

    probes: tuple[Probe, ...]
    malformed: tuple[Malformed, ...]


@dataclass(frozen=True, slots=True)
class TracerouteRequest:
    """One traceroute measurement to create: a target, an address family, the probes.

    `interval_s` and `stop` are mandatory when `is_oneoff` is False (never an open-ended
    spend); times are aware UTC, `start` None meaning as soon as possible.
    """

    target: str
    af: int
    probe_ids: tuple[int, ...]
    description: str
    protocol: str = "ICMP"
    packets: int = 3
    size: int = 48
    paris: int = 16
    is_oneoff: bool = True
    interval_s: int | None = None
    start: datetime | None = None
    stop: datetime | None = None


@dataclass(frozen=True, slots=True)
class MeasurementInfo:
    """What the API says about one measurement: its state and what a result costs."""

    msm_id: int
    status: str
    credits_per_result: float | None
    participant_count: int | None
    is_oneoff: bool | None
    start: datetime | None
    stop: datetime | None


@dataclass(frozen=True, slots=True)
class RawResult:
    """One result as received (re-serialised JSON, values unchanged) and its unique key."""

    msm_id: int
    prb_id: int
    timestamp: int
    raw: str


@dataclass(frozen=True, slots=True)
class ResultWindow:
    """The results of one time window [start, stop] of one measurement."""

    msm_id: int
    start: datetime
    stop: datetime
    results: tuple[RawResult, ...]
    malformed: tuple[Malformed, ...]


@dataclass(frozen=True, slots=True)
class PublicMeasurement:
    """A public traceroute measurement as the measurement listing describes it.

    `target_ip` is the address the API resolved (None when it has none); `target_asn` the
    API's origin AS of it, when it says.
    """

    msm_id: int
    af: int
    target: str
    target_ip: str | None
    target_asn: int | None
    description: str
    is_oneoff: bool
    interval_s: int | None
    start: datetime | None
    stop: datetime | None
    participant_count: int | None


@dataclass(frozen=True, slots=True)
class MeasurementListing:
    """The public traceroutes a listing returned, and the objects that could not be read."""

    measurements: tuple[PublicMeasurement, ...]
    malformed: tuple[Malformed, ...]


# ---------------------------------------------------------------------------------------------
# cousteau's request classes, with a timeout and the status kept


class _Kept:
    """Mixin: sends cousteau's request through `exchange` (the whole answer read before
    `deadline_at`) and keeps the HTTP status and Retry-After of the response."""

    status_code: int | None = None
    retry_after: str | None = None
    deadline_at: float = math.inf  # time.monotonic() instant; set by AtlasSource._prepare
    url: str
    http_method_args: dict[str, Any]

    def get_http_method(self, method: str) -> Any:
        response = exchange(method, self.url, deadline_at=self.deadline_at,
                            **self.http_method_args)  # fmt: skip
        self.status_code = int(response.status_code)
        self.retry_after = response.headers.get("Retry-After")
        return response


class _Get(_Kept, AtlasRequest):  # type: ignore[misc]
    pass


class _Create(_Kept, AtlasCreateRequest):  # type: ignore[misc]
    pass


class _Results(_Kept, AtlasResultsRequest):  # type: ignore[misc]
    pass


@dataclass(frozen=True, slots=True)
class _Failure:
    retriable: bool
    reason: str
    status: int | None
    detail: str


def _detail(body: Any) -> str:
    """Returns the API's own one-line explanation from an error body, if it has one."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            parts = [str(error.get("detail") or error.get("title") or "")]
            for item in error.get("errors") or ():
                if isinstance(item, dict) and item.get("detail"):
                    parts.append(str(item["detail"]))
            return "; ".join(p for p in parts if p)[:300]
        return str(error)[:300]
    if isinstance(body, str):
        return " ".join(body.split())[:120]
    return ""


def _failure(ok: bool, body: Any, status: int | None) -> _Failure | None:
    """Returns what went wrong with one attempt, or None when it succeeded."""
    if isinstance(body, tuple):  # cousteau returns a requests exception's args
        text = " ".join(str(arg) for arg in body)
        kind = "timed out" if "timed out" in text.lower() else "connection failed"
        return _Failure(True, f"no complete answer ({kind})", None, "")
    if ok and isinstance(body, str):
        return _Failure(True, "an answer that is not JSON (cut off?)", status, "")
    if ok:
        return None
    if status == 429:
        return _Failure(True, "rate-limited (HTTP 429)", status, _detail(body))
    if status is not None and status >= 500:
        return _Failure(True, f"a server error (HTTP {status})", status, _detail(body))
    return _Failure(False, f"HTTP {status}", status, _detail(body))


def _retry_after_s(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


class AtlasSource:
    """A RIPE Atlas API client: `server` is host[:port]; `verify` True or a CA file path.

    `timeout_s` bounds connecting and each read of every request, and `deadline` the whole
    job (a spent deadline raises UnavailableError); `retry` governs 429, 5xx, timeouts and
    cut-off answers. Every method raises AtlasAuthError (key refused),
    QuotaError (credits, daily results, concurrent measurements), UnavailableError (no answer
    after the retries) or UsageError (a request the API calls invalid).
    """

    def __init__(
        self,
        server: str = DEFAULT_SERVER,
        *,
        verify: bool | str = True,
        key: Secret = NO_SECRET,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        deadline: Deadline = NO_DEADLINE,
        sleep: Callable[[float], None] = time.sleep,
        request_deadline_s: float = 300.0,
    ) -> None:
        if not key.sendable():
            raise unsendable_key("the RIPE Atlas key given")
        self.request_deadline_s = request_deadline_s
        self.server = server
        self.verify = verify
        self._key = key
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self.deadline = deadline
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"AtlasSource(server={self.server!r}, key={self._key})"

    # -- the one place requests are made and failures translated ----------------------------

    def _prepare(self, request: Any) -> Any:
        timeout = self.deadline.timeout_s(self.timeout_s)
        request.http_method_args["timeout"] = (timeout, timeout)
        whole = min(self.request_deadline_s, self.deadline.remaining_s())
        request.deadline_at = time.monotonic() + whole
        return request

    def _call(
        self,
        make: Callable[[], Any],
        send: Callable[[Any], tuple[bool, Any]],
        what: str,
        *,
        retriable: bool = True,
        listing: bool = False,
    ) -> Any:
        """Returns the decoded body of a successful answer; see the class doc for errors.

        A listing (`listing`) the API does not know (HTTP 404) is the API's failure, not the
        user's: UnavailableError, where a missing measurement is a UsageError."""
        failure: _Failure | None = None
        attempts = 0
        for attempt in range(1, self.retry.attempts + 1):
            request = self._prepare(make())
            attempts = attempt
            ok, body = send(request)
            failure = _failure(ok, body, request.status_code)
            if failure is None:
                return body
            if not failure.retriable:
                if listing and failure.status == 404:
                    raise UnavailableError(
                        f"RIPE Atlas: {what} got HTTP 404 (no such listing)",
                        hint=f"check that atlas.server ({self.server}) is the RIPE Atlas API "
                        "and run the command again; work already done is kept",
                    )
                raise self._refusal(failure, what)
            if not retriable and failure.status != 429:
                break  # 429: refused, so nothing was done; anything else may have been
            if attempt < self.retry.attempts:
                wait = self.retry.wait_s(attempt, _retry_after_s(request.retry_after))
                if wait >= self.deadline.remaining_s():
                    break  # no time left to wait for another attempt
                log.info("RIPE Atlas: %s got %s; retrying in %.1f s", what, failure.reason, wait)
                self._sleep(wait)
        assert failure is not None
        if failure.status == 429:
            raise RateLimitedError(
                f"RIPE Atlas: {what} got {failure.reason}, tried {attempts} times; "
                "refused, so nothing was done",
                hint="wait a few minutes and run the command again; work already done is kept",
            )
        if not retriable:
            tries = "once (not retried: it may have been carried out)"
        elif attempts < self.retry.attempts:
            tries = f"{attempts} of {self.retry.attempts} times (the time budget ran out)"
        else:
            tries = f"{attempts} times"
        raise UnavailableError(
            f"RIPE Atlas: {what} got {failure.reason}, tried {tries}",
            hint=f"check that {self.server} is reachable, then run the command again; "
            "work already done is kept",
        )

    def _refusal(self, failure: _Failure, what: str) -> IxpreadyError:
        detail = f": {failure.detail}" if failure.detail else ""
        message = f"RIPE Atlas refused {what} ({failure.reason}){detail}"
        lowered = failure.detail.lower()
        if failure.status in (400, 401, 402, 403) and any(w in lowered for w in _QUOTA_WORDS):
            return QuotaError(
                message,
                hint="wait for the daily limit to reset, add credits, or shrink the plan "
                "(ixpready plan --budget); measurements already created are kept",
            )
        if failure.status in (401, 403):
            return AtlasAuthError(
                message,
                hint="set IXPREADY_ATLAS_KEY (or atlas.key_file) to a key allowed to "
                "create measurements and read results",
            )
        return UsageError(message, hint="check the plan or the measurement id")

    def _get(self, path: str, what: str, *, with_key: bool, listing: bool = False) -> Any:
        key = self._key.reveal() if with_key and self._key else None
        return self._call(
            lambda: _Get(url_path=path, server=self.server, verify=self.verify, key=key),
            lambda request: request.get(),
            what,
            listing=listing,
        )

    def _pages(
        self, path: str, what: str, *, with_key: bool = False, listing: bool = True
    ) -> Iterator[Any]:
        """Yields the `results` items of every page, following `next`."""
        page_path: str | None = path
        page = 0
        while page_path:
            page += 1
            body = self._get(page_path, f"{what} (page {page})", with_key=with_key,
                             listing=listing)  # fmt: skip
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise UnavailableError(
                    f"RIPE Atlas: {what} (page {page}) is not a listing page",
                    hint=f"check that atlas.server ({self.server}) is the RIPE Atlas API",
                )
            yield from body["results"]
            following = body.get("next")
            if following:
                parts = urlsplit(str(following))
                page_path = f"{parts.path}?{parts.query}" if parts.query else parts.path
            else:
                page_path = None

    # -- probes -----------------------------------------------------------------------------

    def list_probes(self, country: str, *, connected_only: bool = True) -> ProbeListing:
        """Returns the country's probes and anchors (only connected ones by default: chosen
        here, by each probe's status, with filters the API reference documents alone)."""
        query: dict[str, Any] = {"country_code": country.upper(), "page_size": PAGE_SIZE}
        path = f"/api/v2/probes/?{urlencode(sorted(query.items()))}"
        probes: list[Probe] = []
        malformed: list[Malformed] = []
        for index, item in enumerate(self._pages(path, f"the probe list of {country.upper()}")):
            where = f"atlas probes {country.upper()}[{index}]"
            if not isinstance(item, dict):
                malformed.append(Malformed(where, "a probe is not a JSON object", _dump(item)))
                continue
            try:
                probe = probe_from_api(item)
            except InputError as exc:
                malformed.append(Malformed(where, str(exc), _dump(item)))
                continue
            if not connected_only or probe.status == "Connected":
                probes.append(probe)
        return ProbeListing(tuple(probes), tuple(malformed))

    # -- measurements -----------------------------------------------------------------------

    def list_traceroutes(
        self, *, current_probe: int | None = None, target_ip: str | None = None
    ) -> MeasurementListing:
        """Returns the ongoing (status 2) public traceroutes a probe currently takes part in
        (`current_probe`), or aimed at an address (`target_ip`), every page followed.

        Only filters the API reference documents are sent (`LISTING_FILTERS`): an address is
        asked as the measurement's `target` (a mesh aimed at an anchor by its host name is
        not found that way; its probes' own listings may still show it).

        Non-public measurements and other types are left out; an object without a whole `id`
        or an `af` of 4 or 6 is returned as Malformed.
        """
        query: dict[str, Any] = {"type": "traceroute", "status": 2, "page_size": PAGE_SIZE}
        if current_probe is not None:
            query["current_probes"] = current_probe
            what = f"the traceroutes probe {current_probe} takes part in"
        elif target_ip is not None:
            query["target"] = target_ip
            what = f"the traceroutes to {target_ip}"
        else:
            raise UsageError("list_traceroutes needs a probe or a target address")
        path = f"/api/v2/measurements/?{urlencode(sorted(query.items()))}"
        found: list[PublicMeasurement] = []
        malformed: list[Malformed] = []
        for index, item in enumerate(self._pages(path, what, listing=True)):
            where = f"atlas measurements ({what})[{index}]"
            try:
                measurement = _public_measurement(item)
            except ValueError as exc:
                malformed.append(Malformed(where, str(exc), _dump(item)))
                continue
            if measurement is not None:
                found.append(measurement)
        return MeasurementListing(tuple(found), tuple(malformed))

    def create_traceroute(self, spec: TracerouteRequest) -> tuple[int, ...]:
        """Returns the ids of the measurements created (one per definition: one here).

        Not retried after a timeout or server error, where the measurement may exist: the
        caller records the attempt and asks before creating it again.
        """
        if not self._key:
            raise AtlasAuthError(
                "creating a RIPE Atlas measurement needs an API key",
                hint="set IXPREADY_ATLAS_KEY (or atlas.key_file) to a key with the "
                "'create a new user defined measurement' permission",
            )
        options: dict[str, Any] = {
            "af": spec.af,
            "target": spec.target,
            "description": spec.description,
            "protocol": spec.protocol,
            "packets": spec.packets,
            "size": spec.size,
            "paris": spec.paris,
        }
        if not spec.is_oneoff:
            if spec.interval_s is None or spec.stop is None:
                raise UsageError(
                    f"a periodic traceroute to {spec.target} needs an interval and a stop "
                    "time: without them it would spend credits for ever",
                    hint="plan it again with --periodic INTERVAL --until DATE",
                )
            options["interval"] = spec.interval_s
        selection = ProbeSelection(
            type="probes",
            value=",".join(str(p) for p in spec.probe_ids),
            requested=len(spec.probe_ids),
        )
        arguments: dict[str, Any] = {
            "server": self.server,
            "verify": self.verify,
            "key": self._key.reveal(),
            "measurements": [Traceroute(**options)],
            "sources": [selection],
            "is_oneoff": spec.is_oneoff,
        }
        if spec.start is not None:
            arguments["start_time"] = spec.start
        if spec.stop is not None:
            arguments["stop_time"] = spec.stop
        what = f"creating a traceroute to {spec.target} from {len(spec.probe_ids)} probes"
        body = self._call(lambda: _Create(**arguments), lambda r: r.create(), what, retriable=False)
        ids = body.get("measurements") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise UnavailableError(
                f"RIPE Atlas: {what} answered without measurement ids: {_detail(body)}",
                hint="check https://atlas.ripe.net/measurements/ for the description "
                f"'{spec.description}' before running again",
            )
        return tuple(ids)

    def measurement(self, msm_id: int) -> MeasurementInfo:
        """Returns the measurement's state and its cost per result (credits), read back."""
        body = self._get(f"/api/v2/measurements/{msm_id}/", f"measurement {msm_id}", with_key=True)
        if not isinstance(body, dict):
            raise UnavailableError(f"RIPE Atlas: measurement {msm_id} is not an object")
        status = body.get("status")
        name = status.get("name") if isinstance(status, dict) else status
        cost = body.get("credits_per_result")
        count = body.get("participant_count")
        return MeasurementInfo(
            msm_id=msm_id,
            status=str(name or "unknown"),
            credits_per_result=float(cost) if isinstance(cost, int | float) else None,
            participant_count=count if isinstance(count, int) else None,
            is_oneoff=body.get("is_oneoff") if isinstance(body.get("is_oneoff"), bool) else None,
            start=_time(body.get("start_time")),
            stop=_time(body.get("stop_time")),
        )

    # -- results ----------------------------------------------------------------------------

    def fetch_window(
        self, msm_id: int, start: datetime, stop: datetime, probe_ids: Sequence[int] = ()
    ) -> ResultWindow:
        """Returns the results of one measurement whose start time is in [start, stop].

        `probe_ids` limits them to those probes (all probes when empty).
        """
        key = self._key.reveal() if self._key else None
        probes = list(probe_ids) or None
        what = f"results of msm {msm_id} {start:%Y-%m-%dT%H:%M}..{stop:%Y-%m-%dT%H:%M}Z"
        body = self._call(
            lambda: _Results(
                msm_id=msm_id,
                start=start,
                stop=stop,
                probe_ids=probes,
                server=self.server,
                verify=self.verify,
                key=key,
            ),
            lambda request: request.create(),
            what,
        )
        if not isinstance(body, list):
            raise UnavailableError(
                f"RIPE Atlas: {what} is not a list of results: {_detail(body)}",
                hint=f"check that atlas.server ({self.server}) is the RIPE Atlas API",
            )
        results: list[RawResult] = []
        malformed: list[Malformed] = []
        for index, item in enumerate(body):
            raw = _dump(item)
            where = f"atlas msm {msm_id}, result {index}"
            try:
                results.append(_raw_result(item, raw))
            except ValueError as exc:
                malformed.append(Malformed(where, str(exc), raw))
        return ResultWindow(msm_id, start, stop, tuple(results), tuple(malformed))

    def fetch_results(
        self,
        msm_id: int,
        start: datetime,
        stop: datetime,
        window: timedelta = timedelta(days=1),
        probe_ids: Sequence[int] = (),
    ) -> Iterator[ResultWindow]:
        """Yields the results of [start, stop] one window at a time (oldest first)."""
        if window <= timedelta(0):
            raise UsageError("the fetch window must be longer than zero")
        begin = start
        while begin <= stop:
            end = min(begin + window, stop)
            yield self.fetch_window(msm_id, begin, end, probe_ids)
            if end >= stop:
                break
            begin = end + timedelta(seconds=1)


def _raw_result(item: Any, raw: str) -> RawResult:
    if not isinstance(item, dict):
        raise ValueError("a result is not a JSON object")
    values: dict[str, int] = {}
    for name in ("msm_id", "prb_id", "timestamp"):
        value = item.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"field '{name}' is missing or not a whole number")
        values[name] = value
    return RawResult(values["msm_id"], values["prb_id"], values["timestamp"], raw)


def _public_measurement(item: Any) -> PublicMeasurement | None:
    """Returns the listing's object as a public traceroute, None for another type or a
    non-public one; raises ValueError when it cannot be read."""
    if not isinstance(item, dict):
        raise ValueError("a measurement is not a JSON object")
    msm_id, af = item.get("id"), item.get("af")
    if isinstance(msm_id, bool) or not isinstance(msm_id, int):
        raise ValueError("field 'id' is missing or not a whole number")
    if af not in (4, 6):
        raise ValueError("field 'af' is missing or not 4 or 6")
    kind = item.get("type")
    kind = kind.get("name") if isinstance(kind, dict) else kind
    if kind != "traceroute" or item.get("is_public") is False:
        return None
    target_ip, target_asn = item.get("target_ip"), item.get("target_asn")
    interval, count = item.get("interval"), item.get("participant_count")
    return PublicMeasurement(
        msm_id=msm_id,
        af=int(af),
        target=str(item.get("target") or target_ip or ""),
        target_ip=target_ip if isinstance(target_ip, str) and target_ip else None,
        target_asn=target_asn if isinstance(target_asn, int) and target_asn > 0 else None,
        description=str(item.get("description") or ""),
        is_oneoff=item.get("is_oneoff") is True,
        interval_s=interval if isinstance(interval, int) and interval > 0 else None,
        start=_time(item.get("start_time")),
        stop=_time(item.get("stop_time")),
        participant_count=count if isinstance(count, int) else None,
    )


def _dump(item: Any) -> str:
    return orjson.dumps(item).decode()


def _time(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


# ---------------------------------------------------------------------------------------------
# Active geolocation (`ixpready locate`): probes near a place, one-off pings


def ping_credits_per_result(packets: int, size: int, is_oneoff: bool = True) -> int:
    """Returns the credits one ping result costs by RIPE Atlas' published rule:
    packets x (size // 1500 + 1), twice that for a one-off measurement (6 by default)."""
    cost = packets * (size // 1500 + 1)
    return cost * 2 if is_oneoff else cost


@dataclass(frozen=True, slots=True)
class PingRequest:
    """One one-off ping measurement to create: a target address, its family, the probes."""

    target: str
    af: int
    probe_ids: tuple[int, ...]
    description: str
    packets: int = 3
    size: int = 48


def probes_near_path(latitude: float, longitude: float, radius_km: int) -> str:
    """Returns the API path listing the connected probes within `radius_km` of a point."""
    query = {
        "radius": f"{latitude:.4f},{longitude:.4f}:{radius_km}",
        "status": 1,
        "page_size": PAGE_SIZE,
    }
    return f"/api/v2/probes/?{urlencode(sorted(query.items()))}"


def probes_near(
    source: AtlasSource, latitude: float, longitude: float, radius_km: int
) -> ProbeListing:
    """Returns the connected probes and anchors within `radius_km` of a point (every page).

    Raises the source's errors; objects that cannot be read come back as Malformed.
    """
    path = probes_near_path(latitude, longitude, radius_km)
    what = f"the probes within {radius_km} km of {latitude:.2f},{longitude:.2f}"
    probes: list[Probe] = []
    malformed: list[Malformed] = []
    for index, item in enumerate(source._pages(path, what)):
        where = f"atlas probes near {latitude:.2f},{longitude:.2f}[{index}]"
        if not isinstance(item, dict):
            malformed.append(Malformed(where, "a probe is not a JSON object", _dump(item)))
            continue
        try:
            probes.append(probe_from_api(item))
        except InputError as exc:
            malformed.append(Malformed(where, str(exc), _dump(item)))
    return ProbeListing(tuple(probes), tuple(malformed))


def create_ping(source: AtlasSource, spec: PingRequest) -> tuple[int, ...]:
    """Returns the ids of the one-off ping measurements created (one here).

    Like `AtlasSource.create_traceroute`, never retried after a timeout or server error,
    where the measurement may exist: the caller records the attempt first.
    """
    if not source._key:
        raise AtlasAuthError(
            "creating a RIPE Atlas measurement needs an API key",
            hint="set IXPREADY_ATLAS_KEY (or atlas.key_file) to a key with the "
            "'create a new user defined measurement' permission",
        )
    selection = ProbeSelection(
        type="probes", value=",".join(str(p) for p in spec.probe_ids), requested=len(spec.probe_ids)
    )
    measurement = Ping(
        af=spec.af,
        target=spec.target,
        description=spec.description,
        packets=spec.packets,
        size=spec.size,
    )
    arguments: dict[str, Any] = {
        "server": source.server,
        "verify": source.verify,
        "key": source._key.reveal(),
        "measurements": [measurement],
        "sources": [selection],
        "is_oneoff": True,
    }
    what = f"creating a ping to {spec.target} from {len(spec.probe_ids)} probes"
    body = source._call(lambda: _Create(**arguments), lambda r: r.create(), what, retriable=False)
    ids = body.get("measurements") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise UnavailableError(
            f"RIPE Atlas: {what} answered without measurement ids: {_detail(body)}",
            hint="check https://atlas.ripe.net/measurements/ for the description "
            f"'{spec.description}' before running again",
        )
    return tuple(ids)
