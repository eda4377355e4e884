"""Regenerate the golden result tables of every shipped spec and published example.

Generated ONCE from the engine before index systems of any depth (issue 16) were added, so
``test_golden_two_level.py`` proves that existing two-level specs still give identical tables.
Run only when a deliberate change of results is reviewed:
``PYTHONPATH=src python tests/evaluation/golden/make_golden.py``.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from golden_cases import CASES, DB_CASES, run_case, run_db_case  # noqa: E402


def main() -> None:
    import os

    from iplayout.config import data_dir
    from iplayout.db.build import build_database

    for name, spec, table in CASES:
        _store(name, run_case(spec, table))
    path = Path(tempfile.mkdtemp()) / "golden.duckdb"
    build_database(path, data_dir=data_dir())
    os.environ["IPLAYOUT_DB"] = str(path)
    import iplayout
    with iplayout.open_db() as db:
        for name, spec, territory, years in DB_CASES:
            _store(name, run_db_case(db, spec, territory, years))


def _store(name: str, tables: dict) -> None:
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    for t, df in tables.items():
        df.to_csv(folder / f"{t}.csv", index=False, float_format="%.15g")
    print(name, sorted(tables))


if __name__ == "__main__":
    main()
