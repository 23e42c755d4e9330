"""Settings and where they come from: flag, then IXPREADY_* variable, then file, then default.

`load_settings(path, environ)` runs once at startup, never at import. Every key is listed in
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
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

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


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ixpready"


@dataclass(frozen=True)
class Settings:
    """Every setting ixpready reads; defaults here are mirrored by config.example.toml.

    `atlas_ca_file` None means the system trust store (TLS verification is never off).
    Durations are seconds; `atlas_key` is the key for reading non-public results and
    creating measurements (`atlas_key_file` is read into it by `load_settings`).
    """

    source: str = "(defaults)"
    country: str = "GT"
    data_dir: Path = field(default_factory=_default_data_dir)
    time_budget_s: float | None = None
    store_file: Path | None = None
    refdata_dir: Path | None = None
    atlas_server: str = "atlas.ripe.net"
    atlas_ca_file: Path | None = None
    atlas_key: Secret = NO_SECRET
    atlas_key_file: Path | None = None
    atlas_timeout_s: float = 30.0
    atlas_request_deadline_s: float = 300.0  # one request as a whole, however slow the reads
    atlas_retries: int = 4
    atlas_backoff_s: float = 2.0
    peeringdb_url: str = "https://www.peeringdb.com"
    ripestat_url: str = "https://stat.ripe.net"
    rir_stats_url: str = "https://ftp.ripe.net/pub/stats"
    rpki_vrps_url: str = ""  # a validator's JSON export URL, "ripestat", or "" (none)
    plan_budget_credits: int = 100_000
    plan_probes_per_as: int = 3
    plan_packets: int = 3
    plan_size: int = 48
    plan_protocol: str = "ICMP"
    plan_is_oneoff: bool = True
    plan_interval_s: int = 3600  # periodic plans: seconds between two results of a probe
    plan_stop: datetime | None = None  # periodic plans: when they stop (mandatory), UTC
    reuse_days: int = 7  # the first fetch of a reused public measurement goes this far back
    reuse_enabled: bool = True  # `ixpready run` finds public measurements and fetches them first
    locate_enabled: bool = False  # `ixpready run` pings undecided hops (`ixpready locate`)
    locate_budget_credits: int = 2_000  # credits one `locate` may spend
    locate_probes_per_place: int = 2  # probes pinging from each candidate place
    locate_places_per_address: int = 4  # candidate places (home and abroad) per address
    locate_radius_km: int = 50  # how far from a place a probe may stand
    locate_max_addresses: int = 100  # addresses one `locate` may plan
    store_url: Secret = NO_SECRET  # postgresql://...: the shared store; unset: SQLite
    run_lock_file: Path | None = None
    run_results: tuple[Path, ...] = ()
    run_probes_file: Path | None = None
    run_rdns_file: Path | None = None
    run_discover_max_age_days: int = 30
    run_refdata_max_age_days: int = 30
    run_rirs: tuple[str, ...] = ALL_RIRS
    run_model: bool = True
    run_report: bool = True
    run_time_budget_s: float = 6 * 3600.0
    rounds_period: str = "month"
    events: tuple[Event, ...] = ()
    schedule_unit_dir: Path | None = None
    schedule_run: bool = True
    schedule_upload: bool = False
    schedule_upload_on_calendar: str = "*-*-* *:55:00"
    schedule_upload_cron: str = "55 * * * *"
    schedule_on_calendar: str = "*-*-01 03:00:00 UTC"
    schedule_cron: str = "0 3 1 * *"
    schedule_probe_command: str = ""
    schedule_probe_on_calendar: str = "*-*-* *:17,47:00"
    schedule_probe_cron: str = "17,47 * * * *"
    upload_spool_dir: Path | None = None
    retention_raw_results_rounds: int | None = None  # None: keep every round's raw results
    retention_quarantine_days: int | None = None  # None: keep every quarantined record
    rdns_gather: bool = True  # fetch and run ask the reverse DNS of new hop addresses
    rdns_servers: tuple[tuple[str, int], ...] = ()  # (address, port); empty: /etc/resolv.conf
    rdns_timeout_s: float = 2.0  # per query and server
    rdns_concurrency: int = 16  # queries in flight at once

    @property
    def store_path(self) -> Path:
        """Returns the SQLite store file (default: <data_dir>/ixpready.sqlite)."""
        return self.store_file or self.data_dir / "ixpready.sqlite"

    @property
    def refdata_path(self) -> Path:
        """Returns the reference-data folder (default: <data_dir>/refdata)."""
        return self.refdata_dir or self.data_dir / "refdata"

    @property
    def lock_path(self) -> Path:
        """Returns the job lock file of `ixpready run` (default: <data_dir>/run.lock)."""
        return self.run_lock_file or self.data_dir / "run.lock"

    @property
    def rounds_dir(self) -> Path:
        """Returns the folder of per-round outputs of `ixpready run` (<data_dir>/rounds)."""
        return self.data_dir / "rounds"

    @property
    def atlas_verify(self) -> bool | str:
        """Returns what `requests` takes as `verify`: True or a CA file path."""
        return str(self.atlas_ca_file) if self.atlas_ca_file else True


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


@dataclass(frozen=True, slots=True)
class _Key:
    section: str
    name: str
    attribute: str
    read: Callable[[Any], Any]

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.dotted.replace(".", "_").upper()


KEYS: tuple[_Key, ...] = (
    _Key("", "country", "country", _country),
    _Key("", "data_dir", "data_dir", _path),
    _Key("", "time_budget_s", "time_budget_s", _positive_float),
    _Key("store", "file", "store_file", _path),
    _Key("refdata", "dir", "refdata_dir", _path),
    _Key("atlas", "server", "atlas_server", _server),
    _Key("atlas", "ca_file", "atlas_ca_file", _path),
    _Key("atlas", "key", "atlas_key", _secret),
    _Key("atlas", "key_file", "atlas_key_file", _path),
    _Key("atlas", "timeout_s", "atlas_timeout_s", _positive_float),
    _Key("atlas", "request_deadline_s", "atlas_request_deadline_s", _positive_float),
    _Key("atlas", "retries", "atlas_retries", _whole(1)),
    _Key("atlas", "backoff_s", "atlas_backoff_s", _positive_float),
    _Key("registries", "peeringdb_url", "peeringdb_url", _url),
    _Key("registries", "ripestat_url", "ripestat_url", _url),
    _Key("registries", "rir_stats_url", "rir_stats_url", _url),
    _Key("registries", "rpki_vrps_url", "rpki_vrps_url", _vrp_source),
    _Key("plan", "budget_credits", "plan_budget_credits", _whole(0)),
    _Key("plan", "probes_per_as", "plan_probes_per_as", _whole(1)),
    _Key("plan", "packets", "plan_packets", _whole(1)),
    _Key("plan", "size", "plan_size", _whole(0)),
    _Key("plan", "protocol", "plan_protocol", _protocol),
    _Key("plan", "is_oneoff", "plan_is_oneoff", _boolean),
    _Key("plan", "interval_s", "plan_interval_s", _interval),
    _Key("plan", "stop", "plan_stop", _moment),
    _Key("reuse", "days", "reuse_days", _whole(1)),
    _Key("reuse", "enabled", "reuse_enabled", _boolean),
    _Key("locate", "enabled", "locate_enabled", _boolean),
    _Key("locate", "budget_credits", "locate_budget_credits", _whole(0)),
    _Key("locate", "probes_per_place", "locate_probes_per_place", _whole(1)),
    _Key("locate", "places_per_address", "locate_places_per_address", _whole(1)),
    _Key("locate", "radius_km", "locate_radius_km", _whole(1)),
    _Key("locate", "max_addresses", "locate_max_addresses", _whole(1)),
    _Key("store", "url", "store_url", _store_url),
    _Key("run", "lock_file", "run_lock_file", _path),
    _Key("run", "results", "run_results", _paths),
    _Key("run", "probes_file", "run_probes_file", _path),
    _Key("run", "rdns_file", "run_rdns_file", _path),
    _Key("run", "discover_max_age_days", "run_discover_max_age_days", _whole(0)),
    _Key("run", "refdata_max_age_days", "run_refdata_max_age_days", _whole(0)),
    _Key("run", "rirs", "run_rirs", _rirs),
    _Key("run", "model", "run_model", _boolean),
    _Key("run", "report", "run_report", _boolean),
    _Key("run", "time_budget_s", "run_time_budget_s", _positive_float),
    _Key("rounds", "period", "rounds_period", _period),
    _Key("", "events", "events", _events),
    _Key("schedule", "unit_dir", "schedule_unit_dir", _path),
    _Key("schedule", "run", "schedule_run", _boolean),
    _Key("schedule", "upload", "schedule_upload", _boolean),
    _Key("schedule", "upload_on_calendar", "schedule_upload_on_calendar", _one_line),
    _Key("schedule", "upload_cron", "schedule_upload_cron", _one_line),
    _Key("schedule", "on_calendar", "schedule_on_calendar", _one_line),
    _Key("schedule", "cron", "schedule_cron", _one_line),
    _Key("schedule", "probe_command", "schedule_probe_command", _one_line),
    _Key("schedule", "probe_on_calendar", "schedule_probe_on_calendar", _one_line),
    _Key("schedule", "probe_cron", "schedule_probe_cron", _one_line),
    _Key("upload", "spool_dir", "upload_spool_dir", _path),
    _Key("retention", "raw_results_rounds", "retention_raw_results_rounds", _whole(1)),
    _Key("retention", "quarantine_days", "retention_quarantine_days", _whole(1)),
    _Key("rdns", "gather", "rdns_gather", _boolean),
    _Key("rdns", "servers", "rdns_servers", _dns_servers),
    _Key("rdns", "timeout_s", "rdns_timeout_s", _positive_float),
    _Key("rdns", "concurrency", "rdns_concurrency", _whole(1)),
)
_BY_DOTTED = {key.dotted: key for key in KEYS}
_BY_ATTRIBUTE = {key.attribute: key for key in KEYS}
assert set(_BY_ATTRIBUTE) == {f.name for f in fields(Settings)} - {"source"}


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


def _apply(key: _Key, value: Any, origin: str) -> Any:
    try:
        return key.read(value)
    except ValueError as exc:
        shown = "****" if key.attribute in ("atlas_key", "store_url") else f"{value!r:.60}"
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
    """Returns the Settings: flags (by attribute name) > IXPREADY_* > file > defaults.

    `path` None means the default config file, which may be absent. Raises ConfigError for an
    unreadable file, an unknown key or a bad value (naming file, key, value, expected form).
    """
    explicit = path is not None
    config_path = Path(path) if path is not None else default_config_path(environ)
    values: dict[str, Any] = {}
    origin = "(defaults)"
    for dotted, raw in _read_file(config_path, explicit).items():
        key = _BY_DOTTED[dotted]
        values[key.attribute] = _apply(key, raw, str(config_path))
        origin = str(config_path)
    for key in KEYS:
        if key.env in environ and environ[key.env] != "":
            values[key.attribute] = _apply(key, environ[key.env], key.env)
    for attribute, raw in (flags or {}).items():
        if raw is None:
            continue
        if attribute not in _BY_ATTRIBUTE:
            raise ConfigError(f"unknown setting '{attribute}' given as a flag")
        values[attribute] = _apply(_BY_ATTRIBUTE[attribute], raw, f"--{attribute}")
    settings = replace(Settings(), source=origin, **values)
    key_origin = _origin_of("atlas_key", config_path, environ, flags)
    if not settings.atlas_key and settings.atlas_key_file is not None:
        settings = replace(settings, atlas_key=_read_key_file(settings.atlas_key_file))
        key_origin = str(settings.atlas_key_file)
    if not settings.atlas_key.sendable():
        raise unsendable_key(key_origin)
    if settings.atlas_ca_file is not None:
        check_ca_file(settings.atlas_ca_file, _origin_of("atlas_ca_file", config_path, environ,
                                                         flags))  # fmt: skip
    return settings


def _origin_of(
    attribute: str, config_path: Path, environ: Mapping[str, str],
    flags: Mapping[str, Any] | None,
) -> str:  # fmt: skip
    """Returns where a setting's value came from (flag, variable or file), for messages."""
    key = _BY_ATTRIBUTE[attribute]
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
