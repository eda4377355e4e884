"""Reading step of ``iplayout db import``: a user's file (+ mapping YAML) → a long frame of raw facts.

Nothing is interpreted here beyond the layout: every cell stays text, and each fact keeps the
spreadsheet line and the column it came from so that validation can name them. The file itself is read
by :func:`iplayout.tablefile.read_grid` (regular-file and size checks, encoding detection, merged
header cells, formula cells without values).

Layouts
-------
* **long**: one fact per row, columns ``region, year, indicator, value, unit, source`` (optional
  ``industry, quality_flag, is_demo``; Chinese headers 地区/年份/指标/数值/单位/来源/行业/演示 work too);
* **wide**, one header row: rows = regions, one column per indicator, one ``year:`` for the sheet;
* **wide, two header levels** (``header_levels: 2``), as yearbooks print them: the first header row names
  the indicator (merged over its years, filled across), the second the year of each column; the region
  cell is merged down both rows. A ``unit_row`` (``单位：万人``) supplies the unit of every column that
  does not state its own (``城镇化率（%）``) and that the mapping does not fix.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import DataError, Problem, SpecError
from ..tablefile import Grid, header_and_body, read_grid
from ..yamlio import load_yaml
from .aliases import normalise_name
from .units import normalise_unit

HEADER_ALIASES = {
    "region": ["region", "地区", "地区名称", "region_code", "地区代码", "country", "国家", "国家或地区"],
    "year": ["year", "年份", "年度"],
    "indicator": ["indicator", "指标", "指标代码", "indicator_code"],
    "value": ["value", "数值", "值"],
    "unit": ["unit", "单位"],
    "source": ["source", "来源", "数据来源"],
    "industry": ["industry", "行业", "行业代码", "industry_code"],
    "quality_flag": ["quality_flag", "质量标记"],
    "is_demo": ["is_demo", "演示", "演示数据"],
}
#: first characters of the note lines yearbooks print under a table (注：…, 资料来源：…)
NOTE_PREFIXES = ("注", "说明", "资料来源", "数据来源", "note", "source")
_UNIT_IN_NAME = re.compile(r"[（(]\s*([^（()）]+?)\s*[)）]\s*$")
_UNIT_ROW = re.compile(r"单\s*位\s*[：:]\s*(\S+)|^\s*unit\s*[：:]\s*(\S+)", re.IGNORECASE)
_YEAR = re.compile(r"^\s*((?:19|20)\d\d)\s*年?\s*$")


class ColumnMap(BaseModel):
    """One mapped column (or, with two header levels, one indicator over its year columns)."""

    model_config = ConfigDict(extra="forbid")
    indicator: str
    unit: str | None = Field(None, description="unit of the column; default: the unit in the header name "
                             "（…） or the sheet's unit row")
    industry: str = "_T"


class MappingSpec(BaseModel):
    """Mapping YAML of a wide, yearbook-style sheet (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["wide", "long"] = "wide"
    sheet: str | None = None
    header_row: int = Field(1, ge=1, description="first header row (1-based, as Excel numbers rows)")
    header_levels: Literal[1, 2] = Field(1, description="2: indicator row + year row under it")
    unit_row: int | None = Field(None, ge=1, description="row holding 单位：… for columns without their own unit")
    year: int | None = None
    region_column: str = "地区"
    columns: dict[str, ColumnMap] = {}
    source: str | None = Field(None, description="source text of every fact (e.g. 江苏统计年鉴2019 表3-6)")
    region_aliases: dict[str, str] = Field(default_factory=dict, description="names valid in this sheet only "
                                           "(全省 → 江苏) → a code or a name of the alias table")

    @model_validator(mode="after")
    def _check(self):
        if self.format == "wide" and self.header_levels == 1 and self.year is None:
            raise ValueError("a wide sheet's mapping needs year: (or header_levels: 2 with a year row)")
        if self.header_levels == 2 and self.year is not None:
            raise ValueError("header_levels: 2 reads the years from the second header row; drop year:")
        if self.unit_row is not None and self.unit_row >= self.header_row:
            raise ValueError("unit_row must be above header_row")
        return self


def load_mapping(path: Path) -> MappingSpec:
    try:
        return MappingSpec.model_validate(load_yaml(path) or {})
    except ValidationError as exc:
        raise SpecError(f"{path}: {exc}") from None


def _find(columns, key) -> str | None:
    for alias in HEADER_ALIASES[key]:
        for c in columns:
            if c.strip().lower() == alias.lower():
                return c
    return None


def _require_rows(body: list, file: str, header_row: int) -> None:
    if not body:
        raise DataError(Problem("no data rows (only a header): nothing to import", file, header_row))


def read_long(path: Path, sheet: str | None = None, header_row: int = 1) -> pd.DataFrame:
    """Long table → facts frame with ``line`` and per-field ``col`` names for messages."""
    grid = read_grid(path, sheet=sheet)
    header, body, lines = header_and_body(grid, header_row)
    _require_rows(body, str(path), header_row)
    df = pd.DataFrame(body, columns=header)
    cols = {k: _find(header, k) for k in HEADER_ALIASES}
    missing = [k for k in ("region", "year", "indicator", "value") if cols[k] is None]
    if missing:
        raise DataError(Problem(f"missing column(s) {missing}; found {header}", str(path), header_row))
    out = pd.DataFrame({k: (df[c] if c else "") for k, c in cols.items()})
    out["line"] = lines
    out["col"] = [cols] * len(out)
    return out


def _sheet_unit(grid: Grid, row: int | None) -> str:
    """Unit printed in the unit row (``单位：万人``), '' without one."""
    if row is None:
        return ""
    cells = next((r for r, ln in zip(grid.rows, grid.lines) if ln == row), [])
    for cell in cells:
        m = _UNIT_ROW.search(str(cell))
        if m:
            return normalise_unit(m.group(1) or m.group(2))
    raise DataError(Problem("unit row has no 单位：… cell", grid.file, row, "unit_row", " | ".join(map(str, cells))))


def _column_unit(name: str, cm: ColumnMap, sheet_unit: str, file: str, line: int) -> str:
    """Unit of a mapped column: the mapping's, else the one in the header name, else the unit row's.

    A mapping unit that contradicts what the sheet prints is refused: that is exactly how 亿元 figures
    end up stored as 万元.
    """
    m = _UNIT_IN_NAME.search(name)
    printed = normalise_unit(m.group(1)) if m else sheet_unit
    if cm.unit is not None:
        if printed and normalise_unit(cm.unit) != printed:
            raise DataError(Problem(f"mapping says unit {cm.unit!r} but the sheet prints {printed!r} for this column",
                                    file, line, name, cm.unit))
        return cm.unit
    return printed


def _two_level_header(grid: Grid, spec: MappingSpec) -> tuple[list[tuple[str, str]], list[list[str]], list[int]]:
    """Header as (indicator name, year text) per column; blank first-level cells repeat the one to their left."""
    top, sub = (next((r for r, ln in zip(grid.rows, grid.lines) if ln == spec.header_row + k), None) for k in (0, 1))
    if top is None or sub is None:
        raise DataError(Problem("the two header rows are missing", grid.file, spec.header_row))
    width = max(len(top), len(sub))
    top, sub = [(list(r) + [""] * width)[:width] for r in (top, sub)]
    names, last = [], ""
    for t, s in zip(top, sub):
        t = str(t).strip()
        last = t or (last if str(s).strip() else "")
        names.append((last, str(s).strip()))
    body, lines = [], []
    for row, ln in zip(grid.rows, grid.lines):
        if ln > spec.header_row + 1 and any(str(c).strip() for c in row):
            body.append([str(c) for c in (list(row) + [""] * width)[:width]])
            lines.append(ln)
    return names, body, lines


def read_wide(path: Path, spec: MappingSpec, sheet: str | None = None) -> pd.DataFrame:
    """Wide yearbook sheet → long facts using the mapping (rows = regions; one or two header levels)."""
    file = str(path)
    levels = spec.header_levels
    grid = read_grid(path, sheet=sheet or spec.sheet, merged_rows=spec.header_row + levels - 1)
    sheet_unit = _sheet_unit(grid, spec.unit_row)
    if levels == 2:
        names, body, lines = _two_level_header(grid, spec)
    else:
        header, body, lines = header_and_body(grid, spec.header_row)
        names = [(h, str(spec.year)) for h in header]
    # headers compare in normal form: '地  区' is 地区, '城镇化率(%)' is 城镇化率（%）
    names = [(normalise_name(n), y) for n, y in names]
    columns = {normalise_name(k): v for k, v in spec.columns.items()}
    region_column = normalise_name(spec.region_column)
    first = [n for n, _ in names]
    problems = []
    if region_column not in first:
        problems.append(Problem(f"region column not found; header has {sorted(set(first) - {''})}", file,
                                spec.header_row, "region_column", spec.region_column))
    for name in columns:
        if name not in first:
            problems.append(Problem("mapped column not found in the header", file, spec.header_row, name, name))
    if problems:
        raise DataError(problems)
    rcol = first.index(region_column)
    local = {normalise_name(k): v for k, v in spec.region_aliases.items()}
    for r in body:
        r[rcol] = local.get(normalise_name(r[rcol]), r[rcol])
    notes = [i for i, r in enumerate(body) if str(r[rcol]).strip().lower().startswith(NOTE_PREFIXES)
             and not any(str(c).strip() for j, c in enumerate(r) if j != rcol)]
    keep = [i for i in range(len(body)) if i not in set(notes)]
    body, lines = [body[i] for i in keep], [lines[i] for i in keep]
    _require_rows(body, file, spec.header_row + levels - 1)
    mapped = [j for j, (n, _) in enumerate(names) if n in columns]
    if levels == 1 and not str(body[0][rcol]).strip() and any(_YEAR.match(body[0][j]) for j in mapped):
        raise DataError(Problem("this row looks like a second header row (years under the indicators): declare "
                                "header_levels: 2 in the mapping (and drop year:)", file, lines[0], None,
                                " | ".join(body[0])))
    parts = []
    for j, (name, year_txt) in enumerate(names):
        cm = columns.get(name)
        if cm is None:
            continue
        label = name if levels == 1 else f"{name}|{year_txt}"
        if levels == 2:
            m = _YEAR.match(year_txt)
            if not m:
                raise DataError(Problem("second header row must hold a year under each indicator column", file,
                                        spec.header_row + 1, label, year_txt))
            year_txt = m.group(1)
        unit = _column_unit(name, cm, sheet_unit, file, spec.header_row)
        parts.append(pd.DataFrame({
            "region": [r[rcol] for r in body], "year": year_txt, "indicator": cm.indicator,
            "value": [r[j] for r in body], "unit": unit, "source": spec.source or "", "industry": cm.industry,
            "quality_flag": "", "line": lines,
            "col": [{"region": spec.region_column, "value": label, "year": "year (mapping)" if levels == 1 else label,
                     "indicator": f"{name} (mapping)", "unit": f"{label} (unit)", "industry": f"{name} (mapping)",
                     "quality_flag": None}] * len(body)}))
    out = pd.concat(parts, ignore_index=True)
    empty = out["value"].astype(str).str.strip().eq("")  # a blank yearbook cell means "no data", not zero
    out = out[~empty].reset_index(drop=True)
    out.attrs["blank_cells"] = int(empty.sum())
    out.attrs["note_rows"] = len(notes)
    out.attrs["ignored_columns"] = sorted({n for n in first if n and n not in columns and n != region_column})
    return out


def read_facts(file: Path, mapping: Path | None = None, sheet: str | None = None) -> tuple[pd.DataFrame, MappingSpec | None]:
    """The reading step as one call: file (+ mapping) → raw facts frame (and the mapping, if any)."""
    spec = load_mapping(Path(mapping)) if mapping else None
    if spec is not None and spec.format == "wide":
        return read_wide(file, spec, sheet), spec
    return read_long(file, sheet or (spec.sheet if spec else None), spec.header_row if spec else 1), spec
