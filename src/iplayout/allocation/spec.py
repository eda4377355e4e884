"""Typed parameters of the allocation stage: ``params/allocation/{zones,catalogue,overrides}.yaml``.

Every file is loaded with the project's safe loader (``iplayout.yamlio``) and validated into pydantic models (unknown keys are errors);
a problem names the file and the offending key. Rule conditions are *data* — a small structured language
(``{field, op, value}``, ``all``, ``any``, ``not``) evaluated by :mod:`iplayout.allocation.catalogue`,
never Python code.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal, Union


from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import SpecError
from ..yamlio import load_yaml

ZONE_SUBSYSTEMS = ("ip", "innovation", "industry")
#: evidence fields a rule condition may test (the catalogue's evidence columns)
FIELDS = ("lq_output", "ip_specialisation", "growth", "zone", "coupling_class", "ip_intensive",
          "high_ip", "high_innovation", "high_industry", "output_share")
OPS = ("<", "<=", ">", ">=", "==", "!=", "in", "not_in", "missing", "present")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- zones.yaml -----------------------------------------------------------------------------------
class Threshold(_Strict):
    """Where "high" starts on each subsystem score: the territory median, a quantile, or fixed values."""

    method: Literal["median", "quantile", "fixed"] = "median"
    q: float = Field(0.5, gt=0, lt=1)
    values: dict[str, float] = {}

    @model_validator(mode="after")
    def _fixed_values(self):
        if self.method == "fixed" and set(self.values) != set(ZONE_SUBSYSTEMS):
            raise ValueError(f"threshold.method fixed needs values for {list(ZONE_SUBSYSTEMS)}")
        return self


class ZoneType(_Strict):
    code: str
    pattern: str = Field(pattern=r"^[HL]{3}$", description="high/low on ip, innovation, industry, e.g. HHL")
    name: str
    name_en: str
    meaning: str
    meaning_en: str = ""


class ZoneSpec(_Strict):
    """The zone typology (本项目提出的方案) and its stability checks."""

    name: str = "知识产权功能区划分"
    proposal_note: str = "本项目提出的方案"
    threshold: Threshold = Threshold()
    band: float = Field(0.10, ge=0, lt=1, description="± share of the threshold counted as 临界 (sub-band)")
    borderline_probability: float = Field(0.6, gt=0, le=1)
    sensitivity_shift: float = Field(0.10, gt=0, lt=1)
    cluster_k: list[int] = [2, 3, 4, 5, 6]
    cluster_seed: int = 20160101
    types: list[ZoneType]

    @model_validator(mode="after")
    def _eight_patterns(self):
        pats = [t.pattern for t in self.types]
        codes = [t.code for t in self.types]
        if len(set(pats)) != len(pats) or len(set(codes)) != len(codes):
            raise ValueError("zone types: codes and patterns must be unique")
        missing = sorted({a + b + c for a in "HL" for b in "HL" for c in "HL"} - set(pats))
        if missing:
            raise ValueError(f"zone types: every high/low pattern needs a type; missing {missing}")
        return self

    def by_pattern(self) -> dict[str, ZoneType]:
        return {t.pattern: t for t in self.types}


# --- catalogue.yaml -------------------------------------------------------------------------------
class Compare(_Strict):
    field: str
    op: str = "=="
    value: Union[float, int, bool, str, list[Union[str, float, int, bool]], None] = None

    @field_validator("field", "op")
    @classmethod
    def _known(cls, v, info):
        known, what = (FIELDS, "field") if info.field_name == "field" else (OPS, "operator")
        if v not in known:
            raise ValueError(f"unknown {what} {v!r}; known: {', '.join(known)}")
        return v


class AllOf(_Strict):
    all: list["Condition"]


class AnyOf(_Strict):
    any: list["Condition"]


class NotOf(_Strict):
    not_: "Condition" = Field(alias="not")


class Always(_Strict):
    always: Literal[True]


Condition = Union[Compare, AllOf, AnyOf, NotOf, Always]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class ActionClass(_Strict):
    code: str
    name_en: str
    description: str


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    description: str
    when: Condition
    action: str
    levers: list[str]


class CatalogueSpec(_Strict):
    """Catalogue rules (evaluated in order, first match wins) and the evidence conventions."""

    name: str = "知识产权资源配置导向目录"
    proposal_note: str = "本项目提出的方案"
    classes: list[ActionClass]
    levers: list[str]
    require: list[str] = ["lq_output", "ip_specialisation"]
    growth_span: int = Field(3, ge=1, le=10)
    #: ip_specialisation from patent records (RTA by SEI industry, issue 11) where imported, else the statistics'
    #: patent location quotient; ``statistics`` always uses the latter
    ip_specialisation: Literal["records_when_present", "statistics"] = "records_when_present"
    rules: list[Rule]
    #: lever → policy instruments that serve it (policy fit: a priority entry's lever with none in force is a gap)
    lever_instruments: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _consistent(self):
        codes = [c.code for c in self.classes]
        ids = [r.id for r in self.rules]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"rule ids must be unique: {dup}")
        for r in self.rules:
            if r.action not in codes:
                raise ValueError(f"rule {r.id}: action {r.action!r} is not a class ({', '.join(codes)})")
            bad = [lv for lv in r.levers if lv not in self.levers]
            if bad:
                raise ValueError(f"rule {r.id}: unknown lever(s) {bad} (levers: {', '.join(self.levers)})")
        bad = [lv for lv in self.lever_instruments if lv not in self.levers]
        if bad:
            raise ValueError(f"lever_instruments: unknown lever(s) {bad}")
        bad = [f for f in self.require if f not in FIELDS]
        if bad:
            raise ValueError(f"require: unknown field(s) {bad}")
        return self


# --- overrides.yaml -------------------------------------------------------------------------------
class Override(_Strict):
    """One expert-group decision (专家组意见) replacing a rule's result for one region × industry."""

    territory: str
    region: str
    industry: str
    action: str
    levers: list[str]
    reason: str = Field(min_length=1)
    reviewer: str = Field(min_length=1)
    date: dt.date
    year: int | None = None

    @field_validator("territory", "region", "industry", mode="before")
    @classmethod
    def _code_is_string(cls, v):
        if not isinstance(v, str):
            raise ValueError(f"codes must be quoted strings (\"320100\"), got {v!r}")
        return v


class OverrideFile(_Strict):
    overrides: list[Override] = []


def _load(path: Path, model):
    p = Path(path)
    if not p.is_file():
        raise SpecError(f"allocation parameter file not found: {p}")
    data = load_yaml(p)  # the project's one safe loader (size and alias-expansion caps)
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        lines = [f"{p}: {'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()]
        raise SpecError("invalid allocation parameters:\n  " + "\n  ".join(lines)) from None


def allocation_files(params_dir: Path) -> dict[str, Path]:
    d = Path(params_dir) / "allocation"
    return {"zones": d / "zones.yaml", "catalogue": d / "catalogue.yaml", "overrides": d / "overrides.yaml"}


def load_zone_spec(path: Path) -> ZoneSpec:
    return _load(path, ZoneSpec)


def load_catalogue_spec(path: Path) -> CatalogueSpec:
    return _load(path, CatalogueSpec)


def load_overrides(path: Path, catalogue: CatalogueSpec | None = None) -> list[Override]:
    """Overrides from ``overrides.yaml`` (a missing file means none); classes/levers checked against the rules."""
    if not Path(path).exists():
        return []
    got = _load(path, OverrideFile).overrides
    if catalogue is not None:
        codes = {c.code for c in catalogue.classes}
        problems = []
        for i, o in enumerate(got):
            if o.action not in codes:
                problems.append(f"{path}: overrides.{i}.action: {o.action!r} is not a class ({', '.join(sorted(codes))})")
            bad = [lv for lv in o.levers if lv not in catalogue.levers]
            if bad:
                problems.append(f"{path}: overrides.{i}.levers: unknown lever(s) {bad}")
        if problems:
            raise SpecError("invalid overrides:\n  " + "\n  ".join(problems))
    return got
