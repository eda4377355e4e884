"""Shared fixtures for the reporting tests: a tiny database and a copy of the fixture notebooks."""
import shutil
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

from fixture_db import make_fixture_db  # noqa: E402


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    return make_fixture_db(tmp_path_factory.mktemp("db") / "fixture.duckdb")


@pytest.fixture()
def fixture_plan(tmp_path) -> Path:
    """A writable copy of the fixture plan, notebooks and declarations (tests edit notebooks)."""
    dst = tmp_path / "plan"
    shutil.copytree(FIXTURES / "notebooks", dst / "notebooks")
    shutil.copy(FIXTURES / "notebooks.yaml", dst / "notebooks.yaml")
    shutil.copy(FIXTURES / "plan_fixture.yaml", dst / "plan_fixture.yaml")
    return dst / "plan_fixture.yaml"


@pytest.fixture(scope="session")
def codebook(fixture_db):
    from iplayout.reporting.parameters import CodeBook

    return CodeBook.from_db(fixture_db)
