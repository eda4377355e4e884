"""Generate a demo Patsnap export of N records, then import it; prints time, rows/s and peak memory per step.

Each step runs in its own child process, which reports its own peak RSS (``getrusage(RUSAGE_SELF)``);
the parent adds each child's CPU time (on a shared machine it says more than the wall time).
Targets (issue 11, import + aggregate): 10 M records ≤ 60 s, peak memory ≤ 2 GB on the 2-core machine.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_records_import.py --n 10000000 [--keep DIR] [--export CSV]

An export that is already there (``--export CSV``, or ``patsnap-<n>.csv`` in ``--keep DIR``) is reused when its
``.demo.json`` sidecar says it is this generator's Patsnap file of the same n and seed (generating 10 M rows takes
minutes); the output says whether it was generated or reused.
"""
from __future__ import annotations

import argparse
import json
import os
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
SEED = 7
t0 = time.perf_counter()
if step == "generate":
    from iplayout.db.records.generator import write_demo_patents
    write_demo_patents(path, n=n, seed=SEED)
    out = {"bytes": path.stat().st_size}
elif step == "build":
    from iplayout.db.build import build_database
    build_database(db, demo=False)
    out = {}
else:
    from iplayout.db.records.importer import import_records
    rep = import_records(path, db_path=db, fmt="patsnap", record=False)
    out = {"new": rep.new, "bad": rep.rows_bad, "observations": rep.observations}
import resource
out["seconds"] = time.perf_counter() - t0
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this child's own peak (Linux: KiB)
print(json.dumps(out))
"""


def run_step(step: str, path: Path, db: Path, n: int) -> dict:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = use.ru_utime + use.ru_stime
    proc = subprocess.run([sys.executable, "-c", CHILD, step, str(path), str(db), str(n)], check=True,
                          capture_output=True, text=True)
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["cpu_seconds"] = use.ru_utime + use.ru_stime - cpu0  # on a shared machine CPU time says more than wall time
    return res


SEED = 7


def reusable(path: Path, n: int) -> bool:
    """``path`` is the export ``write_demo_patents(path, n=n, seed=SEED)`` writes (by its sidecar)."""
    from iplayout.db.records.generator import DEMO_SUFFIX, GENERATOR_VERSION

    side = Path(str(path) + DEMO_SUFFIX)
    if not (path.is_file() and side.is_file()):
        return False
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except ValueError:
        return False
    want = {"n": n, "seed": SEED, "kind": "patent", "fmt": "patsnap", "header_variant": "original",
            "encoding": "utf-8", "generator_version": GENERATOR_VERSION}
    return all(meta.get(k) == v for k, v in want.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None, help="Folder to keep the export and database in.")
    ap.add_argument("--export", type=Path, default=None,
                    help="The export to import: reused when its sidecar matches --n and the seed, else generated there.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path, db = args.export or folder / f"patsnap-{args.n}.csv", folder / "bench.duckdb"
        wall = time.perf_counter()
        run_step("build", path, db, args.n)
        reuse = reusable(path, args.n)
        gen = None if reuse else run_step("generate", path, db, args.n)
        imp = run_step("import", path, db, args.n)
        print(f"records: {args.n:,}; export {path.stat().st_size / 1e9:.2f} GB "
              f"({'reused: ' if reuse else 'generated: '}{path}); database {db.stat().st_size / 1e9:.2f} GB")
        for name, r in (("generate", gen), ("import", imp)):
            if r is None:
                continue
            peak = f"{r['peak_rss_mb']:,.0f} MB"
            print(f"  {name:9s} {r['seconds']:8.1f} s wall, {r['cpu_seconds']:8.1f} s CPU  "
                  f"{args.n / r['seconds']:>12,.0f} rows/s  peak RSS {peak}")
        print(f"  import result: new {imp['new']:,}, bad {imp['bad']:,}, record observations {imp['observations']}")
        print(f"  total wall time {time.perf_counter() - wall:.1f} s (incl. an empty `db build`); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
