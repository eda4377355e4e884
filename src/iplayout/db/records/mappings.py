"""Column mappings of record exports: which header is which field, how cells are written, value maps.

A mapping (``params/records/mappings/<format>.yaml``, or a user's own file) is validated here (pydantic,
unknown keys are errors). Headers match after :func:`normalise_header` — ``[标]``, brackets and slashes
stripped — so ``公开(公告)号`` and ``公开公告号``, ``[标]当前申请(专利权)人`` and ``当前申请专利权人`` are one column.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...config import params_file
from ...errors import SpecError
from ...yamlio import load_yaml

FORMATS = ("patsnap", "incopat", "cnipa", "trademark", "copyright", "plant_variety")
Kind = Literal["patent", "trademark", "copyright", "plant_variety"]
# field → cell type; every kind also has the region fields province, city, county, region_code_field, address
_REGION = {"province": "text", "city": "text", "county": "text", "region_code_field": "text", "address": "text"}
FIELDS: dict[str, dict[str, str]] = {
    "patent": {"publication_number": "id", "application_number": "id", "office": "office", "patent_type": "mapped",
               "title": "text", "application_date": "date", "application_year": "year", "publication_date": "date",
               "grant_date": "date", "applicants": "list", "applicant_count": "int", "inventors": "list",
               "claims": "int", "ipc": "ipc_list", "ipc_main": "ipc", "export_industry": "text", "cited_by": "int",
               "legal_status": "text", "legal_events": "text", "family_size": "int", "family_offices": "list",
               **_REGION},
    "trademark": {"registration_number": "id", "application_number": "id", "nice_classes": "nice_list",
                  "applicants": "list", "application_date": "date", "application_year": "year",
                  "registration_date": "date", "status": "text", **_REGION},
    "copyright": {"registration_number": "id", "work_kind": "mapped", "title": "text", "category": "text",
                  "owners": "list", "registration_date": "date", "year": "year", **_REGION},
    "plant_variety": {"grant_number": "id", "application_number": "id", "crop": "text", "variety_name": "text",
                      "applicants": "list", "application_date": "date", "application_year": "year",
                      "grant_date": "date", **_REGION},
}
#: fields giving the record id, in order of preference (RECORDS.md: publication number, else application number)
ID_FIELDS = {"patent": ("publication_number", "application_number"),
             "trademark": ("registration_number", "application_number"),
             "copyright": ("registration_number",), "plant_variety": ("grant_number", "application_number")}
#: (year field, date fields whose year stands in when the year field is missing)
YEAR_FIELDS = {"patent": ("application_year", ("application_date",)),
               "trademark": ("application_year", ("application_date",)),
               "copyright": ("year", ("registration_date",)),
               "plant_variety": ("application_year", ("application_date", "grant_date"))}
REQUIRED = {"patent": ("patent_type",), "trademark": ("nice_classes",), "copyright": ("work_kind",),
            "plant_variety": ()}
CANONICAL_VALUES = {"patent_type": ("invention_application", "invention_grant", "utility_model", "design"),
                    "work_kind": ("work", "software")}
_STRIP = re.compile(r"\[标\]|[()（）\[\]【】/／\s]")


def normalise_header(name: str) -> str:
    """``[标]当前申请(专利权)人`` → ``当前申请专利权人``; ``IPC主分类号(小类)`` → ``ipc主分类号小类`` (case-folded)."""
    return _STRIP.sub("", str(name)).casefold()


class RecordMapping(BaseModel):
    """One export format: its kind, header aliases per field, title rows, separator, missing tokens, value maps."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind
    source_format: str = Field(pattern=r"^[a-z_]+$")
    title: str = Field(min_length=1, description="zh/en name of the export format")
    title_rows: int = Field(0, ge=0, le=50, description="rows above the header (XLSX/CSV title lines)")
    separator: str = Field(" | ", min_length=1)
    missing: list[str] = Field(default_factory=lambda: ["-"])
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d",
                                                             "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"])
    columns: dict[str, list[str]]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    default_office: str = Field("", pattern=r"^([A-Z]{2})?$", description="office when the export has no column")
    invention_granted_with_grant_date: bool = Field(
        False, description="an invention (发明) with a grant date is a granted invention (CNIPA exports)")

    @field_validator("columns")
    @classmethod
    def _aliases(cls, v):
        for field, aliases in v.items():
            if not aliases or any(not str(a).strip() for a in aliases):
                raise ValueError(f"field {field!r}: give at least one non-empty header name")
        return v

    @model_validator(mode="after")
    def _known(self):
        fields = FIELDS[self.kind]
        unknown = sorted(set(self.columns) - set(fields))
        if unknown:
            raise ValueError(f"unknown field(s) for kind {self.kind}: {unknown}; known: {sorted(fields)}")
        if not any(f in self.columns for f in ID_FIELDS[self.kind]):
            raise ValueError(f"map at least one record-id field: {list(ID_FIELDS[self.kind])}")
        missing = [f for f in REQUIRED[self.kind] if f not in self.columns]
        if missing:
            raise ValueError(f"required field(s) not mapped: {missing}")
        year, dates = YEAR_FIELDS[self.kind]
        if year not in self.columns and not any(d in self.columns for d in dates):
            raise ValueError(f"map the year ({year}) or a date it can come from ({list(dates)})")
        for field, vmap in self.values.items():
            if field not in fields or fields[field] not in ("mapped", "office"):
                raise ValueError(f"values: {field!r} takes no value map (only patent_type, office, work_kind)")
            allowed = CANONICAL_VALUES.get(field)
            bad = sorted(t for t in vmap.values() if (allowed and t not in allowed)
                         or (field == "office" and not re.fullmatch(r"[A-Z]{2}", t)))
            if bad:
                raise ValueError(f"values of {field!r} must be {allowed or 'two-letter office codes'}; got {bad}")
        for field in ("patent_type", "work_kind"):
            if field in self.columns and field not in self.values:
                raise ValueError(f"values: give the map of {field!r} (export wording → {CANONICAL_VALUES[field]})")
        header_of = {}
        for field, aliases in self.columns.items():
            for a in aliases:
                key = normalise_header(a)
                if header_of.setdefault(key, field) != field:
                    raise ValueError(f"header {a!r} is given for both {header_of[key]!r} and {field!r}")
        return self


def mapping_path(fmt: str, params_dir: Path | None = None) -> Path:
    if fmt not in FORMATS:
        raise SpecError(f"unknown records format {fmt!r}; one of {FORMATS} (or --mapping your.yaml)")
    return params_file(f"records/mappings/{fmt}.yaml", params_dir)


def load_record_mapping(path: Path) -> RecordMapping:
    """Read and validate one mapping YAML (SpecError naming the file on any problem)."""
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: a mapping is a YAML mapping (kind, source_format, columns …)")
    try:
        return RecordMapping(**raw)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
        raise SpecError(f"{path}: invalid records mapping — {msgs}") from None


def resolve_columns(mapping: RecordMapping, header: list[str]) -> dict[str, int]:
    """Field → column index in ``header`` (normalised match; a field absent from the file is left out)."""
    index = {}
    for j, h in enumerate(header):
        index.setdefault(normalise_header(h), j)
    out = {}
    for field, aliases in mapping.columns.items():
        for a in aliases:
            j = index.get(normalise_header(a))
            if j is not None:
                out[field] = j
                break
    return out
