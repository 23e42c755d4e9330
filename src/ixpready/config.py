"""Settings and where they come from: flag, then IXPREADY_* variable, then file, then default.

`load_settings(path, environ)` runs once at startup, never at import. Every key is declared once,
as a field of its section's frozen dataclass below (default, reader, help), and listed in
`config.example.toml` (same sections and names). A bad value raises `ConfigError` naming the
file (or variable), the key, the value and the form expected. Keys are `Secret`s: they print as
stars and are revealed only where a request is built.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import ssl
import stat
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any, TypeVar

from ixpready.errors import ConfigError, UnavailableError

log = logging.getLogger(__name__)

ENV_PREFIX = "IXPREADY_"


@dataclass(frozen=True)
class Secret:
    """An API key. Prints as stars; reveal() only where the request is built."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """Returns the key itself; call it only where the request is built."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __str__(self) -> str:
        return "****" if self._value else "(not set)"

    def __repr__(self) -> str:
        return f"Secret({self})"

    def sendable(self) -> bool:
        """Returns True when the key can travel in an HTTP header: printable ASCII, no spaces
        (a pasted curly quote or a line break cannot, and would otherwise surface, key and
        all, in an encoding error)."""
        return all("!" <= character <= "~" for character in self._value)


NO_SECRET = Secret("")


@dataclass(frozen=True)
class Deadline:
    """A job's time budget: every request's timeout is capped by what is left of it."""

    expires_at: float  # time.monotonic() seconds; inf: no budget

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """Returns a deadline `seconds` from now (None: never)."""
        return cls(float("inf") if seconds is None else time.monotonic() + seconds)

    def remaining_s(self) -> float:
        """Returns the seconds left (may be negative once spent)."""
        return self.expires_at - time.monotonic()

    def timeout_s(self, cap: float) -> float:
        """Returns the timeout for the next request: `cap`, or less when the budget is short.

        Raises UnavailableError when the budget is spent; finished work stays stored.
        """
        left = self.remaining_s()
        if left <= 0:
            raise UnavailableError(
                "the job's time budget (time_budget_s) is spent",
                hint="run the command again: work already done is kept and resumed",
            )
        return min(cap, left)


NO_DEADLINE = Deadline(float("inf"))

ALL_RIRS: tuple[str, ...] = ("afrinic", "apnic", "arin", "lacnic", "ripencc")
ROUND_PERIODS = ("month", "week", "day", "1h", "2h", "3h", "4h", "6h", "8h", "12h")


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event drawn on the trend (`[[events]] date = "2027-03-01" label = "IXP opened"`)."""

    day: date
    label: str


# ---------------------------------------------------------------------------------------------
# Value readers: each takes the raw value and returns the typed one, or raises ValueError
# with the expected form.


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a non-empty string")
    return value.strip()


def is_country_code(text: str) -> bool:
    """Returns True when `text` is an ISO 3166-1 alpha-2 code of a country (any case)."""
    import pycountry

    return len(text) == 2 and text.isalpha() and pycountry.countries.get(alpha_2=text.upper()) is not None


def _country(value: Any) -> str:
    text = _text(value) if isinstance(value, str) else ""
    if not is_country_code(text):
        raise ValueError("an ISO 3166 alpha-2 country code such as GT")
    return text.upper()


def _path(value: Any) -> Path:
    return Path(os.path.expanduser(_text(value)))


def _server(value: Any) -> str:
    text = _text(value)
    if "://" in text or "/" in text or " " in text:
        raise ValueError("host or host:port, without https:// or a path")
    return text


def _url(value: Any) -> str:
    text = _text(value)
    if not text.startswith("https://"):
        raise ValueError("an https:// URL")
    return text.rstrip("/")


def _vrp_source(value: Any) -> str:
    """An http(s) URL (a local validator often serves plain HTTP), "ripestat", or ""."""
    if isinstance(value, str) and not value.strip():
        return ""
    text = _text(value)
    if text != "ripestat" and not text.startswith(("https://", "http://")):
        raise ValueError('an http:// or https:// URL, "ripestat", or "" for none')
    return text


def _positive_float(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("a positive number of seconds") from None
    if isinstance(value, bool) or not 0 < number < math.inf:
        raise ValueError("a positive, finite number of seconds")
    return number


def _whole(minimum: int) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError(f"a whole number >= {minimum}")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"a whole number >= {minimum}") from None
        if number < minimum or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"a whole number >= {minimum}")
        return number

    return read


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.lower() in ("true", "yes", "1")
    raise ValueError("true or false")


def _protocol(value: Any) -> str:
    text = _text(value).upper() if isinstance(value, str) else ""
    if text not in ("ICMP", "UDP", "TCP"):
        raise ValueError("ICMP, UDP or TCP")
    return text


_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _interval(value: Any) -> int:
    expected = "seconds (at least 60) or a number with s, m, h or d, such as 15m or 6h"
    if isinstance(value, bool):
        raise ValueError(expected)
    text = str(value).strip().lower()
    factor = _UNITS_S.get(text[-1:], 0)
    digits = text[:-1] if factor else text
    if not digits.isdigit():
        raise ValueError(expected)
    seconds = int(digits) * (factor or 1)
    if seconds < 60:
        raise ValueError(expected)
    return seconds


def _moment(value: Any) -> datetime:
    expected = "a UTC date or time such as 2027-01-31 or 2027-01-31T12:00:00Z"
    if isinstance(value, str):
        text = value.strip()
        try:
            value = (
                datetime.fromisoformat(text.replace("Z", "+00:00"))
                if "T" in text or " " in text
                else date.fromisoformat(text)
            )
        except ValueError:
            raise ValueError(expected) from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, clock(0), tzinfo=UTC)
    raise ValueError(expected)


def _secret(value: Any) -> Secret:
    return Secret(_text(value))


def _paths(value: Any) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(os.pathsep) if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("a list of file paths")
    return tuple(_path(v) for v in value)


def _rirs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value or not all(v in ALL_RIRS for v in value):
        raise ValueError(f"a list of RIRs from {', '.join(ALL_RIRS)}")
    return tuple(dict.fromkeys(value))


def _period(value: Any) -> str:
    text = _text(value).lower() if isinstance(value, str) else ""
    if text not in ROUND_PERIODS:
        raise ValueError(f"one of {', '.join(ROUND_PERIODS)}")
    return text


def _store_url(value: Any) -> Secret:
    text = _text(value)
    if not text.startswith(("postgresql://", "postgres://")):
        raise ValueError("a postgresql:// URL")
    return Secret(text)


def _dns_servers(value: Any) -> tuple[tuple[str, int], ...]:
    expected = "a list of DNS server addresses, ADDRESS or ADDRESS:PORT ([IPV6]:PORT)"
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(expected)
    servers = []
    for text in value:
        host, port = text.strip(), "53"
        if host.startswith("["):
            host, _, rest = host[1:].partition("]")
            port = rest.removeprefix(":") or "53"
        elif host.count(":") == 1:
            host, port = host.split(":")
        try:
            ipaddress.ip_address(host)
            number = int(port)
        except ValueError:
            raise ValueError(expected) from None
        if not 0 < number < 65536:
            raise ValueError(expected)
        servers.append((host, number))
    return tuple(dict.fromkeys(servers))


def _one_line(value: Any) -> str:
    text = _text(value)
    if "\n" in text or "\r" in text:
        raise ValueError("one line of text")
    return text


def _events(value: Any) -> tuple[Event, ...]:
    expected = 'an array of tables [[events]] with date = "YYYY-MM-DD" and label = "..."'
    if not isinstance(value, list):
        raise ValueError(expected)
    events = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"date", "label"}:
            raise ValueError(expected)
        day, label = entry["date"], entry["label"]
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise ValueError(expected) from None
        if not isinstance(day, date) or not isinstance(label, str) or not label.strip():
            raise ValueError(expected)
        events.append(Event(day, label.strip()))
    return tuple(sorted(events, key=lambda e: e.day))


# ---------------------------------------------------------------------------------------------
# The declaration: one frozen dataclass per section of the config file. Each field is one key:
# its name is the key's name, its default the default, its metadata the reader (validation)
# and the help line. The file's keys, the IXPREADY_* names, the flags and the checks of
# config.example.toml (tests/test_config.py) are all derived from these classes.

_T = TypeVar("_T")


def _key(default: _T, read: Callable[[Any], Any], help: str, *, secret: bool = False) -> _T:
    """Declares one key: its default, its reader (raises ValueError with the form expected)
    and its help line; `secret` keys are never echoed in errors."""
    meta = {"read": read, "help": help, "secret": secret}
    return field(default=default, metadata=meta)


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ixpready"


@dataclass(frozen=True)
class StoreSettings:
    """`[store]`: where results are kept."""

    file: Path | None = _key(None, _path, "the SQLite store; default: <data_dir>/ixpready.sqlite")
    url: Secret = _key(NO_SECRET, _store_url, "postgresql://...: the shared store; unset: SQLite",
                       secret=True)  # fmt: skip


@dataclass(frozen=True)
class RefdataSettings:
    """`[refdata]`: the reference-data folder."""

    dir: Path | None = _key(None, _path, "reference data; default: <data_dir>/refdata")


@dataclass(frozen=True)
class AtlasSettings:
    """`[atlas]`: the RIPE Atlas API. `ca_file` None means the system trust store (TLS
    verification is never off); `key` is read from `key_file` by `load_settings`."""

    server: str = _key("atlas.ripe.net", _server, "host or host:port of the RIPE Atlas API")
    ca_file: Path | None = _key(None, _path, "CA bundle to verify the server")
    key: Secret = _key(NO_SECRET, _secret, "the RIPE Atlas API key", secret=True)
    key_file: Path | None = _key(None, _path, "a file holding only the key")
    timeout_s: float = _key(30.0, _positive_float, "per request: connect and each read")
    request_deadline_s: float = _key(300.0, _positive_float, "per request as a whole")
    retries: int = _key(4, _whole(1), "attempts on 429, 5xx, timeouts and cut-off answers")
    backoff_s: float = _key(2.0, _positive_float, "first wait between attempts; doubles")

    @property
    def verify(self) -> bool | str:
        """Returns what `requests` takes as `verify`: True or a CA file path."""
        return str(self.ca_file) if self.ca_file else True


@dataclass(frozen=True)
class RegistriesSettings:
    """`[registries]`: the registries' endpoints."""

    peeringdb_url: str = _key("https://www.peeringdb.com", _url, "the PeeringDB API")
    ripestat_url: str = _key("https://stat.ripe.net", _url, "the RIPEstat data API")
    rir_stats_url: str = _key("https://ftp.ripe.net/pub/stats", _url,
                              "RIR delegated-extended files")  # fmt: skip
    rpki_vrps_url: str = _key("", _vrp_source, 'a validator\'s JSON export, "ripestat" or ""')


@dataclass(frozen=True)
class PlanSettings:
    """`[plan]`: how a measurement plan is made."""

    budget_credits: int = _key(100_000, _whole(0), "most credits a plan may spend")
    probes_per_as: int = _key(3, _whole(1), "RIPE Atlas probes chosen per network")
    packets: int = _key(3, _whole(1), "traceroute packets per hop")
    size: int = _key(48, _whole(0), "traceroute packet size in bytes")
    protocol: str = _key("ICMP", _protocol, "ICMP, UDP or TCP")
    is_oneoff: bool = _key(True, _boolean, "one-off measurements")
    interval_s: int = _key(3600, _interval, "periodic: seconds between two results of a probe")
    stop: datetime | None = _key(None, _moment, "periodic: when they stop (mandatory), UTC")


@dataclass(frozen=True)
class ReuseSettings:
    """`[reuse]`: public measurements found by `discover --reuse`."""

    days: int = _key(7, _whole(1), "the first fetch of one goes back this many days")
    enabled: bool = _key(True, _boolean, "`ixpready run` finds them and fetches them first")


@dataclass(frozen=True)
class LocateSettings:
    """`[locate]`: one-off pings that place undecided hops."""

    enabled: bool = _key(False, _boolean, "`ixpready run` pings undecided hops too")
    budget_credits: int = _key(2_000, _whole(0), "credits one locate may spend")
    probes_per_place: int = _key(2, _whole(1), "probes pinging from each candidate place")
    places_per_address: int = _key(4, _whole(1), "candidate places per address")
    radius_km: int = _key(50, _whole(1), "how far from a place a probe may stand")
    max_addresses: int = _key(100, _whole(1), "addresses one locate may plan")


@dataclass(frozen=True)
class RunSettings:
    """`[run]`: the whole job, `ixpready run`."""

    lock_file: Path | None = _key(None, _path, "the job lock; default: <data_dir>/run.lock")
    results: tuple[Path, ...] = _key((), _paths, "result files, folders or patterns to import")
    probes_file: Path | None = _key(None, _path, "probe metadata; default: the inventory")
    rdns_file: Path | None = _key(None, _path, "reverse-DNS names {address: name}")
    discover_max_age_days: int = _key(30, _whole(0), "discover again when older")
    refdata_max_age_days: int = _key(30, _whole(0), "refresh the reference data when older")
    rirs: tuple[str, ...] = _key(ALL_RIRS, _rirs, "RIR statistics refdata downloads")
    model: bool = _key(True, _boolean, "run the IXP model on the newest round")
    report: bool = _key(True, _boolean, "write the report of the newest round")
    time_budget_s: float = _key(6 * 3600.0, _positive_float, "most seconds a run may spend")


@dataclass(frozen=True)
class RoundsSettings:
    """`[rounds]`: the measurement rounds."""

    period: str = _key("month", _period, "one round per month, week, day, or 1h..12h (UTC)")


@dataclass(frozen=True)
class ScheduleSettings:
    """`[schedule]`: the timers `ixpready schedule install` writes."""

    unit_dir: Path | None = _key(None, _path, "where units go")
    run: bool = _key(True, _boolean, "schedule `ixpready run`")
    on_calendar: str = _key("*-*-01 03:00:00 UTC", _one_line, "systemd OnCalendar of the run")
    cron: str = _key("0 3 1 * *", _one_line, "crontab schedule of the run")
    probe_command: str = _key("", _one_line, "the operators' probe command line")
    probe_on_calendar: str = _key("*-*-* *:17,47:00", _one_line, "OnCalendar of the probe")
    probe_cron: str = _key("17,47 * * * *", _one_line, "crontab schedule of the probe")
    upload: bool = _key(False, _boolean, "schedule `ixpready upload`")
    upload_on_calendar: str = _key("*-*-* *:55:00", _one_line, "OnCalendar of the upload")
    upload_cron: str = _key("55 * * * *", _one_line, "crontab schedule of the upload")


@dataclass(frozen=True)
class UploadSettings:
    """`[upload]`: a probe host's results to the shared store."""

    spool_dir: Path | None = _key(None, _path, "the probe's spool; default: <data_dir>/spool")
    lock_wait_s: int = _key(2700, _whole(0), "seconds to wait for a run holding the job lock")


@dataclass(frozen=True)
class RetentionSettings:
    """`[retention]`: what `prune` deletes (None: keep everything)."""

    raw_results_rounds: int | None = _key(None, _whole(1), "keep the newest N rounds' raw results")
    quarantine_days: int | None = _key(None, _whole(1), "keep quarantined records N days")


@dataclass(frozen=True)
class RdnsSettings:
    """`[rdns]`: reverse DNS of hop addresses."""

    gather: bool = _key(True, _boolean, "fetch and run ask the PTR of new hop addresses")
    servers: tuple[tuple[str, int], ...] = _key((), _dns_servers,
                                                "(address, port); empty: /etc/resolv.conf")  # fmt: skip
    timeout_s: float = _key(2.0, _positive_float, "per query and server")
    concurrency: int = _key(16, _whole(1), "queries in flight at once")


def _section(cls: type[_T]) -> _T:
    return field(default_factory=cls, metadata={"section": True})


@dataclass(frozen=True)
class Settings:
    """Every setting ixpready reads: the top-level keys, then one field per section.

    Durations are seconds. `source` is where the values came from (the file, or "(defaults)").
    """

    source: str = "(defaults)"
    country: str = _key("GT", _country, "ISO 3166 alpha-2: the country measured")
    data_dir: Path = field(default_factory=_default_data_dir, metadata={
        "read": _path, "help": "default: $XDG_DATA_HOME/ixpready", "secret": False})
    time_budget_s: float | None = _key(None, _positive_float,
                                       "most seconds one command may spend on the network")  # fmt: skip
    events: tuple[Event, ...] = _key((), _events, "dated events marked on the trend")
    store: StoreSettings = _section(StoreSettings)
    refdata: RefdataSettings = _section(RefdataSettings)
    atlas: AtlasSettings = _section(AtlasSettings)
    registries: RegistriesSettings = _section(RegistriesSettings)
    plan: PlanSettings = _section(PlanSettings)
    reuse: ReuseSettings = _section(ReuseSettings)
    locate: LocateSettings = _section(LocateSettings)
    run: RunSettings = _section(RunSettings)
    rounds: RoundsSettings = _section(RoundsSettings)
    schedule: ScheduleSettings = _section(ScheduleSettings)
    upload: UploadSettings = _section(UploadSettings)
    retention: RetentionSettings = _section(RetentionSettings)
    rdns: RdnsSettings = _section(RdnsSettings)

    @property
    def store_path(self) -> Path:
        """Returns the SQLite store file (default: <data_dir>/ixpready.sqlite)."""
        return self.store.file or self.data_dir / "ixpready.sqlite"

    @property
    def refdata_path(self) -> Path:
        """Returns the reference-data folder (default: <data_dir>/refdata)."""
        return self.refdata.dir or self.data_dir / "refdata"

    @property
    def lock_path(self) -> Path:
        """Returns the job lock file of `ixpready run` (default: <data_dir>/run.lock)."""
        return self.run.lock_file or self.data_dir / "run.lock"

    @property
    def rounds_dir(self) -> Path:
        """Returns the folder of per-round outputs of `ixpready run` (<data_dir>/rounds)."""
        return self.data_dir / "rounds"


@dataclass(frozen=True, slots=True)
class Key:
    """One key of the config file, derived from the declaration: `[section] name` (section
    "" for the top level), its reader, default and help line."""

    section: str
    name: str
    read: Callable[[Any], Any]
    factory: Callable[[], Any]
    help: str
    secret: bool

    @property
    def default(self) -> Any:
        """Returns the key's default value (computed now: data_dir reads $XDG_DATA_HOME)."""
        return self.factory()

    @property
    def dotted(self) -> str:
        """Returns the key as written in messages: section.name (or name at the top level)."""
        return f"{self.section}.{self.name}" if self.section else self.name

    @property
    def flat(self) -> str:
        """Returns section_name: the name a flag gives to `load_settings`."""
        return self.dotted.replace(".", "_")

    @property
    def env(self) -> str:
        """Returns the environment variable: IXPREADY_SECTION_NAME."""
        return ENV_PREFIX + self.flat.upper()


def _keys_of(cls: type[Any], section: str) -> list[Key]:
    found = []
    for item in fields(cls):
        if "read" in item.metadata:
            value = item.default
            factory: Callable[[], Any] = (
                item.default_factory if value is MISSING else (lambda v=value: v)  # type: ignore[assignment, misc]
            )
            found.append(Key(section, item.name, item.metadata["read"], factory,
                             item.metadata["help"], item.metadata["secret"]))  # fmt: skip
    return found


def _sections() -> dict[str, type[Any]]:
    return {f.name: f.default_factory for f in fields(Settings) if f.metadata.get("section")}  # type: ignore[misc]


SECTIONS: dict[str, type[Any]] = _sections()
"""The sections of the config file and their dataclasses, in the declaration's order."""
KEYS: tuple[Key, ...] = tuple(
    _keys_of(Settings, "") + [k for name, cls in SECTIONS.items() for k in _keys_of(cls, name)]
)
"""Every key, derived from the declaration (not a second list: nothing to keep in step)."""
_BY_DOTTED = {key.dotted: key for key in KEYS}
_BY_FLAT = {key.flat: key for key in KEYS}


def default_config_path(environ: Mapping[str, str]) -> Path:
    """Returns $XDG_CONFIG_HOME/ixpready/config.toml (~/.config when the variable is unset)."""
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ixpready" / "config.toml"


def _flatten(document: Mapping[str, Any], origin: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in document.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{name}.{inner}"] = inner_value
        else:
            flat[name] = value
    unknown = sorted(set(flat) - set(_BY_DOTTED))
    if unknown:
        raise ConfigError(
            f"{origin}: unknown key '{unknown[0]}'",
            hint="see config.example.toml for every key",
        )
    return flat


def _warn_if_readable_by_others(path: Path, what: str) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("%s %s is readable by other users; run: chmod 600 %s", what, path, path)


def _read_file(path: Path, explicit: bool) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: no such config file") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    _warn_if_readable_by_others(path, "config file")
    return _flatten(document, str(path))


def _apply(key: Key, value: Any, origin: str) -> Any:
    try:
        return key.read(value)
    except ValueError as exc:
        shown = "****" if key.secret else f"{value!r:.60}"
        raise ConfigError(
            f"{origin}: key '{key.dotted}' is {shown}, expected {exc}",
            hint="fix the value or remove it to use the default",
        ) from None


def _read_key_file(path: Path) -> Secret:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the RIPE Atlas key file ({exc.strerror})",
            hint="set atlas.key_file to a readable file holding only the key",
        ) from None
    if not text:
        raise ConfigError(f"{path}: the RIPE Atlas key file is empty")
    _warn_if_readable_by_others(path, "key file")
    return Secret(text)


def load_settings(
    path: str | Path | None,
    environ: Mapping[str, str],
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """Returns the Settings: flags > IXPREADY_* > file > defaults.

    `flags` are keyed by section_key (`plan_budget_credits`, `country`: `Key.flat`).
    `path` None means the default config file, which may be absent. Raises ConfigError for an
    unreadable file, an unknown key or a bad value (naming file, key, value, expected form).
    """
    explicit = path is not None
    config_path = Path(path) if path is not None else default_config_path(environ)
    values: dict[Key, Any] = {}
    origin = "(defaults)"
    for dotted, raw in _read_file(config_path, explicit).items():
        key = _BY_DOTTED[dotted]
        values[key] = _apply(key, raw, str(config_path))
        origin = str(config_path)
    for key in KEYS:
        if key.env in environ and environ[key.env] != "":
            values[key] = _apply(key, environ[key.env], key.env)
    for flat, raw in (flags or {}).items():
        if raw is None:
            continue
        if flat not in _BY_FLAT:
            raise ConfigError(f"unknown setting '{flat}' given as a flag")
        values[_BY_FLAT[flat]] = _apply(_BY_FLAT[flat], raw, f"--{flat}")
    settings = _build(origin, values)
    atlas = settings.atlas
    key_origin = _origin_of("atlas_key", config_path, environ, flags)
    if not atlas.key and atlas.key_file is not None:
        settings = replace(settings, atlas=replace(atlas, key=_read_key_file(atlas.key_file)))
        key_origin = str(atlas.key_file)
    if not settings.atlas.key.sendable():
        raise unsendable_key(key_origin)
    if atlas.ca_file is not None:
        check_ca_file(atlas.ca_file, _origin_of("atlas_ca_file", config_path, environ, flags))
    return settings


def _build(origin: str, values: Mapping[Key, Any]) -> Settings:
    """Returns the Settings of the values given (by key), every other key at its default."""
    top = {key.name: value for key, value in values.items() if not key.section}
    sections = {
        name: cls(**{key.name: value for key, value in values.items() if key.section == name})
        for name, cls in SECTIONS.items()
    }
    return Settings(source=origin, **top, **sections)


def _origin_of(
    attribute: str, config_path: Path, environ: Mapping[str, str],
    flags: Mapping[str, Any] | None,
) -> str:  # fmt: skip
    """Returns where a setting's value came from (flag, variable or file), for messages."""
    key = _BY_FLAT[attribute]
    if (flags or {}).get(attribute) is not None:
        return f"--{attribute}"
    if environ.get(key.env):
        return key.env
    return f"{config_path}: key '{key.dotted}'"


def unsendable_key(origin: str) -> ConfigError:
    """Returns the error for a RIPE Atlas key that cannot travel in an HTTP header (the key
    itself is never part of it)."""
    return ConfigError(
        f"{origin}: the RIPE Atlas key contains a character that cannot be sent in an HTTP "
        "header; nothing was sent",
        hint="copy the key again from https://atlas.ripe.net/keys/ (letters, digits and "
        "dashes only: no quotes, spaces or line breaks)",
    )


def check_ca_file(path: Path, origin: str) -> None:
    """Raises ConfigError unless `path` is a readable file of PEM CA certificates."""
    try:
        ssl.create_default_context(cafile=str(path))
    except FileNotFoundError:
        raise ConfigError(
            f"{origin}: the CA file {path} does not exist",
            hint="set atlas.ca_file to the PEM file of the CA that signed the server's "
            "certificate, or remove it to use the system trust store",
        ) from None
    except (OSError, ValueError) as exc:
        plain = isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError)
        reason = (getattr(exc, "strerror", None) if plain else None) or "no PEM certificate in it"
        raise ConfigError(
            f"{origin}: the CA file {path} cannot be used ({reason})",
            hint="set atlas.ca_file to a readable PEM file of CA certificates",
        ) from None
