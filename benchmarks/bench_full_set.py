"""Time the full default report set (`make report`: `db build`, then `iplayout run` of the default plans).

Runs the plans through one warm process pool, as the CLI does, into a temporary reports folder, and
prints each plan's breakdown from its manifest (stage preparation, execution/HTML/PDF summed over
workers, index) and the totals. The load average is printed before and after: on a shared machine the
figures are upper bounds. Target (issue 15): the whole set in ≤ 120 s on 2 cores.

Usage:
    python benchmarks/bench_full_set.py                      # builds a database into a temp folder first
    python benchmarks/bench_full_set.py --db /tmp/ip.duckdb  # an existing database (no build)
    python benchmarks/bench_full_set.py --plans params/runs/national.yaml --no-pdf
    python benchmarks/bench_full_set.py --rerun    # then rebuild the database and run again, as a second
                                                   # `make report` does: unchanged reports are reused
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_run import add_pdf_engine_option, apply_pdf_engine  # noqa: E402  (same folder)

ROOT = Path(__file__).resolve().parents[1]
#: the Makefile's PLANS (`make report`)
DEFAULT_PLANS = ["params/runs/national.yaml", "params/runs/jiangsu-stage-2016.yaml",
                 "params/runs/jiangsu-final-2018.yaml"]
SUMS = ("stage_seconds", "execute_seconds", "report_execute_seconds", "report_html_seconds", "report_pdf_seconds",
        "index_seconds", "total_seconds")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None, help="existing database (default: build one, timed)")
    ap.add_argument("--plans", nargs="+", default=DEFAULT_PLANS)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-pdf", action="store_true")
    ap.add_argument("--fresh-kernels", action="store_true")
    ap.add_argument("--keep", type=Path, default=None, help="write the run folders here (default: a temp folder)")
    ap.add_argument("--rerun", action="store_true",
                    help="after the first pass, rebuild the database and run the plans again into the same folder "
                         "(what a second `make report` does; reports whose content key is unchanged are reused)")
    add_pdf_engine_option(ap)
    args = ap.parse_args()
    apply_pdf_engine(args)

    from iplayout.reporting.backends import LocalBackend  # noqa: PLC0415
    from iplayout.reporting.chromium_pdf import pdf_engine  # noqa: PLC0415

    tmp = Path(tempfile.mkdtemp(prefix="iplayout-bench-full-"))
    out = args.keep or tmp / "reports"
    load0 = os.getloadavg()
    try:
        t0 = time.perf_counter()
        from iplayout.config import data_dir  # noqa: PLC0415
        from iplayout.db.build import build_database  # noqa: PLC0415

        db = args.db
        build_s = 0.0
        if db is None:
            db = tmp / "iplayout.duckdb"
            build_database(db, data_dir=data_dir())
            build_s = time.perf_counter() - t0
        backend = LocalBackend(args.workers)
        try:
            n, failed, reused, totals, run_s = _run_plans(args, backend, db, out)
            if args.rerun:
                t2 = time.perf_counter()
                if args.db is None:  # our own temporary database: a fresh file, as `make report` rebuilds it
                    build_database(db, data_dir=data_dir())
                rebuild_s = time.perf_counter() - t2
                print("-- second pass (database rebuilt unless --db, nothing else changed):", flush=True)
                n2, failed2, reused2, totals2, run2_s = _run_plans(args, backend, db, out)
                print(f"rerun: {n2 + reused2} reports ({reused2} reused, {n2} executed, {failed2} failed) in "
                      f"{run2_s:.1f} s run + {rebuild_s:.1f} s db build (first pass {run_s:.1f} s: "
                      f"{run_s / max(run2_s, 1e-9):.1f}× slower)", flush=True)
        finally:
            backend.close()
        load1 = os.getloadavg()
        print(f"full set: {n} reports ({failed} failed) in {run_s:.1f} s run"
              + (f" + {build_s:.1f} s db build" if build_s else " (database given)")
              + f"  — target ≤ 120 s; {run_s / max(n, 1):.2f} s/report wall, workers {args.workers or 'cores'}"
              f", cores {os.cpu_count()}, PDF engine {pdf_engine()}")
        print(f"  stages {totals['stage_seconds']:.1f} s | reports wall {totals['execute_seconds']:.1f} s | summed "
              f"over workers: execution {totals['report_execute_seconds']:.1f} s, HTML {totals['report_html_seconds']:.1f} s, "
              f"PDF {totals['report_pdf_seconds']:.1f} s | index {totals['index_seconds']:.1f} s")
        print(f"  load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, after "
              f"{load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} (shared machine: upper bounds)")
        print(json.dumps({"reports": n, "reused": reused, "failed": failed, "run_s": round(run_s, 1), "build_s": round(build_s, 1),
                          **{k: round(v, 1) for k, v in totals.items()}, "load_before": load0[0], "load_after": load1[0]}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_plans(args, backend, db: Path, out: Path):
    """Run every plan once into ``out``; (executed, failed, reused, summed timings, wall seconds)."""
    from iplayout.reporting.cli import timing_line  # noqa: PLC0415
    from iplayout.reporting.plans import load_plan  # noqa: PLC0415
    from iplayout.reporting.runner import run_plan  # noqa: PLC0415

    t1 = time.perf_counter()
    totals = dict.fromkeys(SUMS, 0.0)
    n = failed = reused = 0
    for plan in args.plans:
        outcome = run_plan(load_plan(ROOT / plan), backend=backend, db_path=db, reports_root=out,
                           pdf=not args.no_pdf, fresh_kernels=args.fresh_kernels)
        t = outcome.manifest["timings"]
        k = t.get("reports_executed", 0)
        n += k
        reused += t.get("reports_reused", 0)
        failed += len(outcome.failed)
        for key in SUMS:
            totals[key] += float(t.get(key) or 0.0)
        print(f"{Path(plan).name}: {k} reports executed, {t.get('reports_reused', 0)} reused, "
              f"{len(outcome.failed)} failed", flush=True)
        print("    " + timing_line(t), flush=True)
    return n, failed, reused, totals, time.perf_counter() - t1


if __name__ == "__main__":
    sys.exit(main())
