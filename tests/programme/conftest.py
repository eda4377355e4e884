"""Fixtures of the programme-tracking tests (helpers live in programme_helpers.py)."""
import shutil
from pathlib import Path

import pytest

from programme_helpers import PROGRAMME


@pytest.fixture()
def programme_copy(tmp_path) -> Path:
    dst = tmp_path / "programme.yaml"
    shutil.copy(PROGRAMME, dst)
    return dst
