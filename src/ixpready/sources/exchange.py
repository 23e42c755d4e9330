"""One HTTP exchange bounded as a whole: the shared way every source sends a request.

`requests`' timeout bounds connecting and each read, and restarts with every byte: a server
that sends its headers and then one byte a second is never cut off by it. `exchange` reads
the body itself, a piece at a time as it arrives, and gives up at `deadline_at` (a
`time.monotonic()` instant), however the server paces its bytes. Failures stay `requests`'
exceptions (a spent deadline is a `requests.Timeout`), so callers translate them as before,
with two exceptions raised here because no retry can help: a key that cannot be encoded in
a header, and a server certificate the configured CA does not sign (ConfigError, naming
neither the key nor more than the server).
"""

from __future__ import annotations

import time
from typing import Any

import requests
import urllib3

from ixpready.errors import ConfigError

PIECE_BYTES = 65536
_SPENT = "timed out: the answer did not complete within the request deadline"

__all__ = ["PIECE_BYTES", "exchange", "tls_failure"]


def exchange(method: str, url: str, *, deadline_at: float, **arguments: Any) -> requests.Response:
    """Returns the response with its whole body read before `deadline_at`.

    Raises `requests.Timeout` when the deadline passes first (even while bytes keep coming),
    other `requests.RequestException`s as `requests` does, and ConfigError for a header that
    cannot be encoded (the key) or a TLS certificate that fails verification.
    """
    try:
        response = requests.request(method, url, stream=True, **arguments)
    except UnicodeError:  # a header's value, never quoted: it may be the key
        raise ConfigError(
            f"{_host(url)}: a request header holds a character that cannot be sent in an "
            "HTTP header (the RIPE Atlas key?); nothing was sent",
            hint="copy the key again (letters, digits and dashes only)",
        ) from None
    except requests.exceptions.SSLError as exc:
        raise tls_failure(url, exc, arguments.get("verify", True)) from None
    with response:
        pieces: list[bytes] = []
        while True:
            if time.monotonic() >= deadline_at:
                raise requests.Timeout(_SPENT)
            piece = _read_piece(response)
            if not piece:
                break
            pieces.append(piece)
        response._content = b"".join(pieces)
        response._content_consumed = True  # type: ignore[attr-defined]
    return response


def _read_piece(response: requests.Response) -> bytes:
    """Returns the next bytes of the body as they arrive (b"" at its end), with urllib3's
    failures translated the way `requests` translates them when it reads a body itself."""
    try:
        return bytes(response.raw.read1(PIECE_BYTES, decode_content=True))
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(f"timed out: {exc}") from None
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(f"cut off: {exc}") from None
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(str(exc)) from None
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(str(exc)) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from None


def _host(url: str) -> str:
    return url.split("/")[2] if "//" in url else url


def tls_failure(url: str, exc: Exception, verify: object) -> ConfigError:
    """Returns the error for a TLS handshake that failed (a certificate not signed by the CA
    trusted, a wrong host name, or no TLS at all)."""
    host = _host(url)
    text = str(exc)
    trusted = f"the CA file {verify}" if isinstance(verify, str) else "the system trust store"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        fact = f"its TLS certificate is not signed by a CA in {trusted}"
    elif "hostname" in text.lower() or "match" in text.lower():
        fact = "its TLS certificate is for another host name"
    else:
        fact = "the TLS handshake failed (is it an HTTPS server?)"
    return ConfigError(
        f"{host}: {fact}; nothing was sent",
        hint="set atlas.ca_file to the CA that signs the server's certificate (or remove it "
        "for the system trust store) and check atlas.server",
    )
