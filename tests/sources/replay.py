"""A recorded-response HTTPS server on 127.0.0.1 with a throwaway CA (trustme), for any test.

Register what each request should get with `replay.add(method, path, ...)` (path with its
query, as sent); several answers for the same request are given in turn; when all were
given, the last one repeats (answers added later are given next). An unrecorded request gets HTTP 599 and is listed in `unexpected`; the
`atlas_replay` fixture fails the test when that list is not empty at the end.

Behaviours: "normal", "truncate" (Content-Length promises more than is sent, then the
connection closes), "hang" (headers and half the body, then nothing until the server stops)
and "drip" (headers, then one byte every DRIP_S seconds until the server stops).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import trustme

DRIP_S = 0.2  # "drip": seconds between two bytes (each read comes well within any timeout)
KEY = "5ecr3t-key-0000-aaaa-bbbbccccdddd"  # a made-up RIPE Atlas key: it must never reach disk


# The query parameters the RIPE Atlas API reference and manual document, by endpoint (found
# with the search tool, 2026-12): measurements listing
# https://atlas.ripe.net/docs/apis/rest-api-reference/measurements/measurements_list
# (af, after, current_probes, description*, id*, ...) and the manual's "filter on most fields:
# id, target, type, status" (rest-api-manual/measurements/listing-measurements); probes
# listing https://atlas.ripe.net/docs/apis/rest-api-reference/probes/probes_list (asn*,
# country_code*, ...) and the probes manual's "filter on most probe fields directly (e.g. status,
# asn_v4, country_code)" and "radius=<latitude>,<longitude>:<radius_km>"
# (https://atlas.ripe.net/docs/apis/rest-api-manual/probes/listing-probes); results
# (rest-api-manual/measurements/results-and-latest: start, stop, probe_ids); page and page_size on every listing (generic query parameters).
DOCUMENTED_FILTERS = {
    "/api/v2/measurements/": {"af", "after", "current_probes", "description", "id", "id__in",
                              "target", "type", "status", "page", "page_size"},
    "/api/v2/probes/": {"asn", "asn_v4", "asn_v6", "country_code", "country_code__in",
                        "status", "radius", "page", "page_size"},
    "results": {"start", "stop", "probe_ids"},
}  # fmt: skip


def undocumented_filters(path: str) -> list[str]:
    """Returns the query parameters of a RIPE Atlas API request that the API reference does
    not document (other services' paths are not checked)."""
    route, _, query = path.partition("?")
    if not query or not route.startswith("/api/v2/"):
        return []
    if route.endswith("/results") or route.endswith("/results/"):
        allowed = DOCUMENTED_FILTERS["results"]
    elif route in DOCUMENTED_FILTERS:
        allowed = DOCUMENTED_FILTERS[route]
    else:
        return [f"(no documented filters for {route})"]
    names = [part.split("=", 1)[0] for part in query.split("&") if part]
    return [name for name in names if name not in allowed]


def load_recorded(recorded: Path, name: str) -> Any:
    """Returns a recorded JSON fixture file, decoded."""
    return orjson.loads((recorded / name).read_bytes())


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    behaviour: str = "normal"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ReplayServer:
    """The running server: `host_port` for cousteau's `server=`, `ca_file` for `verify=`."""

    host_port: str
    ca_file: str
    answers: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    last: dict[tuple[str, str], Answer] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"https://{self.host_port}"

    @property
    def paths_seen(self) -> list[str]:
        return [s.path for s in self.seen]

    def add(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        behaviour: str = "normal",
    ) -> None:
        """Records one answer to `method path` (JSON-encodes `body` unless `raw` is given)."""
        payload = raw if raw is not None else orjson.dumps(body)
        answer = Answer(status, payload, tuple((headers or {}).items()), behaviour)
        with self.lock:
            self.answers.setdefault((method, path), []).append(answer)

    def next_answer(self, method: str, path: str) -> Answer | None:
        """Returns the next recorded answer; when all were given, the last one again."""
        with self.lock:
            queue = self.answers.get((method, path))
            if queue:
                self.last[(method, path)] = queue.pop(0)
            return self.last.get((method, path))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        replay = self.server.replay
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with replay.lock:
            replay.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        unknown = undocumented_filters(self.path)
        answer = replay.next_answer(self.command, self.path)
        if unknown:  # refused here: a filter the API does not know may be silently ignored
            with replay.lock:
                replay.unexpected.append(f"undocumented filter {unknown} in {self.path}")
            detail = f"undocumented filter {unknown}".encode()
            answer = Answer(400, b'{"error": {"status": 400, "detail": "' + detail + b'"}}')
        if answer is None:
            with replay.lock:
                replay.unexpected.append(f"{self.command} {self.path}")
            answer = Answer(599, b'{"error": "not recorded"}')
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.behaviour == "normal":
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
            return
        self.send_header("Content-Length", str(len(answer.body) + 100))
        self.send_header("Connection", "close")
        self.end_headers()
        if answer.behaviour == "drip":  # one byte every DRIP_S, for as long as the test lasts
            for byte in answer.body + b" " * 100:
                if replay.stopping.wait(DRIP_S):
                    break
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    break  # the client gave up
            self.close_connection = True
            return
        self.wfile.write(answer.body[: len(answer.body) // 2])
        self.wfile.flush()
        if answer.behaviour == "hang":
            replay.stopping.wait(30)
        self.close_connection = True

    do_GET = _serve
    do_POST = _serve
    do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    replay: ReplayServer


def start_replay(folder: Path) -> tuple[ReplayServer, _Server, threading.Thread]:
    """Returns a started server whose CA certificate is written to `folder`."""
    ca = trustme.CA()
    ca_file = folder / "replay-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    replay = ReplayServer(host_port=f"127.0.0.1:{httpd.server_address[1]}", ca_file=str(ca_file))
    httpd.replay = replay
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return replay, httpd, thread


def replay_server(folder: Path) -> Iterator[ReplayServer]:
    """Runs a replay server for the duration of a fixture; fails on unrecorded requests."""
    replay, httpd, thread = start_replay(folder)
    try:
        yield replay
    finally:
        replay.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert replay.unexpected == [], f"unrecorded requests: {replay.unexpected}"
