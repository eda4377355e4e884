"""Headless Chromium for browser tests: the Debian binary, offline flags, and a small DevTools-protocol driver.

``chromium_or_skip`` fails instead of skipping under ``CI=true`` (the browser tests must run in CI).
:class:`Browser` starts ``chromium --remote-debugging-port=0``, reads the DevTools websocket URL it prints on
stderr and talks CDP over ``tornado.websocket`` (already a dependency through Jupyter): ``evaluate`` runs
JavaScript in the page (awaiting promises), ``click`` sends real mouse events, and every
``Network.requestWillBeSent`` URL is kept in ``requests`` so a test can prove that no request left the machine.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

#: flags for a headless run that never reaches the network and leaves no state behind
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_or_skip() -> str:
    """Path of Debian's chromium; in CI (``CI=true``) a missing browser fails the test instead of skipping it."""
    exe = shutil.which("chromium")
    if exe is None:
        msg = "chromium not installed: run scripts/system-deps.sh (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg + " — the browser tests must run in CI")
        pytest.skip(msg)
    return exe


class Browser:
    """One headless Chromium page driven through the DevTools protocol (use as a context manager)."""

    def __init__(self, profile_dir: Path, *, width: int = 1400, height: int = 950, timeout: float = 20.0):
        self.exe = chromium_or_skip()
        self.profile_dir, self.size, self.timeout = Path(profile_dir), (width, height), timeout
        self.requests: list[str] = []
        self.loop = asyncio.new_event_loop()
        self._id = 0

    # --- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> "Browser":
        env = dict(os.environ)
        try:  # Chinese glyphs for screenshots (fontconfig file with the project's CJK font)
            from iplayout.fonts import setup_fontconfig
            env["FONTCONFIG_FILE"] = str(setup_fontconfig())
        except Exception:  # noqa: BLE001 - fonts only matter for pixels, never for the assertions
            pass
        self.proc = subprocess.Popen(
            [self.exe, *CHROMIUM_FLAGS, "--remote-debugging-port=0", f"--user-data-dir={self.profile_dir}",
             f"--window-size={self.size[0]},{self.size[1]}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        url, deadline = None, time.monotonic() + self.timeout
        while url is None and time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                break
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            url = m.group(1) if m else None
        if url is None:
            self.close()
            raise RuntimeError("chromium did not print its DevTools URL")
        self.loop.run_until_complete(self._connect(url))
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if getattr(self, "proc", None) is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.loop.close()

    async def _connect(self, url: str) -> None:
        from tornado.websocket import websocket_connect

        self.ws = await websocket_connect(url, max_message_size=64 * 1024 * 1024)
        target = (await self._send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        self.session = (await self._send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            await self._send(f"{domain}.enable", session=self.session)

    # --- protocol -------------------------------------------------------------------------------
    async def _send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        await self.ws.write_message(json.dumps(msg))
        while True:
            raw = await asyncio.wait_for(self.ws.read_message(), self.timeout)
            if raw is None:
                raise RuntimeError("DevTools connection closed")
            m = json.loads(raw)
            if m.get("method") == "Network.requestWillBeSent":
                self.requests.append(m["params"]["request"]["url"])
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.loop.run_until_complete(self._send(method, params, self.session))

    # --- page helpers ---------------------------------------------------------------------------
    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression: str):
        """Value of a JavaScript expression in the page (promises awaited); a page exception raises."""
        res = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"].get("exception", {}).get("description")
                               or res["exceptionDetails"].get("text"))
        return res.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float | None = None):
        """Poll ``expression`` until it is truthy; return its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def click(self, x: float, y: float) -> None:
        """A real left click (press + release) at page coordinates."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def screenshot(self, path: Path) -> Path:
        import base64

        Path(path).write_bytes(base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"]))
        return Path(path)
