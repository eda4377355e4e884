"""Append-only JSON-lines logs (run evidence, publications) shared by concurrent runs.

Several ``iplayout run`` processes may finish at once and write to the same log in ``reports/``.
An append takes an exclusive :mod:`filelock` lock, then rewrites the whole file through a temporary
file and :func:`os.replace`: a reader never sees half a line, and a crash mid-write leaves the old log.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from ..fileio import atomic_write

LOCK_TIMEOUT = 60  # seconds; a run waits this long for another run to finish writing the log


def _lock(path: Path):
    from filelock import FileLock  # noqa: PLC0415

    return FileLock(str(path.with_name(f".{path.name}.lock")), timeout=LOCK_TIMEOUT)


def append_record(path: str | Path, record: dict[str, Any]) -> None:
    """Append one JSON object as a line of ``path`` (created when missing), under the log's lock."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    with _lock(path):
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        if old and not old.endswith("\n"):
            old += "\n"
        atomic_write(path, old + line + "\n")


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Every record of a log, in order ([] when the log does not exist).

    Raises :class:`DataError` naming the file and line of a line that is not a JSON object.
    """
    path = Path(path)
    if not path.is_file():
        return []
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"not a JSON line ({exc.msg})", file=str(path), line=n))
            continue
        if not isinstance(rec, dict):
            problems.append(Problem("a log line must be a JSON object", file=str(path), line=n))
            continue
        out.append(rec)
    if problems:
        raise DataError(problems)
    return out
