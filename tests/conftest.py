"""Suite-wide setup: every test session reads a database freshly built from the bundled packages.

Built once into a temporary folder (≈2 s) and announced through ``IPLAYOUT_DB`` before collection,
so tests never depend on (or skip because of) whatever a developer has in ``build/``, and
notebook kernels started by the tests inherit the same path.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def pytest_configure(config):
    if os.environ.get("IPLAYOUT_TEST_DB_READY"):
        return  # already done (e.g. xdist workers)
    from iplayout.config import data_dir
    from iplayout.db.build import build_database

    folder = Path(tempfile.mkdtemp(prefix="iplayout-test-db-"))
    path = folder / "iplayout.duckdb"
    build_database(path, data_dir=data_dir())
    os.environ["IPLAYOUT_DB"] = str(path)
    # keep the stage cache of test runs away from the developer's build/cache
    os.environ.setdefault("IPLAYOUT_CACHE_DIR", str(folder / "cache"))
    os.environ["IPLAYOUT_TEST_DB_READY"] = "1"
    _start_font_conversion(config)


def _start_font_conversion(config) -> None:
    """On a machine without the converted CJK faces (CI), convert them in the background from the start: the
    suite runs on one core, the conversion (≈ 160 CPU-s) takes the other, and the first Chromium PDF waits for it."""
    from iplayout.font_truetype import convert_in_background
    from iplayout.reporting.chromium_pdf import browser_path

    if browser_path() is None:
        return
    config._iplayout_font_proc = convert_in_background()


def pytest_unconfigure(config):
    proc = getattr(config, "_iplayout_font_proc", None)
    if proc is not None and proc.poll() is None:
        proc.terminate()  # files are written atomically and the lock dies with it: nothing half-made stays
        proc.wait(timeout=30)
