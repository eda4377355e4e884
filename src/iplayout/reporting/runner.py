"""``iplayout run``: one plan → one run folder with executed reports, index and manifest.

Order of work: validate every parameter (no kernel yet) → create the run folder (never reusing an
existing one unless ``--resume``) → prepare each distinct stage (stage, territory, year) once, in dependency
order, handing each stage's reports that are not up to date to the backend as soon as it is ready (the pool
executes them while the next stage is prepared) → write ``manifest.json`` and ``index.html``.
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import ParameterError, SpecError
from ..log import logger
from .execute import atomic_write
from .jobs import Job, expand_plan, filter_jobs, safe_component
from .kernels import notebook_imports
from .manifest import (SCHEMA_VERSION, code_version, db_build_info, db_sources, job_input_hash, load_manifest,
                       package_versions, sha256_file, sha256_tree, write_manifest)
from .parameters import CodeBook, load_declarations
from .plans import LoadedPlan
from .reuse import EarlierReports, adopt, code_fingerprint, content_key, stages_read_by
from .status import remove_temporaries, sweep_interrupted, write_status


@dataclass
class RunOutcome:
    run_dir: Path
    manifest: dict[str, Any]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [j for j in self.manifest["jobs"] if j["status"] == "failed"]


def new_run_dir(reports_root: Path, plan_name: str, run_id: str | None = None) -> Path:
    """Create ``reports_root/<run-id>`` atomically; an existing folder is never reused.

    Without ``run_id`` the id is ``YYYYmmdd-HHMMSS-<plan>`` (a numeric suffix if two runs start in the
    same second); with an explicit ``run_id`` that exists, a :class:`SpecError` is raised.
    """
    reports_root.mkdir(parents=True, exist_ok=True)
    if run_id is not None:
        safe = safe_component(run_id)
        if safe != run_id:
            raise SpecError(f"run id {run_id!r} may only contain A-Z a-z 0-9 . _ -")
        path = reports_root / run_id
        try:
            path.mkdir()
        except FileExistsError as exc:
            raise SpecError(f"{path} already exists; a run folder is never overwritten "
                            "(choose another --run-id or use --resume)") from exc
        return path
    base = f"{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{plan_name}"
    for n in range(1, 1000):
        path = reports_root / (base if n == 1 else f"{base}-{n}")
        try:
            path.mkdir()  # mkdir is atomic: two concurrent runs cannot get the same folder
            return path
        except FileExistsError:
            continue
    raise SpecError(f"could not create a fresh run folder under {reports_root}")


#: seconds between two index pages written while reports finish (the last one is always written)
INDEX_EVERY = 5.0


def stage_keys(jobs: list[Job]) -> list[tuple[str, str, int]]:
    """Every distinct (stage, territory, year) the jobs read and the stages those need, in dependency order."""
    wanted = {(j.stage, j.territory, j.year) for j in jobs if j.stage and j.territory and j.year is not None}
    if not wanted:
        return []
    from ..stages import stage_order  # noqa: PLC0415

    needed = {(s, t, y) for stage, t, y in wanted for s in stage_order([stage])}
    order = {name: i for i, name in enumerate(stage_order({s for s, _, _ in needed}))}
    return sorted(needed, key=lambda k: (order[k[0]], k[1], k[2]))


def _iter_stages(jobs: list[Job], run_dir: Path, db_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Prepare every stage the jobs read once, in dependency order, yielding ``(stage:territory:year, record)``
    after each: the runner hands the reports of a prepared stage to the pool before it prepares the next one."""
    try:
        keys = stage_keys(jobs)
        from ..stages import get_stage, prepare_stage  # noqa: PLC0415
    except ImportError as exc:  # the stages layer is optional for plans whose notebooks compute nothing
        logger.warning("no stage precomputation (iplayout.stages unavailable: %s)", exc)
        return
    records: dict[str, dict[str, Any]] = {}
    for stage, territory, year in keys:
        key = f"{stage}:{territory}:{year}"
        t0 = time.perf_counter()
        failed_deps = [d for d in get_stage(stage).needs if records[f"{d}:{territory}:{year}"]["status"] != "ok"]
        try:
            if failed_deps:
                raise ParameterError(f"needs stage(s) {', '.join(failed_deps)}, which failed")
            folder = prepare_stage(stage, db_path=db_path, territory=territory, year=year, out_dir=run_dir / "stages")
            records[key] = {"status": "ok", "folder": Path(folder).resolve().relative_to(run_dir.resolve()).as_posix(),
                            "sha256": sha256_tree(folder, exclude=("stage.json",)),
                            "seconds": round(time.perf_counter() - t0, 3)}
        except Exception as exc:  # noqa: BLE001  (the jobs that need it fail; the others still run)
            logger.error("stage %s failed: %s", key, exc)
            records[key] = {"status": "failed", "seconds": round(time.perf_counter() - t0, 3),
                            "error": {"kind": "stage", "exception": type(exc).__name__, "message": str(exc)[:2000],
                                      "cell_index": None}}
        yield key, records[key]


def _prepare_stages(jobs: list[Job], run_dir: Path, db_path: Path) -> dict[str, dict[str, Any]]:
    """All stages at once (records keyed by ``stage:territory:year``), for callers that need them before any report."""
    return dict(_iter_stages(jobs, run_dir, db_path))


def _job_record(job: Job, input_hash: str) -> dict[str, Any]:
    rec = job.to_dict()
    rec.update(input_hash=input_hash, status="skipped", duration=None, outputs={}, error=None, warnings=[])
    return rec


def plan_jobs(loaded: LoadedPlan, db_path: Path, only: tuple[str, ...] = ()) -> tuple[list[Job], list[Job]]:
    """Validate a plan against its declarations and the database; return (all jobs, selected jobs).

    Raises :class:`ParameterError` (every problem listed) before anything runs.
    """
    decls = load_declarations(loaded.declarations_path)
    all_jobs = expand_plan(loaded, decls, CodeBook.from_db(db_path))
    jobs = filter_jobs(all_jobs, only)
    if not jobs:
        raise ParameterError(f"--only {' '.join(only)} matches none of the plan's {len(all_jobs)} reports")
    return all_jobs, jobs


def resume_inputs(run_dir: Path, loaded: LoadedPlan, db_path: Path | None) -> tuple[dict[str, Any], Path]:
    """The earlier manifest of ``run_dir`` and the database to resume with, or a refusal.

    ``--resume`` continues a run with the inputs it was made with: the database recorded in the manifest
    (used when ``--db`` is not given) and the same plan. A database or plan whose SHA-256 differs from the
    recorded one is refused — reports already made from the old inputs would otherwise sit in one report
    set next to reports made from the new ones.
    """
    prev = load_manifest(run_dir)
    if not prev:
        raise SpecError(f"{run_dir}: no manifest.json — not a run folder that can be resumed")
    rec_db = (prev.get("inputs") or {}).get("database") or {}
    rec_path = Path(rec_db.get("path", ""))
    if not rec_path.is_absolute():  # manifests record paths relative to the run folder (or the project root)
        from ..config import project_root  # noqa: PLC0415

        cand = (Path(run_dir) / rec_path).resolve()
        rec_path = cand if cand.is_file() else (project_root() / rec_path).resolve()
    db = Path(db_path) if db_path is not None else rec_path
    if not rec_db.get("path"):
        raise SpecError(f"{run_dir}: the manifest records no database; give --db")
    if not db.is_file():
        raise SpecError(f"{db}: the database this run was made with is gone; resume needs it (or start a new run)")
    sha = sha256_file(db)
    if rec_db.get("sha256") and sha != rec_db["sha256"]:
        raise SpecError(f"{db}: database differs from the one run {run_dir.name} was made with (sha256 "
                        f"{sha[:12]}… ≠ recorded {rec_db['sha256'][:12]}… of {rec_db['path']}); --resume never mixes "
                        "reports from two databases — start a new run instead")
    rec_plan = prev.get("plan") or {}
    plan_sha = sha256_file(loaded.path)
    if rec_plan.get("sha256") and plan_sha != rec_plan["sha256"]:
        raise SpecError(f"{loaded.path}: plan differs from the one run {run_dir.name} was made with (sha256 "
                        f"{plan_sha[:12]}… ≠ recorded {rec_plan['sha256'][:12]}…); start a new run instead")
    return prev, db


def run_plan(loaded: LoadedPlan, *, backend, db_path: Path | None, reports_root: Path, run_id: str | None = None,
             resume_dir: Path | None = None, only: tuple[str, ...] = (), timeout: int | None = None,
             pdf: bool = True, progress=None, kernel_name: str = "python3",
             fresh_kernels: bool = False, reuse: bool = True) -> RunOutcome:
    """Execute one plan. ``backend`` has ``run(tasks) -> iterator of results`` (see backends.py).

    Reports run in one warm kernel per worker (:mod:`.kernels`); ``fresh_kernels`` starts a new one
    for every report instead. ``db_path`` None with ``resume_dir``: the database recorded in that run's manifest.
    """
    t_start = time.perf_counter()
    started = dt.datetime.now().isoformat(timespec="seconds")
    decls = load_declarations(loaded.declarations_path)
    previous: dict[str, Any] = {}
    if resume_dir is not None:
        prev_manifest, db_path = resume_inputs(Path(resume_dir).resolve(), loaded, db_path)
        previous = {j["job_id"]: j for j in prev_manifest.get("jobs", [])}
    elif db_path is None:
        raise SpecError("no database given")
    all_jobs, jobs = plan_jobs(loaded, db_path, only)  # raises ParameterError before any kernel starts
    sweep_interrupted(reports_root, also=Path(resume_dir).resolve() if resume_dir is not None else None)
    if resume_dir is not None:
        run_dir = Path(resume_dir).resolve()
        remove_temporaries(run_dir)
    else:
        run_dir = new_run_dir(reports_root, loaded.plan.name, run_id).resolve()
    rid = run_dir.name
    atomic_write(run_dir / "plan.yaml", loaded.path.read_text(encoding="utf-8"))

    # runner-supplied parameters: where the database and this run's stage tables are
    stage_root = run_dir / "stages"
    for job in jobs:
        decl = decls.notebooks[job.notebook].parameters
        if "db_path" in decl and not job.parameters.get("db_path"):
            job.parameters["db_path"] = str(db_path)
        if job.stage and "stage_dir" in decl and not job.parameters.get("stage_dir"):
            job.parameters["stage_dir"] = str(stage_root)
        if "run_dir" in decl and not job.parameters.get("run_dir"):  # e.g. the progress report's links
            job.parameters["run_dir"] = str(run_dir)

    preload = notebook_imports(sorted({j.notebook_path for j in all_jobs}))  # what the kernels import up front
    if jobs and hasattr(backend, "warm_up"):  # the workers get ready while this process prepares the first stage
        backend.warm_up({"pdf": pdf, "kernel_name": kernel_name, "fresh_kernel": fresh_kernels, "preload": preload})
    db_sha = sha256_file(db_path)
    nb_sha = {j.notebook: sha256_file(j.notebook_path) for j in jobs}
    from .chromium_pdf import pdf_engine  # noqa: PLC0415

    engine = pdf_engine()
    code_sha = code_fingerprint(engine if pdf else "none")
    earlier = EarlierReports(reports_root, exclude=run_dir) if reuse and resume_dir is None else None
    # every report's record now, in plan order (the manifest's order), filled in as its stage is ready
    records: dict[str, dict[str, Any]] = {job.job_id: _job_record(job, None) for job in jobs}
    # with --resume --only, reports outside the selection keep their earlier record
    plan_ids = {j.job_id for j in all_jobs}
    for jid, prev in previous.items():
        if jid not in records and jid in plan_ids:
            records[jid] = prev
    stages: dict[str, dict[str, Any]] = {}  # filled while the run goes on; the manifest shows them as they are
    counts = {"reused": 0, "reuse_seconds": 0.0}

    def settle(job: Job) -> dict[str, Any] | None:
        """Fill in ``job``'s record once its stage is prepared: reused from --resume or an earlier run, failed with
        its stage, or returned as a task for the pool."""
        t0 = time.perf_counter()
        task = None
        try:
            skey = f"{job.stage}:{job.territory}:{job.year}"
            stage_rec = stages.get(skey)
            ih = job_input_hash(notebook_sha=nb_sha[job.notebook], parameters=job.parameters, db_sha=db_sha,
                                stage_sha=(stage_rec or {}).get("sha256"))
            rec = records[job.job_id]
            rec["input_hash"] = ih
            # recorded even with --no-reuse, so that a later run can reuse this one's reports
            rec["content_key"] = content_key(notebook_sha=nb_sha[job.notebook], parameters=job.parameters,
                                             stage_shas=stages_read_by(job.stage, job.territory, job.year, stages),
                                             code_sha=code_sha, pdf=pdf)
            prev = previous.get(job.job_id)
            if prev and prev.get("status") in ("ok", "reused") and prev.get("input_hash") == ih \
                    and all((run_dir / p).is_file() for p in (prev.get("outputs") or {}).values()):
                rec.update(status="reused", duration=prev.get("duration"), outputs=prev.get("outputs") or {},
                           is_demo=prev.get("is_demo"), report_title=prev.get("report_title"),
                           sources=prev.get("sources", []),
                           sha256={p: sha256_file(run_dir / p) for p in (prev.get("outputs") or {}).values()})
            elif stage_rec and stage_rec["status"] == "failed":
                rec.update(status="failed", error=stage_rec["error"])
            elif (hit := earlier.find(rec["content_key"]) if earlier is not None else None) is not None:
                adopt(rec, hit, run_dir, (stage_rec or {}).get("folder"))
                counts["reused"] += 1
            else:
                task = {"job": job.to_dict(), "run_dir": str(run_dir), "run_id": rid, "pdf": pdf, "retries": 1,
                        "timeout": timeout or loaded.plan.timeout, "kernel_name": kernel_name,
                        "fresh_kernel": fresh_kernels, "preload": preload, "pdf_engine": engine}
        finally:
            counts["reuse_seconds"] += time.perf_counter() - t0
        if task is None and progress is not None:  # settled without the pool: on the progress bar too
            progress.advance(rec)
        return task

    by_stage: dict[str, list[Job]] = {}  # "" holds the reports that read no stage
    for job in jobs:
        staged = job.stage and job.territory and job.year is not None
        by_stage.setdefault(f"{job.stage}:{job.territory}:{job.year}" if staged else "", []).append(job)

    def ready_jobs():
        """The jobs as their stages get ready: reports without a stage first, then each stage's reports right after
        it is prepared — the workers execute them while this process prepares the next stage (it used to prepare
        every stage first, with the pool idle)."""
        yield from by_stage.pop("", [])
        for key, stage_rec in _iter_stages(jobs, run_dir, db_path):
            stages[key] = stage_rec
            yield from by_stage.pop(key, [])
        for rest in list(by_stage.values()):  # a stage the stages layer did not prepare (unavailable): run without it
            yield from rest

    def tasks():
        """The pool's tasks: the ready jobs that are neither reused nor failed with their stage."""
        for job in ready_jobs():
            task = settle(job)
            if task is not None:
                yield task

    # the run's fixed facts (code version, input checksums, sources, package versions) are read once: a
    # checkpoint after every report only refreshes the job records (it used to re-hash and re-query each time)
    base = _manifest(loaded, rid, started, db_path, db_sha, stages, records, resume_dir is not None)

    def current() -> dict[str, Any]:
        return {**base, "jobs": list(records.values()), "timings": {}, "warnings": []}

    _checkpoint(run_dir, current(), "running")  # a run killed from here on says so in its folder

    warnings: list[str] = []
    t0 = last_index = time.perf_counter()
    if progress is not None:
        progress.start(loaded.plan.name, len(jobs))
    for res in backend.run(tasks()):
        rec = records[res["job_id"]]
        rec.update(status=res["status"], duration=res.get("duration"), outputs=res.get("outputs", {}),
                   error=res.get("error"), warnings=res.get("warnings", []), attempts=res.get("attempts"),
                   render_seconds=res.get("render_seconds"),
                   **{k: res.get(k) for k in ("execute_seconds", "html_seconds", "pdf_seconds")})
        meta = res.get("meta") or {}
        rec.update(is_demo=meta.get("is_demo"), report_title=meta.get("title"), sources=meta.get("sources", []))
        rec["sha256"] = {p: sha256_file(run_dir / p) for p in (rec.get("outputs") or {}).values()
                         if (run_dir / p).is_file()}
        for w in res.get("warnings", []):
            if w.startswith("PDF skipped") and w not in warnings:
                warnings.append(w)
        if progress is not None:
            progress.advance(rec)
        # manifest and status.json after every report (what --resume and a crash need); the index page, which
        # lists every report, at most every few seconds (≈ 0.1 s each at 100 reports, on the pool's cores)
        index_due = time.perf_counter() - last_index >= INDEX_EVERY
        _checkpoint(run_dir, current(), "running", index=index_due)
        last_index = time.perf_counter() if index_due else last_index
    if progress is not None:
        progress.stop()
    exec_seconds = round(time.perf_counter() - t0, 3)
    n_reused = counts["reused"]
    reuse_seconds = round(counts["reuse_seconds"], 3)
    stage_seconds = round(sum(r.get("seconds") or 0 for r in stages.values()), 3)
    if n_reused:
        logger.info("%d report(s) reused from earlier runs (inputs unchanged) in %.1f s", n_reused, reuse_seconds)

    manifest = current()
    manifest["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    manifest["warnings"] = warnings
    manifest["timings"] = run_timings(records.values(), stage_seconds=stage_seconds, pool_seconds=exec_seconds,
                                      workers=getattr(backend, "workers", None), fresh_kernels=fresh_kernels)
    manifest["timings"].update(reports_reused=n_reused, reuse_seconds=reuse_seconds)
    # workbooks the reports wrote next to their stage tables (e.g. the allocation catalogue), for the index
    manifest["attachments"] = sorted(p.relative_to(run_dir).as_posix() for p in stage_root.rglob("*.xlsx")
                                     if not p.name.startswith("."))
    manifest["outputs_sha256"] = {p: h for j in manifest["jobs"] for p, h in (j.get("sha256") or {}).items()}
    manifest["programme"] = _record_evidence(loaded, manifest, run_dir, n_planned=len(all_jobs))
    t0 = time.perf_counter()
    manifest["timings"]["total_seconds"] = round(t0 - t_start, 3)  # the index shows it (final figure below)
    _checkpoint(run_dir, manifest, "failed" if any(j["status"] == "failed" for j in manifest["jobs"]) else "complete")
    manifest["timings"]["index_seconds"] = round(time.perf_counter() - t0, 3)
    manifest["timings"]["total_seconds"] = round(time.perf_counter() - t_start, 3)
    write_manifest(run_dir, manifest)
    return RunOutcome(run_dir=run_dir, manifest=manifest)


def _project_path(path: Path) -> str:
    """A project file as the researcher names it (``params/runs/x.yaml``); other files stay absolute (the manifest
    writer makes those relative to the run folder)."""
    from ..config import project_root  # noqa: PLC0415

    p, root = Path(path).resolve(), project_root().resolve()
    return p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)


def _checkpoint(run_dir: Path, manifest: dict[str, Any], state: str, *, index: bool = True) -> None:
    """Manifest, ``status.json`` and (``index``) the index page as they stand (it lists reports still missing)."""
    from .index import write_index  # noqa: PLC0415

    missing = [j["job_id"] for j in manifest["jobs"] if j.get("status") == "skipped"]
    manifest["state"] = state
    manifest["missing"] = missing if state == "running" else []
    write_manifest(run_dir, manifest)
    write_status(run_dir, state, missing=missing if state == "running" else [])
    if index:
        write_index(run_dir, manifest)


def run_timings(records, *, stage_seconds: float, pool_seconds: float, workers: int | None,
                fresh_kernels: bool) -> dict[str, Any]:
    """Where a run's time went: wall seconds of stage preparation and of the pool, and the reports'
    execution / HTML / PDF seconds summed over workers (they overlap, so the sums exceed the pool's
    wall time by up to the number of workers)."""
    ran = [r for r in records if r.get("status") in ("ok", "failed") and r.get("duration") is not None]

    def total(key: str) -> float:
        return round(sum(r.get(key) or 0 for r in ran), 3)

    return {"total_seconds": None, "stage_seconds": stage_seconds, "execute_seconds": pool_seconds,
            "reports_executed": len(ran), "report_execute_seconds": total("execute_seconds"),
            "report_html_seconds": total("html_seconds"), "report_pdf_seconds": total("pdf_seconds"),
            "index_seconds": None, "workers": workers, "kernels": "fresh" if fresh_kernels else "warm"}


def _record_evidence(loaded: LoadedPlan, manifest: dict[str, Any], run_dir: Path, *, n_planned: int) -> dict[str, Any]:
    """Record a run that produced every report of its plan as evidence on the tasks the plan delivers.

    The record goes to ``<reports>/programme_evidence.jsonl`` (next to the run folder); a run with a
    failed or left-out report records nothing (docs/programme.md).
    """
    plan = loaded.plan
    info: dict[str, Any] = {"delivers": list(plan.delivers), "as_of": plan.as_of, "publish": plan.publish,
                            "programme": str(loaded.programme_path) if loaded.programme_path else None,
                            "evidence_recorded": False}
    if not plan.delivers:
        return info
    from ..programme.evidence import record_run  # noqa: PLC0415

    rec = record_run(run_dir.parent, manifest, tasks=list(plan.delivers), as_of=plan.as_of, n_planned=n_planned)
    info["evidence_recorded"] = rec is not None
    if rec is None:
        logger.warning("run %s did not produce every report: no programme evidence recorded for %s",
                       manifest["run_id"], ", ".join(plan.delivers))
    return info


def _manifest(loaded: LoadedPlan, rid: str, started: str, db_path: Path, db_sha: str,
              stages: dict[str, Any], records: dict[str, dict[str, Any]], resumed: bool) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": rid,
        "started": started,
        "finished": None,
        "resumed": resumed,
        "plan": {"name": loaded.plan.name, "title": loaded.plan.title, "title_en": loaded.plan.title_en,
                 "file": _project_path(loaded.path), "sha256": sha256_file(loaded.path), "content": loaded.raw},
        "declarations": {"file": _project_path(loaded.declarations_path), "sha256": sha256_file(loaded.declarations_path)},
        "inputs": {"database": {"path": str(db_path), "sha256": db_sha, "build_info": db_build_info(db_path)},
                   "notebooks": {j["notebook"]: sha256_file(j["notebook_path"])
                                 for j in records.values()}},
        "sources": db_sources(db_path),
        "stages": stages,
        "code_version": code_version(),
        "packages": package_versions(),
        "host": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                 "python_implementation": platform.python_implementation(), "os": platform.platform(),
                 "system": platform.system(), "release": platform.release(), "machine": platform.machine()},
        "jobs": list(records.values()),
        "timings": {},
        "warnings": [],
    }
