"""A real headless Chromium, driven over the DevTools protocol on a pipe, with no network.

Chromium runs inside a fresh network namespace (`unshare --net`: not even loopback is up)
with background networking off and a throwaway profile; the DevTools protocol goes over
fds 3/4 (`--remote-debugging-pipe`, NUL-terminated JSON), so no port is opened either.
Every request the page makes, every console message and every exception is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


@dataclass
class PageLog:
    """What one page did while loading and being used."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    exceptions: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Returns console errors, log errors and uncaught exceptions, as text."""
        found = [text for level, text in self.console if level in ("error", "assert")]
        return found + self.exceptions


class Chromium:
    """One headless Chromium process; `open(url)` gives a tab (`Page`)."""

    def __init__(self, profile: Path) -> None:
        binary = shutil.which("chromium")
        if binary is None:
            raise RuntimeError("chromium is not installed (apt-get install chromium)")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium expects the protocol on fds 3 and 4: hand the pipe ends over on fds >= 10
        # so the redirections below cannot overwrite one another.
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)
        script = f'exec "$0" "$@" 3<&{high_r} 4>&{high_w} {high_r}<&- {high_w}>&-'
        self.process = subprocess.Popen(
            ["unshare", "--net", "--", "bash", "-c", script, binary, *FLAGS,
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(high_r, high_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        os.close(high_r)
        os.close(high_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        box = self._replies.setdefault(message["id"], queue.Queue())
                    box.put(message)
                else:
                    self._events.put(message)

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, timeout_s: float = 30.0) -> dict[str, Any]:  # fmt: skip
        """Returns the result of one protocol command; raises RuntimeError on an error reply."""
        with self._lock:
            self._next_id += 1
            message_id = self._next_id
            box = self._replies.setdefault(message_id, queue.Queue())
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        try:
            reply = box.get(timeout=timeout_s)
        except queue.Empty:
            raise RuntimeError(f"no reply to {method} within {timeout_s} s") from None
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def events(self, timeout_s: float) -> list[dict[str, Any]]:
        """Returns the events that arrive within `timeout_s` seconds (at least those queued)."""
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            try:
                found.append(self._events.get(timeout=max(remaining, 0.0)))
            except queue.Empty:
                return found

    def open(self, url: str, *, width: int = 1280, height: int = 900) -> Page:
        """Returns a new tab that has loaded `url` (load event fired) with its log."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session=session)  # fmt: skip
        page.navigate(url)
        return page

    def close(self) -> None:
        """Ends the browser process (politely, then by force)."""
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close", timeout_s=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)
        if self.process.stderr is not None:
            self.process.stderr.close()


class Page:
    """A tab; `log` holds what it requested and reported since it was opened."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session
        self.log = PageLog()

    def _record(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        mine = [e for e in events if e.get("sessionId") == self.session]
        for event in mine:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                self.log.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                self.log.console.append((params["type"], text))
            elif method == "Log.entryAdded":
                entry = params["entry"]
                self.log.console.append((entry["level"], f"{entry.get('url', '')} {entry['text']}"))
            elif method == "Runtime.exceptionThrown":
                self.log.exceptions.append(json.dumps(params["exceptionDetails"]))
        return mine

    def wait_for(self, method: str, timeout_s: float = 30.0) -> dict[str, Any]:
        """Returns the first event `method` of this tab; records everything seen meanwhile."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event in self._record(self.browser.events(0.2)):
                if event["method"] == method:
                    return event
        raise RuntimeError(f"no {method} within {timeout_s} s")

    def settle(self, seconds: float = 0.5) -> None:
        """Records what the tab does during `seconds` more (late requests, late errors)."""
        self._record(self.browser.events(seconds))

    def navigate(self, url: str) -> None:
        """Loads `url` and waits for its load event."""
        self.browser.send("Page.navigate", {"url": url}, session=self.session)
        self.wait_for("Page.loadEventFired")
        self.settle()

    def evaluate(self, expression: str) -> Any:
        """Returns the value of a JavaScript expression evaluated in the page (DevTools only:
        the page itself runs no script)."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Clicks the element at `selector` with a real mouse event and waits for the load."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.browser.send("Input.dispatchMouseEvent",
                              {"type": kind, "x": box[0], "y": box[1], "button": "left",
                               "clickCount": 1}, session=self.session)  # fmt: skip
        self.wait_for("Page.loadEventFired")
        self.settle()

    def screenshot(self, path: Path, *, full_height: int | None = None) -> bytes:
        """Writes a PNG of the viewport (or the first `full_height` pixels) and returns it."""
        params: dict[str, Any] = {"format": "png"}
        if full_height is not None:
            width = self.evaluate("document.documentElement.clientWidth")
            params["clip"] = {"x": 0, "y": 0, "width": width, "height": full_height, "scale": 1}
            params["captureBeyondViewport"] = True
        data = base64.b64decode(
            self.browser.send("Page.captureScreenshot", params, session=self.session)["data"]
        )
        path.write_bytes(data)
        return data
