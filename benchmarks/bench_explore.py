"""Build the layout explorer for the national and Jiangsu territories; print build time and site size.

Targets (issue 17): ≤ 10 s build, ≤ 15 MB site for all indicators × years of both territories.
Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_explore.py [--db PATH] [--runs reports/]
(one build, as on a shared 2-core machine; without --db a fresh database is built first, not timed).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from iplayout import open_db
from iplayout.config import data_dir
from iplayout.db.build import build_database
from iplayout.explore.site import build_site

TARGET_S, TARGET_MB = 10.0, 15.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--runs", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db
        if db_path is None:
            db_path = Path(tmp) / "bench.duckdb"
            build_database(db_path, data_dir=data_dir())
        t0, c0 = time.perf_counter(), time.process_time()
        with open_db(db_path) as db:
            s = build_site(db, Path(tmp) / "site", runs_dir=args.runs, territories=["100000", "320000"])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        mb = s["bytes"] / 1e6
        assets = sum(f.stat().st_size for f in (Path(tmp) / "site" / "assets").iterdir()) / 1e6
        print(f"explorer build (national + Jiangsu)   {wall:6.2f} s   target ≤ {TARGET_S:.0f} s: "
              f"{'OK' if wall <= TARGET_S else 'MISSED'}   (CPU {cpu:.2f} s; wall time grows when the machine is shared)")
        print(f"site size                             {mb:6.2f} MB  target ≤ {TARGET_MB:.0f} MB: "
              f"{'OK' if mb <= TARGET_MB else 'MISSED'}   ({s['files']} files; assets incl. ECharts {assets:.2f} MB)")
        for code, t in s["territories"].items():
            print(f"  territory {code}: {t['indicators']:4d} indicators   {t['bytes'] / 1e6:6.2f} MB in {t['files']} files")


if __name__ == "__main__":
    main()
