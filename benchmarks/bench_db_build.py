"""Time `iplayout db build` (median of 3) and its parts; prints figures (target: under 10 s).

Run: .venv/bin/python benchmarks/bench_db_build.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from iplayout.config import data_dir
from iplayout.db.build import build_database, collect


def timed(fn, n=3):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "bench.duckdb"
        med, all_t = timed(lambda: build_database(target, data_dir=data_dir()))
        print(f"build_database (in-process)          median {med:6.2f} s   runs {[round(t, 2) for t in all_t]}")
        med_c, _ = timed(lambda: collect(data_dir(), demo=False))
        print(f"  read + validate packages (no demo) median {med_c:6.2f} s")
        med_d, _ = timed(lambda: collect(data_dir(), demo=True))  # the generator alone is the difference
        print(f"  ... plus demo generator            median {med_d:6.2f} s")
        exe = Path(sys.executable).with_name("iplayout")
        med_cli, all_cli = timed(lambda: subprocess.run([str(exe), "db", "build", "--db", str(target)], check=True,
                                                        capture_output=True))
        print(f"`iplayout db build` (CLI, cold)      median {med_cli:6.2f} s   runs {[round(t, 2) for t in all_cli]}")
        print(f"database size {target.stat().st_size / 1e6:.1f} MB; target < 10 s: {'OK' if med_cli < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
