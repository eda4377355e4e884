"""Time `iplayout run` against a naive sequential papermill CLI loop over the same reports.

The naive loop is what researchers did before: for every report, `papermill IN OUT -p …` in a fresh
process (interpreter start + imports + kernel start), then `jupyter nbconvert --to html`. Our runner
uses a warm process pool with one warm kernel per worker, renders HTML *and* PDF in the workers, and
prepares stages once. ``--repeat N`` alternates ours and the naive loop N times and prints medians;
the load average is printed next to every figure (the machine may be shared).

Usage:
    python benchmarks/bench_run.py --fixtures            # 13 fixture reports (no database needed)
    python benchmarks/bench_run.py --plan params/runs/jiangsu-stage-2016.yaml --only 01_survey/region
Targets on 2 cores: ours (HTML + PDF) ≥ 3× faster than the naive papermill + nbconvert loop, ≥ 2.5×
faster than the naive papermill loop alone.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "reporting" / "fixtures"
BIN = Path(sys.executable).parent


def fixture_plan(tmp: Path) -> tuple[Path, Path]:
    """13 reports of the fixture notebook `slow_bench.ipynb`, one per Jiangsu city, and a fixture database."""
    sys.path.insert(0, str(FIXTURES))
    from fixture_db import make_fixture_db  # noqa: PLC0415

    db = make_fixture_db(tmp / "fixture.duckdb")
    plan = tmp / "bench.yaml"
    plan.write_text(
        f"name: bench\ntitle: 基准测试\nnotebooks_dir: {FIXTURES / 'notebooks'}\n"
        f"declarations: {FIXTURES / 'notebooks.yaml'}\n"
        "defaults: {territory: \"320000\", year: 2016}\n"
        "reports:\n  - notebook: slow_bench.ipynb\n    over: {region_code: members}\n", encoding="utf-8")
    return plan, db


def run_ours(plan: Path, db: Path, out: Path, workers: int | None, only: tuple[str, ...], pdf: bool,
             fresh: bool = False):
    from iplayout.reporting.backends import LocalBackend  # noqa: PLC0415
    from iplayout.reporting.plans import load_plan  # noqa: PLC0415
    from iplayout.reporting.runner import run_plan  # noqa: PLC0415

    t0 = time.perf_counter()
    backend = LocalBackend(workers)
    try:
        outcome = run_plan(load_plan(plan), backend=backend, db_path=db, reports_root=out, only=only, pdf=pdf,
                           fresh_kernels=fresh)
    finally:
        backend.close()
    return time.perf_counter() - t0, outcome


def run_naive(jobs: list[dict], out: Path) -> tuple[float, float, int]:
    """Sequential papermill CLI + nbconvert CLI per report; returns (papermill s, nbconvert s, failures)."""
    out.mkdir(parents=True, exist_ok=True)
    t_pm = t_nb = 0.0
    failures = 0
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    for job in jobs:
        dst = out / (job["job_id"] + ".ipynb")
        args = [str(BIN / "papermill"), job["notebook_path"], str(dst), "--no-progress-bar",
                "--cwd", str(Path(job["notebook_path"]).parent)]
        for k, v in job["parameters"].items():
            # -r keeps strings as strings (plain -p would turn "320100" into an int and break the notebook)
            args += ["-r" if isinstance(v, str) else "-p", k, str(v)]
        t0 = time.perf_counter()
        rc = subprocess.run(args, capture_output=True, env=env).returncode
        t_pm += time.perf_counter() - t0
        failures += rc != 0
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(dst)],
                       capture_output=True, env=env)
        t_nb += time.perf_counter() - t0
    return t_pm, t_nb, failures


def _browser_note() -> str:
    """Which browser binary prints (the headless shell when installed): figures differ about 2× between them."""
    from iplayout.reporting.chromium_pdf import browser_path, pdf_engine  # noqa: PLC0415

    exe = browser_path() if pdf_engine() == "chromium" else None
    return f" ({Path(exe).name})" if exe else ""


def add_pdf_engine_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--pdf-engine", choices=("weasyprint", "chromium"), default=None,
                    help="PDF engine of our run (sets IPLAYOUT_PDF_ENGINE for the workers; default: as set)")


def apply_pdf_engine(args: argparse.Namespace) -> None:
    if args.pdf_engine:  # the spawned workers inherit the environment
        os.environ["IPLAYOUT_PDF_ENGINE"] = args.pdf_engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", action="store_true", help="use the fixture notebooks (no database needed)")
    ap.add_argument("--plan", type=Path, default=None, help="run plan (default: jiangsu-stage-2016, city reports)")
    ap.add_argument("--only", action="append", default=None, help="--only filter, as for `iplayout run`")
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=None, help="pool size (default: cores)")
    ap.add_argument("--no-pdf", action="store_true", help="our run renders HTML only (like the naive loop)")
    ap.add_argument("--fresh-kernels", action="store_true", help="our run starts a kernel per report")
    ap.add_argument("--repeat", type=int, default=1, help="alternate ours and naive N times; print medians")
    add_pdf_engine_option(ap)
    args = ap.parse_args()
    apply_pdf_engine(args)

    from iplayout.config import default_db_path  # noqa: PLC0415
    from iplayout.reporting.chromium_pdf import pdf_engine  # noqa: PLC0415
    from iplayout.reporting.cli import timing_line  # noqa: PLC0415

    tmp = Path(tempfile.mkdtemp(prefix="iplayout-bench-"))
    try:
        db = args.db or default_db_path()
        use_fixtures = args.fixtures or (args.plan is None and not db.is_file())
        if use_fixtures:
            plan, db = fixture_plan(tmp)
            only: tuple[str, ...] = ()
        else:
            plan = args.plan or ROOT / "params" / "runs" / "jiangsu-stage-2016.yaml"
            only = tuple(args.only or (["01_survey/region"] if args.plan is None else []))
        rows = []
        for i in range(args.repeat):
            load0 = os.getloadavg()[0]
            ours_s, outcome = run_ours(plan, db, tmp / f"ours{i}", args.workers, only, pdf=not args.no_pdf,
                                       fresh=args.fresh_kernels)
            jobs = [j for j in outcome.manifest["jobs"] if j["status"] in ("ok", "failed")]
            n, failed = len(jobs), len(outcome.failed)
            load1 = os.getloadavg()[0]
            pm_s, nb_s, naive_failed = run_naive(jobs, tmp / f"naive{i}")
            naive_s = pm_s + nb_s
            rows.append((ours_s, pm_s, naive_s))
            print(f"[{i + 1}/{args.repeat}] ours {ours_s:.1f} s (load {load0:.1f}) | naive papermill {pm_s:.1f} s, "
                  f"+ nbconvert {naive_s:.1f} s (load {load1:.1f}, end {os.getloadavg()[0]:.1f}) | "
                  f"{naive_s / ours_s:.2f}x / {pm_s / ours_s:.2f}x", flush=True)
            print("    " + timing_line(outcome.manifest["timings"]), flush=True)
        ours_s, pm_s, naive_s = (statistics.median(col) for col in zip(*rows))
        workers = outcome.manifest["timings"].get("workers")
        what = "median of %d" % args.repeat if args.repeat > 1 else "one run"
        print(f"plan: {plan.name}  reports: {n}  workers: {workers}  cores: {os.cpu_count()}"
              f"  PDF engine: {pdf_engine()}{_browser_note()}"
              f"  ({'fixture' if use_fixtures else 'real'} notebooks; {what})")
        print(f"iplayout run (pool, HTML{'' if args.no_pdf else ' + PDF'}, stages once): {ours_s:8.1f} s"
              f"  ({ours_s / n:.2f} s/report, {failed} failed)")
        print(f"naive loop papermill CLI only:                 {pm_s:8.1f} s  ({pm_s / n:.2f} s/report,"
              f" {naive_failed} failed)")
        print(f"naive loop papermill + nbconvert HTML:         {naive_s:8.1f} s  ({naive_s / n:.2f} s/report)")
        ratios = [(nv / o, p / o) for o, p, nv in rows]
        print(f"speed-up vs naive papermill+HTML loop: {statistics.median(r[0] for r in ratios):.2f}x (target ≥ 3x)   "
              f"vs papermill-only loop: {statistics.median(r[1] for r in ratios):.2f}x (target ≥ 2.5x)   "
              "(medians of the per-round ratios)")
        print(json.dumps({"reports": n, "ours_s": round(ours_s, 2), "naive_papermill_s": round(pm_s, 2),
                          "naive_total_s": round(naive_s, 2), "ratios": [[round(a, 2), round(b, 2)] for a, b in ratios]}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
