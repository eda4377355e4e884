"""One database per test session (built in a tmp dir), copied when a test needs to write."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iplayout.config import data_dir
from iplayout.db.build import build_database


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "iplayout.duckdb"
    summary = build_database(path, data_dir=data_dir())
    return summary


@pytest.fixture(scope="session")
def db_path(built) -> Path:
    return built.db_path


@pytest.fixture(scope="session")
def db(db_path):
    from iplayout.db.api import open_db

    with open_db(db_path) as handle:
        yield handle


@pytest.fixture
def db_copy(db_path, tmp_path) -> Path:
    """A private copy for tests that import into the database."""
    dst = tmp_path / "copy.duckdb"
    shutil.copy2(db_path, dst)
    return dst
