"""Manual updates written back into ``params/programme.yaml`` without losing comments or order.

``iplayout progress set TASK STATUS --evidence … [--percent N] [--next …] [--target-date D]`` edits
one task in ruamel.yaml's round-trip mode: every other byte of the file (comments, blank lines, key
order, flow lists, quoting) is kept. The edited document is validated with the same rules as
:func:`~iplayout.programme.model.load_programme` *before* it replaces the file (atomically), so a bad
update never leaves an invalid schedule behind.
"""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from ..errors import DataError, SpecError
from ..fileio import atomic_write
from .model import STATUSES, load_programme


def _yaml():
    from ruamel.yaml import YAML  # noqa: PLC0415

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long Chinese measures
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def round_trip(text: str) -> str:
    """Load and dump a YAML text in round-trip mode (identity on files written in the house layout)."""
    y = _yaml()
    buf = io.StringIO()
    y.dump(y.load(text), buf)
    return buf.getvalue()


def set_task(path: str | Path, task_id: str, status: str, *, evidence: str | None = None,
             percent: int | None = None, next_step: str | None = None, target_date: dt.date | None = None,
             on: dt.date | None = None) -> str:
    """Set a task's status (and optionally evidence, percent, next step, target date); returns the new text.

    ``on`` is the date of the update (default today): it becomes ``updated`` and the evidence date.
    ``done`` sets percent to 100 and requires evidence (given now or already recorded).
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415

    path = Path(path)
    if status not in STATUSES:
        raise SpecError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    if percent is not None and not 0 <= percent <= 100:
        raise SpecError(f"percent must be between 0 and 100, got {percent}")
    on = on or dt.date.today()
    y = _yaml()
    doc = y.load(path.read_text(encoding="utf-8"))
    task = next((t for t in doc.get("tasks") or [] if t.get("id") == task_id), None)
    if task is None:
        known = ", ".join(str(t.get("id")) for t in doc.get("tasks") or [])
        raise SpecError(f"{path}: no task {task_id!r} (tasks: {known})")
    if status == "done" and not evidence and not task.get("evidence"):
        raise SpecError(f"task {task_id}: status done needs --evidence (a document, minutes or link)")

    def put(key: str, value) -> None:
        if key in task:
            task[key] = value
        else:  # keep the house order: a missing field goes after the last present one
            task.insert(len(task), key, value)

    put("status", status)
    # a fresh date object per field: one shared object would be dumped as a YAML anchor and alias
    put("updated", dt.date.fromordinal(on.toordinal()))
    if status == "done":
        percent = 100 if percent is None else percent
        if percent != 100:
            raise SpecError(f"task {task_id}: a done task is 100 % complete, got --percent {percent}")
    if percent is not None:
        put("percent", percent)
    if next_step is not None:
        put("next_step", next_step)
    if target_date is not None:
        put("target_date", target_date)
    if evidence:
        seq = task.get("evidence")
        if not isinstance(seq, CommentedSeq) or not seq:
            seq = CommentedSeq()  # block style: one entry per line pair, easy to read and diff
            put("evidence", seq)
        item = CommentedMap()
        item["date"] = dt.date.fromordinal(on.toordinal())
        item["text"] = evidence
        seq.append(item)
    buf = io.StringIO()
    y.dump(doc, buf)
    text = buf.getvalue()
    # validate the edited schedule before it replaces the file
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / path.name
        probe.write_text(text, encoding="utf-8")
        try:
            load_programme(probe)
        except DataError as exc:
            for prob in exc.problems:
                prob.file = str(path)
            raise DataError(exc.problems) from None
    atomic_write(path, text)
    return text
