"""Time the international comparison end to end: demo country file → import → WLD and national evaluation stages.

Run: .venv/bin/python benchmarks/bench_international.py   (builds a private database in a temp folder)
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from iplayout.config import data_dir
from iplayout.db.api import open_db
from iplayout.db.build import build_database
from iplayout.db.demo_countries import write_demo_countries
from iplayout.db.importer import import_file
from iplayout.stages import prepare_stage
from iplayout.stages.international import international_comparison


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build_database(db, data_dir=data_dir(), imports=False)
        t = {}
        t0 = time.perf_counter()
        rows = write_demo_countries(Path(tmp) / "demo.csv", db_path=db)
        t["demo file (rows=%d)" % len(rows)] = time.perf_counter() - t0
        t0 = time.perf_counter()
        import_file(Path(tmp) / "demo.csv", db_path=db, record=False)
        t["import"] = time.perf_counter() - t0
        with open_db(db) as handle:
            t0 = time.perf_counter()
            table = international_comparison(handle, 2022)
            t["comparison table (rows=%d)" % len(table)] = time.perf_counter() - t0
        for territory in ("WLD", "100000"):
            t0 = time.perf_counter()
            prepare_stage("evaluation", db_path=db, territory=territory, year=2022, out_dir=Path(tmp) / "stages")
            t[f"evaluation stage {territory}"] = time.perf_counter() - t0
    for name, sec in t.items():
        print(f"{name:40s} {sec:7.2f} s")


if __name__ == "__main__":
    main()
