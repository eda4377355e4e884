"""Print-page HTML → PDF with one persistent headless Chromium per process (the default PDF engine).

Chosen by :func:`pdf_engine`: ``IPLAYOUT_PDF_ENGINE`` (``iplayout run --pdf-engine``) when set, else
Chromium when a browser is on PATH, else WeasyPrint. The variable reaches the pool's workers, which each
keep one browser and print every report in a new tab over the DevTools protocol (``tornado.websocket``).

Same print page and CSS as WeasyPrint, with these differences handled here:

* no ``string-set``: the running title is written into the ``@page`` rule literally (:func:`chromium_css`);
* no ``leader()``/``target-counter()``: the TOC gets a dotted flex leader and its page numbers from a
  second print (:mod:`.chromium_toc`; the numbers are checked against the final PDF's destinations);
* Skia embeds CFF outlines and synthetic bold as Type 3: the browser gets its own fontconfig with the CJK
  face converted to TrueType once per machine, plus an emboldened face (:mod:`iplayout.font_truetype`),
  so the PDF carries subset CID TrueType fonts;
* Skia writes creation/modification dates: they are blanked, so the same notebook gives the same bytes.

Page size, margins, the running header, "第 N 页 / 共 M 页" and the demo mark come from the same
print CSS (``@page`` margin boxes, supported since Chromium 131).
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .chromium_toc import (HEADINGS_ONLY_CSS, TOC_CSS, PageGuesses, named_destination_pages, nav_targets,
                           set_style_js, stable_bytes, toc_nav, toc_page_css)

ENGINE_ENV = "IPLAYOUT_PDF_ENGINE"
ENGINES = ("weasyprint", "chromium")
#: the headless shell first: the same Blink and Skia (pixel-identical pages, same fonts) without the full
#: browser around them, ≈ half the browser CPU per print (1.2 → 0.6 CPU-s, a city survey report)
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
_browser: ChromiumPrinter | None = None
#: TOC → the pages its headings landed on in this worker's earlier reports (a guess, checked: :meth:`print_pdf`)
_TOC_GUESSES = PageGuesses()


def pdf_engine() -> str:
    """The PDF engine: ``IPLAYOUT_PDF_ENGINE`` when it names one, else Chromium when a browser is on PATH,
    else WeasyPrint (the fallback needs no browser). Chromium means the headless shell when it is installed
    (Debian ``chromium-headless-shell``), else the full browser."""
    value = os.environ.get(ENGINE_ENV, "").strip().lower()
    if value in ENGINES:
        return value
    return "chromium" if browser_path() is not None else "weasyprint"


def browser_path() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return unwrapped(found)
    return None


def unwrapped(path: str) -> str:
    """The binary that a one-command wrapper script runs, else ``path``.

    Debian's ``/usr/bin/chromium-headless-shell`` is ``#!/bin/sh`` + ``/usr/lib/chromium/chromium-headless-shell
    "$@"``: the shell runs the browser as its child instead of replacing itself (no ``exec``), so terminating the
    process we started — and the parent-death signal, which reaches only that process — left the browser running
    after every run. Started directly, the browser is our child. (Debian's ``chromium`` wrapper sets up flags and
    ``exec``s; it has more than one command and is kept.)
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return path
    if not head.startswith(b"#!"):
        return path
    commands = [ln.strip() for ln in head.decode("utf-8", "replace").splitlines()[1:]
                if ln.strip() and not ln.strip().startswith("#")]
    if len(commands) != 1 or '"$@"' not in commands[0]:
        return path
    words = commands[0].split()
    target = words[1] if words[0] == "exec" and len(words) > 1 else words[0]
    if target.startswith("/") and os.path.isfile(target) and os.access(target, os.X_OK):
        return target
    return path


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{out}"'


def chromium_css(title: str) -> str:
    """Print-CSS overrides for Chromium: the running title as a literal (no ``string-set``)."""
    return ("@page { @top-center { content: " + css_string(title) + "; } }\n"
            "@page :first { @top-center { content: none; } }\n" + TOC_CSS)


class ChromiumPrinter:
    """One headless browser; :meth:`print_pdf` renders an HTML file in a fresh tab."""

    def __init__(self, executable: str, *, timeout: float = 120):
        self.executable = executable
        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="iplayout-chromium-"))
        self.proc: subprocess.Popen | None = None
        self.ws = None
        self._id = 0
        self._loop = None
        self._target: str | None = None
        self._session: str | None = None
        self.printed = 0  # pages printed (a warm-up page counts)

    def start(self) -> None:
        import asyncio  # noqa: PLC0415

        from tornado.websocket import websocket_connect  # noqa: PLC0415

        from ..font_truetype import chromium_fontconfig  # noqa: PLC0415

        env = dict(os.environ, FONTCONFIG_FILE=str(chromium_fontconfig()))  # the TrueType CJK faces only
        # not --single-process: ≈ 14 % less CPU per print (1.77 → 1.53 s, pixel-identical pages), but in a full
        # report set 5 of 201 prints hung until the DevTools timeout (120 s each); multi-process never did
        self.proc = subprocess.Popen(
            [self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
             "--disable-crash-reporter", "--disable-breakpad", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, preexec_fn=_die_with_parent)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or len(port_file.read_text().split()) < 2:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.executable} did not start (exit code {self.proc.poll()})")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        async def connect():  # inside the loop, so tornado binds the connection to it
            return await websocket_connect(f"ws://127.0.0.1:{port}{path}", max_message_size=1 << 30)

        self._loop = asyncio.new_event_loop()
        self.ws = self._loop.run_until_complete(connect())

    def _call(self, method: str, params: dict | None = None, session: str | None = None,
              until_event: str | None = None) -> dict:
        """Send one command; wait for its reply (and, with ``until_event``, for that event of the session)."""
        import asyncio  # noqa: PLC0415

        self._id += 1
        mid = self._id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session

        async def go() -> dict:
            await self.ws.write_message(json.dumps(msg))
            reply, seen = None, until_event is None
            while reply is None or not seen:
                raw = await self.ws.read_message()
                if raw is None:
                    raise RuntimeError("the browser closed the DevTools connection")
                m = json.loads(raw)
                if m.get("id") == mid:
                    if "error" in m:
                        raise RuntimeError(f"{method}: {m['error'].get('message')}")
                    reply = m.get("result", {})
                elif until_event and m.get("method") == until_event and m.get("sessionId") == session:
                    seen = True
            return reply

        return self._loop.run_until_complete(asyncio.wait_for(go(), self.timeout))

    def print_pdf(self, html_path: Path, toc_ids: list[str] | tuple[str, ...] = (),
                  guess: dict[str, int] | None = None) -> tuple[bytes, dict[str, int]]:
        """PDF bytes of ``html_path`` (A4 and margins from its ``@page`` rules), and the TOC targets' pages.

        With ``toc_ids`` (the headings the TOC links to) the page is printed twice: the first print, with
        only the headings painted, gives each heading's page through the PDF's named destinations, the
        numbers go into the TOC, and the second PDF must have the same destinations (else a third pass; a
        fourth disagreement is an error). ``guess`` (the pages of an earlier report with the same TOC)
        replaces the first print: the final print with the guessed numbers is checked the same way, and
        only a wrong guess costs a second full print. The numbers sit in fixed-width boxes, so wrong numbers
        never move a heading: the pages read from that print are the right ones.
        """
        session = self._tab()
        self.printed += 1
        try:
            self._call("Page.navigate", {"url": Path(html_path).resolve().as_uri()}, session=session,
                       until_event="Page.loadEventFired")
            if not toc_ids:
                return stable_bytes(self._print(session, final=True)), {}
            if guess is not None and all(sid in guess for sid in toc_ids):
                self._set_style(session, toc_page_css({sid: guess[sid] for sid in toc_ids}))
                data = self._print(session, final=True)
                pages = named_destination_pages(data)
                if all(pages.get(sid) == guess[sid] for sid in toc_ids):
                    return stable_bytes(data), {sid: guess[sid] for sid in toc_ids}
            else:
                self._set_style(session, HEADINGS_ONLY_CSS)
                pages = named_destination_pages(self._print(session, final=False))
            for _ in range(3):
                missing = [sid for sid in toc_ids if sid not in pages]
                if missing:
                    raise RuntimeError(f"Chromium PDF: no destination for TOC target(s) {missing[:5]}")
                wanted = {sid: pages[sid] for sid in toc_ids}
                self._set_style(session, toc_page_css(wanted))
                data = self._print(session, final=True)
                pages = named_destination_pages(data)
                if all(pages.get(sid) == n for sid, n in wanted.items()):
                    break
            else:
                raise RuntimeError("Chromium PDF: TOC page numbers moved the headings three times")
            return stable_bytes(data), wanted
        except Exception:
            self._close_tab()  # a tab in an unknown state is not reused
            raise

    def _tab(self) -> str:
        """DevTools session of the tab every report is printed in (opened on first use).

        One tab, navigated from report to report, keeps its renderer process: a new tab per report would
        start a renderer each time (≈ 0.5 CPU-s). Each navigation loads a fresh document, so nothing of the
        previous report (its TOC style included) survives."""
        if self._session is None:
            self._target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self._call("Target.attachToTarget", {"targetId": self._target, "flatten": True})
            self._session = attached["sessionId"]
            self._call("Page.enable", session=self._session)
        return self._session

    def _close_tab(self) -> None:
        target, self._target, self._session = self._target, None, None
        if target is not None:
            try:
                self._call("Target.closeTarget", {"targetId": target})
            except Exception:  # noqa: BLE001  (the browser is gone: the caller restarts it)
                pass

    def _set_style(self, session: str, css: str) -> None:
        self._call("Runtime.evaluate", {"expression": set_style_js(css), "awaitPromise": True}, session=session)

    def _print(self, session: str, *, final: bool) -> bytes:
        """One print of the open tab; the final one is tagged (``/Lang``, structure) with a bookmark outline
        of the headings, as WeasyPrint writes (Chromium builds the outline from the tags; ≈ +25 % bytes)."""
        res = self._call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True,
                                             "generateDocumentOutline": final, "generateTaggedPDF": final},
                         session=session)
        return base64.b64decode(res["data"])

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._loop is not None:
            self._loop.close()
            self._loop = None
        shutil.rmtree(self.profile, ignore_errors=True)


def _die_with_parent() -> None:
    """In the browser's process before exec: SIGTERM when the worker that started it dies (Linux prctl);
    a killed pool worker must not leave a browser behind."""
    try:
        import ctypes  # noqa: PLC0415
        import signal  # noqa: PLC0415

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001  (not Linux: atexit still closes it on a normal exit)
        pass


def _printer() -> ChromiumPrinter:
    global _browser
    if _browser is None or not _browser.alive():
        if _browser is not None:
            _browser.close()
        exe = browser_path()
        if exe is None:
            raise RuntimeError("no Chromium found (install the Debian package chromium)")
        _browser = ChromiumPrinter(exe)
        _browser.start()
    return _browser


def warm_up(css: str) -> None:
    """Start this process's browser and print one short Chinese page in the report CSS ``css``, so that the first
    report does not also pay the browser's start, its renderer and the CJK faces' loading (≈ 1.5 CPU-s)."""
    printer = _printer()
    if printer.printed:
        return
    page = printer.profile / "warm-up.html"
    page.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>' + css
                    + '</style></head><body><h2>知识产权区域布局</h2><p>江苏省专利授权量 2016 年</p>'
                    '<table class="ipl-table"><tr><th>地区</th><td>南京</td></tr></table></body></html>',
                    encoding="utf-8")
    printer.print_pdf(page)


def render_pdf_chromium(page_html: str, out_path: Path) -> None:
    """Write ``page_html`` (the print page of :func:`~iplayout.reporting.render.render_print_html`) as a PDF.

    The page goes to a temporary file next to ``out_path`` (file URLs; nothing is fetched from the network),
    printed by this process's browser; a browser that died is restarted once.
    """
    out_path = Path(out_path)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.print.html")
    key = toc_nav(page_html)  # the page is searched once: a megabyte of base64 charts
    toc = nav_targets(key)
    tmp.write_text(page_html, encoding="utf-8")
    try:
        try:
            data, pages = _printer().print_pdf(tmp, toc, _TOC_GUESSES.guess(key))
        except Exception:  # noqa: BLE001  (crashed or hung browser: one fresh try)
            close_printer()
            data, pages = _printer().print_pdf(tmp, toc)
        out_path.write_bytes(data)
    finally:
        tmp.unlink(missing_ok=True)
    if pages:
        _TOC_GUESSES.record(key, pages)


def close_printer() -> None:
    global _browser
    if _browser is not None:
        _browser.close()
        _browser = None


atexit.register(close_printer)
