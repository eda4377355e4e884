"""Click commands ``iplayout run``, ``iplayout package`` and ``iplayout verify``."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import SpecError


class _Progress:
    """rich progress bar with ETA, one task per plan."""

    def __init__(self, console):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,  # noqa: PLC0415
                                   TimeElapsedColumn, TimeRemainingColumn)

        self._p = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("失败 {task.fields[failed]}"), TimeElapsedColumn(), TextColumn("ETA"),
                           TimeRemainingColumn(), console=console, transient=False)
        self._task = None

    def start(self, name: str, total: int) -> None:
        self._p.start()
        self._task = self._p.add_task(name, total=total, failed=0)

    def advance(self, rec) -> None:
        failed = self._p.tasks[-1].fields["failed"] + (rec["status"] == "failed")
        self._p.update(self._task, advance=1, failed=failed)

    def stop(self) -> None:
        self._p.stop()


def _summary(console, outcome) -> None:
    from rich.table import Table  # noqa: PLC0415

    m = outcome.manifest
    table = Table(title=f"{m['plan']['title']}  ({m['run_id']})", show_lines=False)
    for col in ("group", "report", "status", "seconds", "error"):
        table.add_column(col)
    for j in m["jobs"]:
        err = j.get("error") or {}
        where = f"cell {err['cell_index']}: " if err.get("cell_index") is not None else ""
        msg = f"{where}{err.get('exception', '')}: {err.get('message', '')}"[:120] if err else ""
        style = {"failed": "red", "ok": "green", "reused": "cyan"}.get(j["status"], "")
        dur = f"{j['duration']:.1f}" if j.get("duration") is not None else "—"
        table.add_row(j.get("group", ""), j["job_id"], f"[{style}]{j['status']}[/{style}]" if style else j["status"],
                      dur, msg)
    console.print(table)
    n_fail = len(outcome.failed)
    console.print(f"{len(m['jobs'])} reports, {n_fail} failed, {m['timings'].get('total_seconds', 0):.1f} s → "
                  f"{outcome.run_dir / 'index.html'}")
    console.print(timing_line(m["timings"]))


def timing_line(t: dict) -> str:
    """One line: where the run's time went (wall seconds; per-report sums are over all workers)."""
    def s(key: str) -> str:
        return f"{t[key]:.1f}" if t.get(key) is not None else "—"

    return (f"time {s('total_seconds')} s: stages {s('stage_seconds')} s, reports {s('execute_seconds')} s wall "
            f"on {t.get('workers')} worker(s) with {t.get('kernels', 'warm')} kernels "
            f"[{t.get('reports_executed', 0)} reports: execution {s('report_execute_seconds')} s, "
            f"HTML {s('report_html_seconds')} s, PDF {s('report_pdf_seconds')} s summed over workers], "
            f"index {s('index_seconds')} s"
            + (f"; {t['reports_reused']} reused from earlier runs ({s('reuse_seconds')} s)" if t.get("reports_reused")
               else ""))


@click.command("run")
@click.argument("plans", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="integrated database (default: build/iplayout.duckdb or $IPLAYOUT_DB)")
@click.option("--workers", type=click.IntRange(min=0), default=None, help="pool size (default: cores; 0 = in-process)")
@click.option("--run-id", default=None, help="name of the run folder (must not exist)")
@click.option("--resume", "resume_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="continue this run folder with the database and plan recorded in its manifest (refused if "
                   "either differs): redo failed and missing reports and those whose notebook changed")
@click.option("--only", multiple=True, help="select by region/industry code, notebook or job id (repeatable)")
@click.option("--timeout", type=click.IntRange(min=1), default=None, help="per-cell timeout in seconds")
@click.option("--no-pdf", is_flag=True, help="render HTML only")
@click.option("--pdf-engine", type=click.Choice(["chromium", "weasyprint"]), default=None,
              help="PDF renderer (default: $IPLAYOUT_PDF_ENGINE, else chromium when installed, else weasyprint)")
@click.option("--scheduler", default=None, help="address of an existing Dask scheduler, e.g. tcp://host:8786")
@click.option("--reports-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="where run folders are created (default: reports/)")
@click.option("--dry-run", is_flag=True, help="validate the plans and list the reports; execute nothing")
@click.option("--fresh-kernels", is_flag=True,
              help="start a new kernel for every report (default: one warm kernel per worker, reset between reports)")
@click.option("--reuse/--no-reuse", default=True, show_default=True,
              help="copy a report from an earlier run folder when its notebook, parameters, stage tables, code and "
                   "packages are all unchanged (marked 沿用); --no-reuse executes every report")
def run(plans, db_path, workers, run_id, resume_dir, only, timeout, no_pdf, pdf_engine, scheduler, reports_dir,
        dry_run, fresh_kernels, reuse):
    """Execute run PLANS (params/runs/*.yaml): one run folder with index.html and manifest.json per plan."""
    if pdf_engine:  # before the pool starts: its workers inherit the environment
        from .chromium_pdf import ENGINE_ENV  # noqa: PLC0415

        os.environ[ENGINE_ENV] = pdf_engine
    from rich.console import Console  # noqa: PLC0415

    from ..config import default_db_path, reports_dir as default_reports  # noqa: PLC0415
    from .manifest import load_manifest  # noqa: PLC0415
    from .plans import load_plan  # noqa: PLC0415
    from .runner import run_plan  # noqa: PLC0415

    if resume_dir is not None and not plans:
        recorded = load_manifest(resume_dir).get("plan", {}).get("file")
        if not recorded:
            raise SpecError(f"{resume_dir}: no manifest with a plan file; give the PLAN explicitly")
        from ..config import project_root  # noqa: PLC0415

        rec = Path(recorded)
        plans = (rec if rec.is_absolute() or rec.is_file() else project_root() / rec,)
    if not plans:
        raise click.UsageError("give at least one run plan (e.g. params/runs/national.yaml)")
    if (resume_dir or run_id) and len(plans) > 1:
        raise click.UsageError("--resume and --run-id take exactly one plan")
    # --resume without --db: the database recorded in the run's manifest (checked against its SHA-256)
    db = Path(db_path) if db_path else (None if resume_dir is not None else default_db_path())
    loaded = [load_plan(p) for p in plans]  # every plan is read and checked before anything runs
    console = Console(stderr=True)
    if dry_run:
        from .runner import plan_jobs  # noqa: PLC0415

        for lp in loaded:
            _, jobs = plan_jobs(lp, db or default_db_path(), tuple(only))
            click.echo(f"{lp.plan.name}: {len(jobs)} report(s)")
            for j in jobs:
                click.echo(f"  {j.job_id}  →  {j.output_stem}  {j.parameters}")
        return
    if not no_pdf:
        _prepare_pdf_font(console)
    if scheduler:
        from .dask_backend import DaskBackend  # noqa: PLC0415

        backend = DaskBackend(scheduler)
    else:
        from .backends import LocalBackend  # noqa: PLC0415

        backend = LocalBackend(workers)
    failed = 0
    pdf_warned: set[str] = set()
    try:
        for lp in loaded:
            outcome = run_plan(lp, backend=backend, db_path=db, reports_root=reports_dir or default_reports(),
                               run_id=run_id, resume_dir=resume_dir, only=tuple(only), timeout=timeout,
                               pdf=not no_pdf, progress=_Progress(console), fresh_kernels=fresh_kernels,
                               reuse=reuse)
            for w in outcome.manifest.get("warnings", []):
                if w not in pdf_warned:  # say it once, not once per report
                    console.print(f"[yellow]warning:[/yellow] {w} — HTML reports were still produced")
                    pdf_warned.add(w)
            _summary(console, outcome)
            failed += len(outcome.failed)
    finally:
        backend.close()
    if failed:
        click.echo(f"{failed} report(s) failed", err=True)
        sys.exit(1)


def _prepare_pdf_font(console) -> None:
    """Start the one-time CJK font conversion for Chromium in the background, with a message: stage preparation
    and the first notebooks run meanwhile, and the first PDF waits for it (rather than every worker idling)."""
    from ..font_truetype import convert_in_background, truetype_dir  # noqa: PLC0415
    from .chromium_pdf import pdf_engine  # noqa: PLC0415

    if pdf_engine() != "chromium":
        return
    try:
        proc = convert_in_background()
    except Exception as exc:  # noqa: BLE001  (the workers then convert themselves, or report "PDF skipped: …")
        console.print(f"[yellow]warning:[/yellow] CJK font conversion could not start: {exc}")
        return
    if proc is not None:
        console.print("converting the CJK font to TrueType for Chromium's PDFs in the background (once per machine, "
                      f"≈ 160 CPU-s; the first PDF waits for it) → {truetype_dir()}")


@click.command("package")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="zip file to write (default: <run>-acceptance.zip next to the run folder)")
@click.option("--allow-failed", is_flag=True, help="package even if some reports failed")
def package(run_dir, output, allow_failed):
    """Bundle a finished run into an acceptance package (zip with SHA256SUMS)."""
    from .package import build_package  # noqa: PLC0415

    path = build_package(run_dir, output, allow_failed=allow_failed)
    click.echo(str(path))


@click.command("verify")
@click.argument("package_path", metavar="PACKAGE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify(package_path):
    """Re-check an acceptance package: every file against SHA256SUMS, nothing missing or extra."""
    from .package import verify_package  # noqa: PLC0415

    problems = verify_package(package_path)
    if problems:
        for p in problems:
            click.echo(f"FAIL {p}", err=True)
        sys.exit(1)
    click.echo(f"OK {package_path}")
