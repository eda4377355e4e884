"""Status of each task on a date: done, on time, late or not started.

Rule (as of date ``D``; a task's period runs from the first day of its start month to the last day of
its end month, **both inclusive**):

1. **done** (已完成) — completed on or before ``D``: a run that delivers the task has ``as_of <= D``
   (run evidence, see :mod:`.evidence`), or the task's manual status is ``done`` with ``updated <= D``
   (undated manual status applies at every date). The completion date is the earliest of these;
   a completion after the end month is flagged *逾期完成* (finished late).
2. **late** (逾期) — not done and ``D`` is after the end month (``D > end``): a task due in 2016-12 is
   still on time on 2016-12-31 and late from 2017-01-01.
3. **on time** (按期推进) — not done, ``D <= end`` and work is under way: manual status
   ``in_progress`` or ``percent > 0`` (dated ``<= D`` or undated).
4. **not started** (未开始) — otherwise: ``D`` is before the start month, or nothing has been
   recorded yet (flagged *已到开始时间* when ``D >= start``).

Percent complete: 100 when done, else the manual ``percent`` when it applies on ``D``, else 0.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd

from .evidence import RunEvidence
from .model import Programme, Task

STATUS_ORDER = ("done", "on_time", "late", "not_started")
STATUS_LABEL = {"done": "已完成", "on_time": "按期推进", "late": "逾期", "not_started": "未开始"}
STATUS_EN = {"done": "done", "on_time": "on time", "late": "late", "not_started": "not started"}


def _applies(task: Task, as_of: dt.date) -> bool:
    """Whether the task's manual status/percent is known on ``as_of`` (undated entries always apply)."""
    return task.updated is None or task.updated <= as_of


def completion_date(task: Task, as_of: dt.date, runs: Iterable[RunEvidence] = ()) -> dt.date | None:
    """Earliest date on or before ``as_of`` at which the task counts as done (None when not done)."""
    dates = [r.as_of for r in runs if not r.stale and task.id in r.tasks and r.as_of <= as_of]
    if task.status == "done" and _applies(task, as_of):
        manual = task.updated or max((e.date for e in task.evidence), default=None) or task.end_date
        if manual <= as_of:
            dates.append(manual)
    return min(dates) if dates else None


def task_status(task: Task, as_of: dt.date, runs: Iterable[RunEvidence] = ()) -> dict:
    """Status record of one task on ``as_of`` (see the module docstring for the rule)."""
    runs = list(runs)
    done = completion_date(task, as_of, runs)
    started = _applies(task, as_of) and (task.status == "in_progress" or task.percent > 0)
    if done is not None:
        status = "done"
    elif as_of > task.end_date:
        status = "late"
    elif started:
        status = "on_time"
    else:
        status = "not_started"
    flags = []
    if done is not None and done > task.end_date:
        flags.append("逾期完成")
    if status == "not_started" and as_of >= task.start_date:
        flags.append("已到开始时间")
    percent = 100 if done is not None else (task.percent if _applies(task, as_of) else 0)
    run_ev = [r for r in runs if task.id in r.tasks and r.as_of <= as_of]
    return {
        "id": task.id, "phase": task.phase, "stream": task.stream, "task": task.task, "measure": task.measure,
        "responsible": "、".join(task.responsible), "supporting": "、".join(task.supporting),
        "start": task.start, "end": task.end, "start_date": task.start_date, "end_date": task.end_date,
        "status": status, "status_zh": STATUS_LABEL[status], "done_date": done, "percent": percent,
        "days_late": (as_of - task.end_date).days if status == "late" else 0,
        "flags": "；".join(flags), "next_step": task.next_step,
        "target_date": task.target_date or task.end_date, "manual_status": task.status, "updated": task.updated,
        "runs": [r.run_id for r in run_ev if not r.stale], "stale_runs": [r.run_id for r in run_ev if r.stale],
        "manual_evidence": [f"{e.date.isoformat()} {e.text}" for e in task.evidence if e.date <= as_of],
    }


def progress_table(programme: Programme, as_of: dt.date, runs: Iterable[RunEvidence] = ()) -> pd.DataFrame:
    """One row per task in the file's order, with status, percent, completion date and evidence."""
    runs = list(runs)
    return pd.DataFrame([task_status(t, as_of, runs) for t in programme.tasks])


def summary_by(table: pd.DataFrame, column: str, order: list[str] | None = None) -> pd.DataFrame:
    """Counts per status, completion rate (done / tasks) and mean percent per ``phase``, ``stream`` or unit.

    ``column="responsible_unit"`` counts a task once for each of its responsible units.
    """
    if column == "responsible_unit":
        t = table.assign(responsible_unit=table["responsible"].str.split("、")).explode("responsible_unit")
    else:
        t = table
    rows = []
    keys = order if order is not None else list(dict.fromkeys(t[column]))
    for key in keys:
        sub = t[t[column] == key]
        if sub.empty:
            continue
        row = {column: key, "tasks": len(sub)}
        row.update({s: int((sub["status"] == s).sum()) for s in STATUS_ORDER})
        row["completion"] = row["done"] / len(sub)
        row["mean_percent"] = float(sub["percent"].mean())
        rows.append(row)
    total = {column: "合计", "tasks": len(table), **{s: int((table["status"] == s).sum()) for s in STATUS_ORDER},
             "completion": float((table["status"] == "done").mean()) if len(table) else 0.0,
             "mean_percent": float(table["percent"].mean()) if len(table) else 0.0}
    return pd.DataFrame(rows + [total])


def tasks_in_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Tasks whose period touches calendar year ``year`` (e.g. the 2016 tasks)."""
    lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return table[(table["start_date"] <= hi) & (table["end_date"] >= lo)]
