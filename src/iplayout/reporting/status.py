"""Run-folder state: ``status.json`` says whether a run finished, and leftovers of a killed run are swept.

A run writes ``status.json`` = ``{"state": "running", "pid": …}`` and an index page listing every report
as missing *before* it executes anything, then rewrites both as reports finish and once more at the end
(``complete`` or ``failed``). A run killed part-way therefore leaves a folder that says so: its status is
``running`` with a dead pid (shown as ``interrupted``) and its index names the reports that are missing.

The next ``iplayout run`` under the same reports folder (and ``--resume`` of that folder) removes the
temporary notebooks and PDFs (``.<name>.<pid>.tmp*``) a killed worker left behind and marks such folders
``interrupted``.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from ..fileio import atomic_write

STATUS = "status.json"
#: temporary files of a report being executed/rendered (see execute.execute_job)
TEMP_PATTERNS = (".*.tmp.ipynb", ".*.tmp", ".*.tmp.pdf", ".*.print.html")  # .print.html: Chromium's print page


def write_status(run_dir: Path, state: str, *, missing: list[str] | None = None, **extra: Any) -> Path:
    """Write ``status.json`` atomically: state (``running``/``complete``/``failed``/``interrupted``), pid, time."""
    path = Path(run_dir) / STATUS
    rec = {"state": state, "pid": os.getpid(), "updated": dt.datetime.now().isoformat(timespec="seconds"),
           "missing": sorted(missing or []), **extra}
    atomic_write(path, json.dumps(rec, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path


def read_status(run_dir: Path) -> dict[str, Any]:
    """``status.json`` of a run folder ({} when absent or unreadable); a ``running`` run whose process is
    gone reads as ``interrupted``."""
    path = Path(run_dir) / STATUS
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if rec.get("state") == "running" and not _alive(rec.get("pid")):
        rec["state"] = "interrupted"
    return rec


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_temporaries(run_dir: Path) -> list[Path]:
    """Delete the temporary notebooks/PDFs a killed run left in ``run_dir``; returns what was removed."""
    removed = []
    for pattern in TEMP_PATTERNS:
        for p in Path(run_dir).rglob(pattern):
            if p.is_file():
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


def sweep_interrupted(reports_root: Path, *, also: Path | None = None) -> list[Path]:
    """Clean every run folder under ``reports_root`` (and ``also``) whose run was killed; returns them."""
    folders = [p for p in Path(reports_root).iterdir() if p.is_dir()] if Path(reports_root).is_dir() else []
    if also is not None and Path(also) not in folders:
        folders.append(Path(also))
    swept = []
    for folder in folders:
        st = read_status(folder)
        if st.get("state") == "interrupted" and st.get("pid") != os.getpid():
            remove_temporaries(folder)
            write_status(folder, "interrupted", missing=st.get("missing", []), interrupted_pid=st.get("pid"))
            swept.append(folder)
    return swept
