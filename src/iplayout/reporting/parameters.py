"""Typed validation of notebook parameters against ``params/notebooks.yaml`` and the database.

papermill's own CLI infers types (``-p region 320100`` injects an int) and only warns about unknown
parameters. Here every parameter a run plan passes is checked, before any kernel starts, against a
declaration: its type (codes are *strings*), allowed values and range, and — for region, territory
and industry codes — that the code exists in the integrated database (and, with ``member_of``, that a
region belongs to the given territory). All problems are collected and raised together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ParameterError, Problem, SpecError

ParamType = Literal["str", "int", "float", "bool", "region", "territory", "industry"]
CODE_TYPES = ("region", "territory", "industry")
# Filled in by the runner when a notebook declares them and the plan does not set them.
RUNNER_PARAMETERS = ("db_path", "stage_dir", "run_dir")


class ParamDecl(BaseModel):
    """Declaration of one notebook parameter."""

    model_config = ConfigDict(extra="forbid")
    type: ParamType
    default: Any = None
    required: bool = False
    choices: list[Any] | None = None
    min: float | None = None
    max: float | None = None
    member_of: str | None = Field(None, description="name of the territory parameter this region must belong to")
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> "ParamDecl":
        if self.member_of is not None and self.type != "region":
            raise ValueError("member_of is only meaningful for type 'region'")
        if self.default is not None and self.type in CODE_TYPES + ("str",) and not isinstance(self.default, str):
            raise ValueError(f"default of a {self.type} parameter must be a quoted string, got {self.default!r}")
        return self


class NotebookDecl(BaseModel):
    """What the runner knows about one notebook: titles, index group, stage it reads, parameters."""

    model_config = ConfigDict(extra="forbid")
    title: str
    title_en: str = ""
    group: str = Field(..., description="index section (Chinese), e.g. 资源调查")
    group_en: str = ""
    stage: str | None = Field(None, description="stage prepared once per run before this notebook runs")
    parameters: dict[str, ParamDecl]


class Declarations(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notebooks: dict[str, NotebookDecl]


def load_declarations(path: str | Path) -> Declarations:
    """Read and validate a notebook-parameter declaration file (YAML, ``yaml.safe_load``)."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: notebook parameter declarations not found")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: notebook declarations must be a mapping")
    # top-level keys starting with "_" only hold YAML anchors shared by several notebooks
    raw = {k: v for k, v in raw.items() if not str(k).startswith("_")}
    try:
        decls = Declarations.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(f"{path}: invalid notebook declarations:\n{exc}") from exc
    check_stages(decls, path)
    return decls


def check_stages(decls: Declarations, path: str | Path) -> None:
    """Every ``stage:`` must be a registered stage (``iplayout.stages.registry``), before any kernel starts.

    Raises
    ------
    SpecError
        Naming the declaration file, each notebook with an unknown stage and the registered stages.
    """
    from ..stages import REGISTRY  # noqa: PLC0415  (importing the package registers the chain's stages)

    bad = [f"{nb}: unknown stage {d.stage!r}" for nb, d in decls.notebooks.items()
           if d.stage is not None and d.stage not in REGISTRY]
    if bad:
        raise SpecError(f"{path}: " + "; ".join(bad) + f" (registered stages: {', '.join(REGISTRY)})")


@dataclass
class CodeBook:
    """Region and industry codes known to the database (all codes are strings)."""

    regions: dict[str, dict[str, Any]] = field(default_factory=dict)   # code -> {name, level, parent_code}
    industries: dict[str, str] = field(default_factory=dict)           # code -> name

    @classmethod
    def from_db(cls, db_path: str | Path) -> "CodeBook":
        """Read ``regions`` and ``industries`` from the integrated database (``open_db``, read-only)."""
        from ..db.api import open_db  # noqa: PLC0415

        db_path = Path(db_path)
        if not db_path.is_file():
            raise ParameterError(f"{db_path}: database not found — build it first with `iplayout db build`")
        with open_db(db_path) as db:
            reg, ind = db.regions(), db.industries()
        regions = {
            str(r.code): {"name": r.name, "level": r.level,
                          "parent_code": r.parent_code if isinstance(r.parent_code, str) else None}
            for r in reg.itertuples(index=False)
        }
        industries = {str(r.code): r.name for r in ind.itertuples(index=False)}
        return cls(regions=regions, industries=industries)

    def members(self, territory: str) -> list[str]:
        """Direct children of a territory, sorted by code."""
        return sorted(c for c, r in self.regions.items() if r["parent_code"] == territory)

    def name(self, code: str | None) -> str | None:
        if code is None:
            return None
        if code in self.regions:
            return self.regions[code]["name"]
        return self.industries.get(code)


def _check_type(decl: ParamDecl, value: Any) -> str | None:
    """Return a problem message if ``value`` does not have the declared type (no coercion)."""
    t = decl.type
    if t in CODE_TYPES or t == "str":
        if not isinstance(value, str):
            hint = " — write codes as quoted strings, e.g. '320100'" if t in CODE_TYPES else ""
            return f"expected a string ({t}), got {type(value).__name__}{hint}"
    elif t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer, got {type(value).__name__}"
    elif t == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected a number, got {type(value).__name__}"
    elif t == "bool" and not isinstance(value, bool):
        return f"expected true/false, got {type(value).__name__}"
    return None


def validate_parameters(
    notebook: str,
    decl: NotebookDecl,
    given: dict[str, Any],
    codes: CodeBook,
    *,
    where: str | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check ``given`` against ``decl`` and return (resolved parameters, problems).

    Resolved parameters contain every declared parameter that has a value (given, else default);
    ``float`` parameters given as integers become floats, nothing else is coerced.
    """
    problems: list[Problem] = []

    def bad(msg: str, name: str, value: Any = None) -> None:
        problems.append(Problem(f"{notebook}: {msg}", file=where, column=name, value=value))

    for name in given:
        if name not in decl.parameters:
            bad(f"unknown parameter (declared: {', '.join(sorted(decl.parameters))})", name, given[name])
    resolved: dict[str, Any] = {}
    for name, pd in decl.parameters.items():
        if name in given:
            value = given[name]
        elif pd.default is not None:
            value = pd.default
        else:
            if pd.required and name not in RUNNER_PARAMETERS:
                bad("required parameter missing", name)
            continue
        msg = _check_type(pd, value)
        if msg:
            bad(msg, name, value)
            continue
        if pd.type == "float":
            value = float(value)
        if pd.choices is not None and value not in pd.choices:
            bad(f"not one of {pd.choices}", name, value)
        if pd.min is not None and pd.type in ("int", "float") and value < pd.min:
            bad(f"below the minimum {pd.min}", name, value)
        if pd.max is not None and pd.type in ("int", "float") and value > pd.max:
            bad(f"above the maximum {pd.max}", name, value)
        if pd.type in ("region", "territory") and value not in codes.regions:
            bad(f"unknown {pd.type} code (not in the database's regions table)", name, value)
        elif pd.type == "territory" and not codes.members(value):
            bad("territory has no member regions", name, value)
        elif pd.type == "industry" and value not in codes.industries:
            bad("unknown industry code (not in the database's industries table)", name, value)
        resolved[name] = value
    # membership needs the territory resolved first, hence a second pass
    for name, pd in decl.parameters.items():
        if pd.member_of and name in resolved and resolved[name] in codes.regions:
            terr = resolved.get(pd.member_of)
            parent = codes.regions[resolved[name]]["parent_code"]
            if terr is not None and parent != terr:
                bad(f"region is not a member of territory {terr!r} (its parent is {parent!r})", name, resolved[name])
    return resolved, problems


def raise_problems(problems: list[Problem]) -> None:
    """Raise one :class:`ParameterError` listing every problem (no-op when the list is empty)."""
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems[:100])
        more = f"\n  … and {len(problems) - 100} more" if len(problems) > 100 else ""
        err = ParameterError(f"{len(problems)} parameter problem(s), no report was started:\n{lines}{more}")
        err.problems = problems  # type: ignore[attr-defined]
        raise err
