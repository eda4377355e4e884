"""Generate a demo Patsnap export of N records, then import it; prints time, rows/s and peak memory per step.

Each step runs in its own child process so its peak RSS (``resource.getrusage(RUSAGE_CHILDREN)``) is its own.
Targets (issue 11, import + aggregate): 10 M records ≤ 60 s, peak memory ≤ 2 GB on the 2-core machine.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_records_import.py --n 10000000 [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, sys, time
from pathlib import Path
step, path, db, n = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
t0 = time.perf_counter()
if step == "generate":
    from iplayout.db.records.generator import write_demo_patents
    write_demo_patents(path, n=n, seed=7)
    out = {"bytes": path.stat().st_size}
elif step == "build":
    from iplayout.db.build import build_database
    build_database(db, demo=False)
    out = {}
else:
    from iplayout.db.records.importer import import_records
    rep = import_records(path, db_path=db, fmt="patsnap", record=False)
    out = {"new": rep.new, "bad": rep.rows_bad, "observations": rep.observations}
out["seconds"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def run_step(step: str, path: Path, db: Path, n: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-c", CHILD, step, str(path), str(db), str(n)], check=True,
                          capture_output=True, text=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    # ru_maxrss of children is the largest of any child so far: a step's own peak only when it beats the earlier ones
    res["peak_rss_mb"] = peak_kb / 1024 if peak_kb > before else None
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None, help="Folder to keep the export and database in.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path, db = folder / f"patsnap-{args.n}.csv", folder / "bench.duckdb"
        wall = time.perf_counter()
        run_step("build", path, db, args.n)
        gen = run_step("generate", path, db, args.n)
        imp = run_step("import", path, db, args.n)
        print(f"records: {args.n:,}; export {gen['bytes'] / 1e9:.2f} GB; database {db.stat().st_size / 1e9:.2f} GB")
        for name, r in (("generate", gen), ("import", imp)):
            peak = f"{r['peak_rss_mb']:,.0f} MB" if r["peak_rss_mb"] else "≤ previous step"
            print(f"  {name:9s} {r['seconds']:8.1f} s  {args.n / r['seconds']:>12,.0f} rows/s  peak RSS {peak}")
        print(f"  import result: new {imp['new']:,}, bad {imp['bad']:,}, record observations {imp['observations']}")
        print(f"  total wall time {time.perf_counter() - wall:.1f} s (incl. an empty `db build`)")


if __name__ == "__main__":
    main()
