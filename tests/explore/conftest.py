"""Fixtures of the explorer tests: one finished run folder and one Jiangsu site built from it by the CLI."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # browser_helpers
from explore_fixtures import make_run  # noqa: E402


@pytest.fixture(scope="session")
def reports_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    make_run(root)
    return root


@pytest.fixture(scope="session")
def site(reports_dir) -> Path:
    """The Jiangsu explorer built through the CLI next to the run folder (``reports/explore``)."""
    from iplayout.cli import main

    out = reports_dir / "explore"
    assert main(["explore", "--db", os.environ["IPLAYOUT_DB"], "--runs", str(reports_dir), "-o", str(out),
                 "-t", "320000"]) == 0
    return out


@pytest.fixture(scope="session")
def db():
    from iplayout import open_db

    with open_db(os.environ["IPLAYOUT_DB"]) as d:
        yield d
