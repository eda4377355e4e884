"""Run plans (``params/runs/*.yaml``) → validated pydantic objects.

A plan names the report set, default parameters and a list of report entries; an entry names a
notebook (relative to the notebooks folder), its own parameters and optionally ``over``: parameters to
expand over (an explicit list of codes, ``members`` = the territory's member regions, or
``industries`` = every industry except the total ``_T``). Unknown keys are errors. ``delivers`` names the
programme tasks (``params/programme.yaml``) the set delivers; they are checked against the schedule here.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import SpecError
from ..fileio import read_yaml

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ReportEntry(BaseModel):
    """One line of a plan: a notebook, its parameters and what to expand over."""

    model_config = ConfigDict(extra="forbid")
    notebook: str = Field(..., description="path relative to the notebooks folder, e.g. 01_survey/region.ipynb")
    parameters: dict[str, Any] = Field(default_factory=dict)
    over: dict[str, list[Any] | Literal["members", "industries"]] = Field(default_factory=dict)
    group: str | None = Field(None, description="index section; defaults to the notebook's declared group")
    title: str | None = None

    @field_validator("notebook")
    @classmethod
    def _relative(cls, v: str) -> str:
        p = Path(v)
        if p.is_absolute() or ".." in p.parts or p.suffix != ".ipynb":
            raise ValueError(f"notebook must be a relative .ipynb path inside the notebooks folder, got {v!r}")
        return p.as_posix()


class RunPlan(BaseModel):
    """A report set: e.g. the 2016 stage summary or the 2018 final acceptance set."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., description="ASCII slug used in run ids")
    title: str
    title_en: str = ""
    description: str = ""
    defaults: dict[str, Any] = Field(default_factory=dict,
                                     description="parameters given to every report that declares them")
    reports: list[ReportEntry] = Field(..., min_length=1)
    notebooks_dir: str | None = Field(None, description="relative to the plan file; default: project notebooks/")
    declarations: str | None = Field(None, description="notebooks.yaml path relative to the plan file")
    timeout: int | None = Field(None, gt=0, description="per-cell timeout in seconds")
    delivers: list[str] = Field(default_factory=list,
                                description="programme task ids this report set delivers (params/programme.yaml)")
    as_of: dt.date | None = Field(None, description="date the report set speaks for (evidence date, progress as-of)")
    publish: bool = Field(False, description="a published release: packaging it is entered in reports/publications.jsonl")
    programme: str | None = Field(None, description="programme file relative to the plan file; default params/programme.yaml")

    @field_validator("name")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError(f"plan name must be an ASCII slug ([A-Za-z0-9._-], ≤64), got {v!r}")
        return v


class LoadedPlan(BaseModel):
    """A plan together with where it came from and its resolved folders."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    plan: RunPlan
    path: Path
    raw: dict[str, Any]
    notebooks_dir: Path
    declarations_path: Path
    programme_path: Path | None = None


def load_plan(path: str | Path, *, notebooks_dir: Path | None = None,
              declarations: Path | None = None) -> LoadedPlan:
    """Read a plan file; folders given here override the defaults (project notebooks/, params/notebooks.yaml)."""
    from ..config import notebooks_dir as default_nb_dir, params_dir  # noqa: PLC0415

    path = Path(path).resolve()
    raw = read_yaml(path, what="run plan", error=SpecError)
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: a run plan must be a mapping")
    try:
        plan = RunPlan.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(f"{path}: invalid run plan:\n{exc}") from exc
    nb_dir = notebooks_dir or ((path.parent / plan.notebooks_dir).resolve() if plan.notebooks_dir else default_nb_dir())
    decl = declarations or ((path.parent / plan.declarations).resolve() if plan.declarations
                            else params_dir() / "notebooks.yaml")
    prog = None
    if plan.delivers:  # the tasks a plan claims to deliver must exist in the schedule
        from ..errors import DataError  # noqa: PLC0415
        from ..programme.model import check_task_ids, load_programme  # noqa: PLC0415

        prog = (path.parent / plan.programme).resolve() if plan.programme else params_dir() / "programme.yaml"
        problems = check_task_ids(plan.delivers, load_programme(prog).programme, where=str(path))
        if problems:
            raise DataError(problems)
    return LoadedPlan(plan=plan, path=path, raw=raw, notebooks_dir=nb_dir, declarations_path=decl,
                      programme_path=prog)
