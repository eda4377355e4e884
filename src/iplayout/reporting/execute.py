"""Execute one report job (papermill + nbclient) and render it, inside a pool worker.

Workers are long-lived: :func:`init_worker` imports papermill, nbconvert and WeasyPrint once, so a
report costs a kernel start plus its own cells, not an interpreter start and library imports as the
papermill CLI does. A kernel that fails to start is retried (``retries`` times); a failing cell is
not — it is recorded with its index, exception name and message. Every file is written to a
temporary name and moved into place atomically (:mod:`iplayout.fileio`).
"""
from __future__ import annotations

import os
import re
import time
import traceback
from pathlib import Path
from typing import Any

from ..fileio import atomic_path, atomic_write  # noqa: F401  (atomic_write: also used by runner, index)

_TIMING_KEYS = ("start_time", "end_time", "duration")
_KERNEL_TMP = re.compile(r"ipykernel_\d+")  # /tmp/ipykernel_<pid>/<hash>.py: cell code as ipykernel names it
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")  # default object reprs name a memory address: <Styler at 0x7f…>


def init_worker() -> None:
    """Pool initializer: pay the heavy imports once per worker process (the kernel starts with the first job)."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silences a debugger warning per kernel
    from .kernels import THREAD_ENV  # noqa: PLC0415

    for key, value in THREAD_ENV.items():  # one BLAS thread per process: the pool has one worker per core
        os.environ.setdefault(key, value)
    _redirect_stderr()
    import nbconvert  # noqa: F401,PLC0415
    import papermill  # noqa: F401,PLC0415

    from . import render  # noqa: PLC0415

    render._exporter("html")
    render._exporter("basic")
    render.pdf_unavailable_reason()  # once per worker: the engine is found, the font (converted and) configured


def warm_worker(task: dict[str, Any]) -> dict[str, Any]:
    """Get this worker ready for ``task``'s reports before the first one arrives (the runner submits one per
    worker while it prepares the stages, when the pool would otherwise wait): the warm kernel started and
    prepared with the plan's imports, and the PDF engine's browser started with the CJK faces loaded.

    Idempotent (an already warm worker returns at once) and never raises: whatever fails here fails again,
    with its report, in the first job. Returns the seconds spent and what was warmed.
    """
    from . import kernels, render  # noqa: PLC0415

    t0 = time.perf_counter()
    done = []
    try:
        if not task.get("fresh_kernel"):
            kernels.warm_kernel(task.get("kernel_name", "python3"), task.get("preload", ()),
                                task.get("start_timeout", 60))
            done.append("kernel")
        if task.get("pdf", True) and render.pdf_unavailable_reason() is None:
            from .chromium_pdf import pdf_engine, warm_up  # noqa: PLC0415

            if pdf_engine() == "chromium":
                warm_up(render.print_css())
                done.append("browser")
    except Exception as exc:  # noqa: BLE001
        done.append(f"failed: {type(exc).__name__}")
    return {"seconds": round(time.perf_counter() - t0, 3), "warmed": done}


def _redirect_stderr() -> None:
    """Send this worker's (and its kernels') stderr to a log file instead of the console.

    Every ipykernel start prints a TCP-without-encryption warning and every shutdown a
    KeyboardInterrupt notice; interleaved with the progress bar they hide what matters. Errors that
    matter are captured per report in the manifest.
    """
    from ..config import cache_dir  # noqa: PLC0415

    log_dir = cache_dir() / "worker-logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(log_dir / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError:
        return
    os.dup2(fd, 2)
    os.close(fd)


def strip_timing(nb: Any, notebook_rel: str) -> Any:
    """Remove run-dependent metadata (timings, temp paths, random ids of inserted cells, kernel pids).

    Two runs with the same inputs then give byte-identical executed notebooks.
    """
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for key in _TIMING_KEYS + ("output_path",):
            pm.pop(key, None)
        pm["input_path"] = notebook_rel  # absolute paths differ between machines and temp folders
    n_marker = 0
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        # papermill gives the cells it inserts random ids; fixed ids keep identical runs identical
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
        elif "papermill-error-cell-tag" in tags:
            n_marker += 1
            cell["id"] = f"papermill-error-{n_marker}"
        cpm = cell.metadata.get("papermill")
        if cpm is not None:
            for key in _TIMING_KEYS:
                cpm.pop(key, None)
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):  # warnings and tracebacks name the kernel's temp folder
            plain = out.get("data", {}).get("text/plain")
            if plain is not None:  # a table's fallback text is its default repr, with an address per process
                out["data"]["text/plain"] = (_ADDRESS.sub(">", plain) if isinstance(plain, str)
                                             else [_ADDRESS.sub(">", line) for line in plain])
            if out.get("output_type") == "stream" and isinstance(out.get("text"), str):
                out["text"] = _KERNEL_TMP.sub("ipykernel", out["text"])
            elif out.get("output_type") == "error":
                out["traceback"] = [_KERNEL_TMP.sub("ipykernel", line) for line in out.get("traceback", [])]
    return nb


def _started(nb_path: Path) -> bool:
    """Did any cell start executing? (If not, the failure was the kernel's start.)"""
    import nbformat  # noqa: PLC0415

    if not nb_path.is_file():
        return False
    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:
        return False
    # papermill marks every cell "completed" when it gives up, so only real traces of execution count
    return any(c.get("execution_count") is not None
               or c.get("metadata", {}).get("papermill", {}).get("start_time") is not None
               for c in nb.cells if c.cell_type == "code")


_MARKER = "papermill-error-cell-tag"


def _author_cells(nb: Any) -> list[Any]:
    """Cells without papermill's error banner/anchor (the indexing papermill's exception uses)."""
    return [c for c in nb.cells if _MARKER not in c.get("metadata", {}).get("tags", [])]


def _source_index(cells: list[Any], index: int) -> int:
    """Map an index in the parameterised notebook to the index in the source notebook.

    papermill inserts an ``injected-parameters`` cell; the author edits the source notebook, so the
    index we report counts only the author's cells (0-based).
    """
    skip = sum("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells[:index])
    return index - skip


def _cell_error(exc: Exception, nb: Any | None) -> dict[str, Any]:
    from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415

    if isinstance(exc, PapermillExecutionError):
        src_index = _source_index(_author_cells(nb), exc.cell_index) if nb is not None else exc.cell_index
        return {"kind": "cell", "cell_index": src_index, "execution_count": exc.exec_count,
                "exception": exc.ename, "message": str(exc.evalue),
                "source": (exc.source or "").splitlines()[:3]}
    idx = None
    if nb is not None:  # e.g. CellTimeoutError: find the cell papermill marked as running/failed
        cells = _author_cells(nb)
        for i, c in enumerate(cells):
            if c.get("metadata", {}).get("papermill", {}).get("status") in ("running", "failed"):
                idx = _source_index(cells, i)
                break
        if idx is None:  # papermill marks a timed-out cell "completed": take the last cell that started
            started = [i for i, c in enumerate(cells) if c.cell_type == "code" and c.get("execution_count")]
            idx = _source_index(cells, started[-1]) if started else None
    return {"kind": "timeout" if "Timeout" in type(exc).__name__ else "execution", "cell_index": idx,
            "execution_count": None, "exception": type(exc).__name__, "message": str(exc).strip()[:2000],
            "source": []}


def execute_job(task: dict[str, Any]) -> dict[str, Any]:
    """Run one job: execute, strip timing, render HTML (and PDF); never raises for report failures.

    ``task`` keys: ``job`` (dict from :class:`~iplayout.reporting.jobs.Job`), ``run_dir``, ``run_id``,
    ``timeout`` (per cell, s), ``kernel_name``, ``pdf`` (bool), ``retries`` (kernel-start retries).
    Returns a result dict: status ``ok``/``failed``, duration, outputs, error, meta, warnings.
    """
    import nbformat  # noqa: PLC0415
    from nbclient.exceptions import CellTimeoutError  # noqa: PLC0415
    from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415

    from . import kernels, render  # noqa: PLC0415

    job, run_dir = task["job"], Path(task["run_dir"])
    if task.get("pdf_engine"):  # the runner's choice (its content keys name it), also on a Dask worker's machine
        from .chromium_pdf import ENGINE_ENV  # noqa: PLC0415

        os.environ[ENGINE_ENV] = task["pdf_engine"]
    stem = run_dir / job["output_stem"]
    stem.parent.mkdir(parents=True, exist_ok=True)
    tmp_nb = stem.with_name(f".{stem.name}.{os.getpid()}.tmp.ipynb")
    t0 = time.perf_counter()
    result: dict[str, Any] = {"job_id": job["job_id"], "status": "ok", "error": None, "outputs": {},
                              "meta": {}, "warnings": [], "attempts": 0}
    exc_seen: Exception | None = None
    for attempt in range(1 + int(task.get("retries", 1))):
        result["attempts"] = attempt + 1
        exc_seen = None
        try:
            # a warm kernel per worker (or a fresh one per report); papermill saves the partial notebook
            # when a cell times out or the kernel dies, so a timeout still leaves the report up to there
            kernels.run_report(job["notebook_path"], str(tmp_nb), job["parameters"], timeout=task.get("timeout"),
                               kernel_name=task.get("kernel_name", "python3"), fresh=bool(task.get("fresh_kernel")),
                               preload=task.get("preload", ()), start_timeout=task.get("start_timeout", 60))
        except kernels.KernelSetupError as exc:
            exc_seen = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc  # e.g. NoSuchKernel
            tmp_nb.unlink(missing_ok=True)
            result["warnings"].append(f"kernel start failed (attempt {attempt + 1}): {exc}")
            continue  # only a failed kernel start is retried
        except PapermillExecutionError as exc:
            exc_seen = exc
            break  # a cell failed: the kernel started, retrying would fail the same way
        except Exception as exc:  # noqa: BLE001  (timeout, dead kernel …)
            exc_seen = exc
            if not isinstance(exc, CellTimeoutError) and not _started(tmp_nb):
                result["warnings"].append(f"kernel start failed (attempt {attempt + 1}): {type(exc).__name__}: {exc}")
                continue
            break
        break
    result["execute_seconds"] = round(time.perf_counter() - t0, 3)
    nb = nbformat.read(str(tmp_nb), as_version=4) if tmp_nb.is_file() else None
    if exc_seen is not None:
        result["status"] = "failed"
        result["error"] = _cell_error(exc_seen, nb)
        if not isinstance(exc_seen, CellTimeoutError) and (nb is None or not _started(tmp_nb)):
            result["error"]["kind"] = "kernel_start"
    if nb is not None:
        strip_timing(nb, job["notebook"])
        ipynb = stem.with_suffix(".ipynb")
        atomic_write(ipynb, nbformat.writes(nb) + "\n")
        tmp_nb.unlink(missing_ok=True)
        result["outputs"]["ipynb"] = ipynb.relative_to(run_dir).as_posix()
        t1 = time.perf_counter()
        try:
            info = render.report_info(nb, job, task["run_id"])
            result["meta"] = {k: info[k] for k in ("title", "is_demo", "sources")}
            result["meta"]["report_meta"] = render.read_report_meta(nb)
            html_path = stem.with_suffix(".html")
            atomic_write(html_path, render.render_html(nb, info))
            result["outputs"]["html"] = html_path.relative_to(run_dir).as_posix()
            result["html_seconds"] = round(time.perf_counter() - t1, 3)
            if task.get("pdf", True):
                reason = render.pdf_unavailable_reason()
                if reason:
                    result["warnings"].append(f"PDF skipped: {reason}")
                    result["pdf_unavailable"] = reason
                else:
                    pdf_path = stem.with_suffix(".pdf")
                    t2 = time.perf_counter()
                    with atomic_path(pdf_path) as tmp_pdf:
                        render.render_pdf(nb, info, tmp_pdf)
                    result["pdf_seconds"] = round(time.perf_counter() - t2, 3)
                    result["outputs"]["pdf"] = pdf_path.relative_to(run_dir).as_posix()
        except Exception as exc:  # noqa: BLE001  (a rendering bug must not hide the other reports)
            result["status"] = "failed"
            result["error"] = result["error"] or {
                "kind": "render", "cell_index": None, "execution_count": None, "exception": type(exc).__name__,
                "message": str(exc)[:2000], "source": traceback.format_exc().splitlines()[-3:]}
        result["render_seconds"] = round(time.perf_counter() - t1, 3)
    result["duration"] = round(time.perf_counter() - t0, 3)
    return result
