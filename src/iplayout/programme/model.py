"""The pilot's schedule (``params/programme.yaml``) → validated :class:`Programme`.

One task is one row of the work plan's annex: phase, key task, measure, responsible and supporting
units, start and end month, plus the fields practitioners keep in their progress sheets (status,
percent complete, next step, target date, evidence, notes) and the plan's indicator targets.

Checks (every problem is collected, then one :class:`~iplayout.errors.DataError` names the file,
line, task id and field of each): unknown keys, bad month format (``YYYY-MM``), end before start,
unknown unit names (units must be listed under ``units`` or ``unit_groups``), unknown phase or
stream, duplicate task ids, and *overlapping duplicates* — two tasks with the same phase, key task
and measure whose periods overlap (a row pasted twice).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import DataError, Problem, SpecError

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TASK_ID = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,31}$")
STATUSES = ("planned", "in_progress", "done")
STATUS_ZH = {"planned": "未开始", "in_progress": "进行中", "done": "已完成"}


def parse_month(value: Any) -> tuple[int, int]:
    """``"2016-02"`` → ``(2016, 2)``; raises ``ValueError`` for anything else (dates, ``2016-2``, numbers)."""
    m = MONTH.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"month must be written YYYY-MM (e.g. 2016-02), got {value!r}")
    return int(m.group(1)), int(m.group(2))


def month_first_day(month: str) -> dt.date:
    """First day of a ``YYYY-MM`` month (a task's period starts here, inclusive)."""
    y, m = parse_month(month)
    return dt.date(y, m, 1)


def month_last_day(month: str) -> dt.date:
    """Last day of a ``YYYY-MM`` month (a task's period ends here, inclusive)."""
    y, m = parse_month(month)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


class ManualEvidence(BaseModel):
    """Evidence entered by hand: a document number, minutes, a link, with the date it was recorded."""

    model_config = ConfigDict(extra="forbid")
    date: dt.date
    text: str = Field(..., min_length=1)


class Target(BaseModel):
    """An indicator target of the work plan (left empty where the plan gives none; the user fills it)."""

    model_config = ConfigDict(extra="forbid")
    indicator: str = Field("", description="indicator code of the integrated database, when there is one")
    name: str
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    year: int | None = None
    source: str = ""


class Task(BaseModel):
    """One row of the schedule annex."""

    model_config = ConfigDict(extra="forbid")
    id: str
    phase: str
    stream: str = ""
    task: str = Field(..., min_length=1, description="key task (重点任务)")
    measure: str = Field(..., min_length=1, description="measure (工作措施)")
    responsible: list[str] = Field(..., min_length=1)
    supporting: list[str] = Field(default_factory=list)
    start: str
    end: str
    status: Literal["planned", "in_progress", "done"] = "planned"
    percent: int = Field(0, ge=0, le=100)
    updated: dt.date | None = Field(None, description="date the manual status / percent was last set")
    target_date: dt.date | None = Field(None, description="expected completion (default: end of the end month)")
    next_step: str = ""
    evidence: list[ManualEvidence] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    notes: str = ""

    @property
    def start_date(self) -> dt.date:
        return month_first_day(self.start)

    @property
    def end_date(self) -> dt.date:
        return month_last_day(self.end)

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(self.responsible + self.supporting))


class Programme(BaseModel):
    """The whole schedule: controlled vocabularies (phases, streams, units) and the tasks."""

    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    title_en: str = ""
    report_title: str = Field("", description="title of the progress report (default: title + 进展情况报告)")
    start: str
    end: str
    phases: list[str] = Field(..., min_length=1)
    streams: list[str] = Field(default_factory=list)
    units: list[str] = Field(..., min_length=1)
    unit_groups: dict[str, list[str]] = Field(default_factory=dict)
    tasks: list[Task] = Field(..., min_length=1)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    @property
    def task_ids(self) -> list[str]:
        return [t.id for t in self.tasks]

    def members(self, unit: str) -> list[str]:
        """The units a name stands for (a group's members, else the unit itself)."""
        return list(self.unit_groups.get(unit, [unit]))


@dataclass
class LoadedProgramme:
    programme: Programme
    path: Path


def _load_yaml(path: Path) -> Any:
    """Safe YAML load through the project's loader when present (size and alias limits), else ``safe_load``."""
    try:
        from ..yamlio import load_yaml  # noqa: PLC0415
    except ImportError:  # pragma: no cover - before the shared loader exists
        import yaml  # noqa: PLC0415

        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SpecError(f"{path}: invalid YAML: {exc}") from None
    return load_yaml(path)


def _task_lines(path: Path) -> dict[tuple[int, str], int]:
    """(task index, field) → 1-based line number, from a round-trip parse (only used for messages)."""
    try:
        from ruamel.yaml import YAML  # noqa: PLC0415

        doc = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001  (line numbers are a courtesy; the safe loader already accepted it)
        return {}
    out: dict[tuple[int, str], int] = {}
    for i, task in enumerate(doc.get("tasks") or [] if hasattr(doc, "get") else []):
        if not hasattr(task, "lc"):
            continue
        out[(i, "")] = task.lc.line + 1
        for key in task:
            out[(i, str(key))] = task.lc.key(key)[0] + 1
    return out


def _check_tasks(prog_raw: dict[str, Any], path: Path) -> list[Problem]:
    """Rules pydantic cannot express: vocabularies, months, order, duplicates. Works on the raw mapping."""
    problems: list[Problem] = []
    where: list[tuple[Problem, int, str]] = []  # line numbers are looked up only when something is wrong
    units = set(prog_raw.get("units") or []) | set(prog_raw.get("unit_groups") or {})
    phases = set(prog_raw.get("phases") or [])
    streams = set(prog_raw.get("streams") or [])
    for group, members in (prog_raw.get("unit_groups") or {}).items():
        for m in members or []:
            if m not in set(prog_raw.get("units") or []):
                problems.append(Problem(f"unit group {group!r}: member is not listed under units",
                                        file=str(path), column="unit_groups", value=m))
    for key in ("start", "end"):
        try:
            parse_month(prog_raw.get(key))
        except ValueError as exc:
            problems.append(Problem(str(exc), file=str(path), column=key))
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple[str, str, str], list[tuple[str, tuple[int, int], tuple[int, int]]]] = {}
    for i, t in enumerate(prog_raw.get("tasks") or []):
        if not isinstance(t, dict):
            problems.append(Problem("a task must be a mapping", file=str(path), column=f"tasks[{i}]"))
            continue
        tid = t.get("id")
        label = f"task {tid}" if isinstance(tid, str) else f"tasks[{i}]"

        def bad(msg: str, field: str, value: Any = None, _i=i, _label=label) -> None:
            prob = Problem(f"{_label}, field {field!r}: {msg}", file=str(path), column=field, value=value)
            problems.append(prob)
            where.append((prob, _i, field))

        if not isinstance(tid, str) or not TASK_ID.match(tid):
            bad("task id must be a short ASCII string such as T2.1 (quote numbers)", "id", tid)
        elif tid in seen_ids:
            bad(f"duplicate task id (also tasks[{seen_ids[tid]}])", "id", tid)
        else:
            seen_ids[tid] = i
        if phases and t.get("phase") not in phases:
            bad(f"unknown phase (phases: {', '.join(prog_raw.get('phases') or [])})", "phase", t.get("phase"))
        if streams and t.get("stream") not in streams | {"", None}:
            bad(f"unknown stream (streams: {', '.join(prog_raw.get('streams') or [])})", "stream", t.get("stream"))
        for field in ("responsible", "supporting"):
            names = t.get(field) or []
            if not isinstance(names, list):
                bad("must be a list of unit names", field, names)
                continue
            for name in names:
                if name not in units:
                    bad("unknown unit (add it to `units` or correct the spelling)", field, name)
        months: dict[str, tuple[int, int]] = {}
        for field in ("start", "end"):
            try:
                months[field] = parse_month(t.get(field))
            except ValueError as exc:
                bad(str(exc), field, t.get(field))
        if len(months) == 2:
            if months["end"] < months["start"]:
                bad(f"end month is before the start month {t.get('start')}", "end", t.get("end"))
            key = tuple(str(t.get(k, "")).strip() for k in ("phase", "task", "measure"))
            for other, s, e in seen_rows.get(key, []):
                if s <= months["end"] and months["start"] <= e:
                    bad(f"overlapping duplicate of task {other} (same phase, key task and measure, "
                        "overlapping periods)", "measure", t.get("measure"))
            seen_rows.setdefault(key, []).append((str(tid), months["start"], months["end"]))
        if t.get("status") == "done" and not t.get("evidence") and not t.get("updated"):
            bad("a task set to done needs evidence or an `updated` date", "status", "done")
    if where:
        lines = _task_lines(path)
        for prob, i, field in where:
            prob.line = lines.get((i, field), lines.get((i, "")))
    return problems


def load_programme(path: str | Path | None = None) -> LoadedProgramme:
    """Read and validate the schedule (default ``params/programme.yaml``).

    Raises
    ------
    DataError
        Listing every problem with file, line, task id and field.
    SpecError
        The file is missing or not YAML.
    """
    from ..config import params_dir  # noqa: PLC0415

    path = Path(path) if path else params_dir() / "programme.yaml"
    if not path.is_file():
        raise SpecError(f"{path}: programme file not found")
    raw = _load_yaml(path)
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: a programme file must be a mapping with `tasks`")
    problems = _check_tasks(raw, path)
    if problems:
        raise DataError(problems)
    try:
        prog = Programme.model_validate(raw)
    except ValidationError as exc:
        lines = _task_lines(path)
        for err in exc.errors():
            loc = err["loc"]
            if len(loc) >= 3 and loc[0] == "tasks" and isinstance(loc[1], int):
                tid = (raw.get("tasks") or [{}])[loc[1]].get("id", f"tasks[{loc[1]}]")
                field = str(loc[2])
                problems.append(Problem(f"task {tid}, field {field!r}: {err['msg']}", file=str(path),
                                        line=lines.get((loc[1], field)), column=field, value=err.get("input")))
            else:
                problems.append(Problem(err["msg"], file=str(path), column=".".join(map(str, loc)),
                                        value=err.get("input")))
        raise DataError(problems) from None
    return LoadedProgramme(programme=prog, path=path)


def check_task_ids(task_ids: list[str], programme: Programme, *, where: str, field: str = "delivers") -> list[Problem]:
    """Problems for task ids (e.g. a run plan's ``delivers``) that the programme does not define."""
    known = set(programme.task_ids)
    return [Problem(f"unknown programme task (known: {', '.join(programme.task_ids[:6])} …)", file=where,
                    column=field, value=t) for t in task_ids if t not in known]
