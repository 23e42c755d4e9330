"""The IxpreadyError tree and the process exit codes; the whole tree is drawn here.

IxpreadyError (exit 1, a bug unless a subclass says otherwise)
├── UsageError            (2) a command line that cannot be acted on
├── ConfigError           (3) a bad setting: names file, key, value and the expected form
├── InputError            (3) an input file that cannot be read at all (missing, not a results file)
├── RefdataError          (3) a reference-data folder or file that cannot be used
├── AuthError             (4) credentials refused (RIPE Atlas key, upload token)
│   └── AtlasAuthError
├── QuotaError            (5) credits, daily results or concurrent measurements exhausted
├── UnavailableError      (6) network or API down, rate-limited after retries, timed out
│   └── RateLimitedError      refused (HTTP 429) after the retries: nothing was done
├── StoreError            (3) the store cannot be opened or is corrupt (names the recovery)
└── LockedError           (2) another run holds the job lock
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, listed in README."""

    OK = 0
    BUG = 1
    USAGE = 2
    CONFIG = 3
    AUTH = 4
    QUOTA = 5
    UNAVAILABLE = 6
    PARTIAL = 7


class IxpreadyError(Exception):
    """Root of every error raised on purpose."""

    exit_code = ExitCode.BUG

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(IxpreadyError):
    exit_code = ExitCode.USAGE


class ConfigError(IxpreadyError):
    exit_code = ExitCode.CONFIG


class InputError(IxpreadyError):
    exit_code = ExitCode.CONFIG


class RefdataError(IxpreadyError):
    exit_code = ExitCode.CONFIG


class AuthError(IxpreadyError):
    exit_code = ExitCode.AUTH


class AtlasAuthError(AuthError):
    pass


class QuotaError(IxpreadyError):
    exit_code = ExitCode.QUOTA


class UnavailableError(IxpreadyError):
    exit_code = ExitCode.UNAVAILABLE


class RateLimitedError(UnavailableError):
    """Refused with HTTP 429 after every retry: the request was not carried out."""


class StoreError(IxpreadyError):
    exit_code = ExitCode.CONFIG


class LockedError(IxpreadyError):
    exit_code = ExitCode.USAGE
