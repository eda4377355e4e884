"""``iplayout db import``: users' own statistical tables into the integrated database, all or nothing.

Two layouts:

* **long** (CSV/XLSX): one fact per row with columns ``region, year, indicator, value, unit, source``
  (optional ``industry``, ``quality_flag``, ``is_demo``; Chinese headers 地区/年份/指标/数值/单位/来源/行业/演示
  work too). Countries are regions too (ISO 3166-1 alpha-3 codes or names in the alias table, parent ``WLD``);
* **wide** yearbook sheet (rows = regions, columns = indicators, one year) with a mapping YAML that
  names the region column, the year and each indicator column's code and unit.

Every problem is collected (file, spreadsheet line, column, value) before anything is written. A valid
file is written in one transaction into a copy of the database that then replaces it atomically, so a
failed import leaves the database file byte-identical. Values already in the database from real
sources are only changed with ``allow_changes``; demo values are always replaced by real ones. A file
whose ``is_demo`` column is true (e.g. the seeded demo country file) is imported as demo data: its source
row and facts are flagged, and it may never replace a real value.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import DataError, Problem, SpecError
from . import schema
from ..fileio import atomic_path, sha256_file
from .recorded import record_import
from .units import PERCENT_UNITS, conversion_factor, normalise_unit

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
# spellings of the is_demo column (a file is demo or real as a whole)
DEMO_TRUE = {"true", "1", "yes", "y", "是", "演示"}
DEMO_FALSE = {"", "false", "0", "no", "n", "否"}
QUALITY_FLAGS = {"", "about", "lower_bound", "verify", "secondary", "provisional"}
MIN_YEAR = 1949


class ColumnMap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    indicator: str
    unit: str
    industry: str = "_T"


class MappingSpec(BaseModel):
    """Mapping YAML of a wide, yearbook-style sheet (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["wide", "long"] = "wide"
    sheet: str | None = None
    header_row: int = 1
    year: int | None = None
    region_column: str = "地区"
    columns: dict[str, ColumnMap] = {}
    source: str | None = None


@dataclass
class SourceInfo:
    title: str | None = None
    publisher: str = ""
    url: str = ""
    licence: str = ""


@dataclass
class ImportReport:
    file: Path
    db_path: Path
    dry_run: bool
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    replaced_demo: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_id: str = ""
    is_demo: bool = False

    def lines(self) -> list[str]:
        head = "DRY RUN — nothing written / 试运行，未写入" if self.dry_run else f"imported into {self.db_path}"
        out = [head, f"  file: {self.file}", f"  facts read: {self.rows}"
               + ("  [DEMO data, flagged is_demo / 演示数据]" if self.is_demo else ""),
               f"  new: {self.new}, changed: {self.changed} (of which demo replaced: {self.replaced_demo}), "
               f"unchanged: {self.unchanged}"]
        for kind, ex in self.examples.items():
            out += [f"  e.g. {kind}: {e}" for e in ex]
        out += [f"  note: {n}" for n in self.notes]
        if self.source_id and not self.dry_run:
            out.append(f"  source id: {self.source_id}")
        return out


# --- reading ------------------------------------------------------------------------------------
def _read_table(path: Path, sheet: str | None, header_row: int) -> tuple[pd.DataFrame, list[int]]:
    """Raw cells as strings and the spreadsheet row number of each data row (what the user sees)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            names = wb.sheetnames
            if sheet is None:
                data_sheets = [n for n in names if n not in ("说明", "instructions", "README")]
                sheet = data_sheets[0] if data_sheets else names[0]
            if sheet not in names:
                raise DataError(Problem(f"sheet not found (sheets: {names})", str(path), None, "sheet", sheet))
            rows = list(wb[sheet].iter_rows(values_only=True))
        finally:
            wb.close()
        header = ["" if v is None else str(v).strip() for v in rows[header_row - 1]]
        body = rows[header_row:]
        lines = list(range(header_row + 1, header_row + 1 + len(body)))
        cells = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                  for v in r] for r in body]
        width = len(header)
        df = pd.DataFrame([(c + [""] * width)[:width] for c in cells], columns=header)
    elif path.suffix.lower() in (".csv", ".txt"):
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=header_row - 1, encoding="utf-8-sig")
        df.columns = [str(c).strip() for c in df.columns]
        lines = list(range(header_row + 1, header_row + 1 + len(df)))
    else:
        raise DataError(Problem("unsupported file type (use .csv or .xlsx)", str(path), None, None, path.suffix))
    keep = [i for i, row in enumerate(df.itertuples(index=False)) if any(str(v).strip() for v in row)]
    return df.iloc[keep].reset_index(drop=True), [lines[i] for i in keep]


def _find(columns, key) -> str | None:
    for alias in HEADER_ALIASES[key]:
        for c in columns:
            if c.strip().lower() == alias.lower():
                return c
    return None


def read_long(path: Path, sheet: str | None = None, header_row: int = 1) -> pd.DataFrame:
    """Long table → facts frame with ``line`` and per-field ``col_*`` names for messages."""
    df, lines = _read_table(path, sheet, header_row)
    cols = {k: _find(df.columns, k) for k in HEADER_ALIASES}
    missing = [k for k in ("region", "year", "indicator", "value") if cols[k] is None]
    if missing:
        raise DataError(Problem(f"missing column(s) {missing}; found {list(df.columns)}", str(path), header_row))
    out = pd.DataFrame({k: (df[c] if c else "") for k, c in cols.items()})
    out["line"] = lines
    out["col"] = [cols] * len(out)
    return out


def read_wide(path: Path, spec: MappingSpec, sheet: str | None = None) -> pd.DataFrame:
    """Wide yearbook sheet → long facts using the mapping (one year; rows = regions)."""
    df, lines = _read_table(path, sheet or spec.sheet, spec.header_row)
    problems = []
    if spec.region_column not in df.columns:
        problems.append(Problem(f"region column not found; header has {list(df.columns)}", str(path),
                                spec.header_row, "region_column", spec.region_column))
    for name in spec.columns:
        if name not in df.columns:
            problems.append(Problem("mapped column not found in the header", str(path), spec.header_row, name, name))
    if spec.year is None:
        problems.append(Problem("a wide sheet's mapping needs year:", None, None, "year"))
    if problems:
        raise DataError(problems)
    parts = []
    for name, cm in spec.columns.items():
        parts.append(pd.DataFrame({
            "region": df[spec.region_column], "year": str(spec.year), "indicator": cm.indicator, "value": df[name],
            "unit": cm.unit, "source": spec.source or "", "industry": cm.industry, "quality_flag": "", "line": lines,
            "col": [{"region": spec.region_column, "value": name, "year": "year (mapping)",
                     "indicator": f"{name} (mapping)", "unit": f"{name} (mapping)", "industry": f"{name} (mapping)",
                     "quality_flag": None}] * len(df)}))
    out = pd.concat(parts, ignore_index=True)
    empty = out["value"].astype(str).str.strip().eq("")  # a blank yearbook cell means "no data", not zero
    out = out[~empty].reset_index(drop=True)
    out.attrs["blank_cells"] = int(empty.sum())
    out.attrs["ignored_columns"] = [c for c in df.columns if c not in spec.columns and c != spec.region_column]
    return out


def load_mapping(path: Path) -> MappingSpec:
    try:
        return MappingSpec.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: {exc}") from exc


# --- validation ---------------------------------------------------------------------------------
def validate_facts(facts: pd.DataFrame, con, file: str, *, this_year: int | None = None) -> pd.DataFrame:
    """Check every row against the database's reference tables; return clean observations.

    Raises DataError listing every problem: unknown region / indicator / industry, non-numeric or
    missing value, implausible year, unit that contradicts the catalogue and cannot be converted,
    negative count or amount, percentage outside [0, 100], unknown quality flag, duplicate facts.
    """
    this_year = this_year or dt.date.today().year
    aliases = con.execute("SELECT alias, code, action, reason FROM region_aliases").df().set_index("alias")
    region_codes = set(r[0] for r in con.execute("SELECT code FROM regions").fetchall())
    cat = con.execute("SELECT code, name, unit, kind FROM indicators").df()
    by_code = cat.set_index("code")
    by_name = cat.drop_duplicates("name").set_index("name")["code"]
    industries = set(r[0] for r in con.execute("SELECT code FROM industries").fetchall())
    problems: list[Problem] = []
    rows = []
    for rec in facts.to_dict("records"):
        line, col = int(rec["line"]), rec["col"]
        n_before = len(problems)
        bad = lambda msg, key, value: problems.append(Problem(msg, file, line, col.get(key) or key, value))  # noqa: E731
        name = str(rec["region"]).strip()
        if name in region_codes:
            region = name
        elif name in aliases.index and aliases.loc[name, "action"] == "map":
            region = aliases.loc[name, "code"]
        elif name in aliases.index:
            bad(f"region is excluded: {aliases.loc[name, 'reason']}", "region", name)
            region = None
        else:
            bad("unknown region (not a code in regions nor an alias in region_aliases)", "region", name)
            region = None
        ind = str(rec["indicator"]).strip()
        ind = by_name.get(ind, ind)
        if ind not in by_code.index:
            bad("unknown indicator (use a code or Chinese name of data/reference/indicators.csv)", "indicator", rec["indicator"])
            ind = None
        elif by_code.loc[ind, "kind"] != "stored":
            bad("derived indicator: computed from its definition, not imported", "indicator", ind)
            ind = None
        year_txt = str(rec["year"]).strip()
        try:
            year = int(float(year_txt))
            if float(year_txt) != year:
                raise ValueError
        except ValueError:
            bad("year is not a whole number", "year", rec["year"])
            year = None
        if year is not None and not MIN_YEAR <= year <= this_year + 1:
            bad(f"implausible year (expected {MIN_YEAR}–{this_year + 1})", "year", year)
            year = None
        raw = str(rec["value"]).strip().replace(",", "").replace("，", "")
        try:
            value = float(raw)
            if not math.isfinite(value):  # 'nan' / 'inf' typed as text are not numbers
                raise ValueError
        except ValueError:
            bad("value is not a number" if raw else "value is missing", "value", rec["value"])
            value = None
        industry = str(rec.get("industry") or "_T").strip() or "_T"
        if industry not in industries:
            bad("unknown industry code (see data/reference/industries.csv)", "industry", industry)
        flag = str(rec.get("quality_flag") or "").strip()
        if flag not in QUALITY_FLAGS:
            bad(f"unknown quality flag (allowed: {sorted(QUALITY_FLAGS - {''})})", "quality_flag", flag)
        demo_txt = str(rec.get("is_demo") or "").strip().lower()
        if demo_txt not in DEMO_TRUE | DEMO_FALSE:
            bad("is_demo must be true or false (是/否)", "is_demo", rec.get("is_demo"))
        if ind is not None and value is not None:
            cat_unit = by_code.loc[ind, "unit"]
            unit = normalise_unit(rec.get("unit", "")) or cat_unit
            factor = conversion_factor(unit, cat_unit, ind)
            if factor is None:
                bad(f"unit contradicts the catalogue unit {cat_unit!r} of {ind} and cannot be converted", "unit", unit)
            else:
                value *= factor
                if cat_unit in PERCENT_UNITS and not 0 <= value <= 100:
                    bad("share outside 0–100 %", "value", rec["value"])
                elif value < 0:
                    bad(f"negative value for a count or amount ({cat_unit})", "value", rec["value"])
        if len(problems) == n_before:
            rows.append(dict(region_code=region, year=year, indicator_code=ind, industry_code=industry,
                             value=value, quality_flag=flag, line=line, source=str(rec.get("source") or ""),
                             is_demo=demo_txt in DEMO_TRUE))
    obs = pd.DataFrame(rows, columns=["region_code", "year", "indicator_code", "industry_code", "value",
                                      "quality_flag", "line", "source", "is_demo"])
    if obs["is_demo"].nunique() > 1:  # one source row per import: it is demo or real, never both
        first, demo_col = obs.iloc[0], facts["col"].iloc[0].get("is_demo") or "is_demo"
        for r in obs[obs["is_demo"] != first["is_demo"]].itertuples():
            problems.append(Problem(f"is_demo differs from line {first['line']}: a file is demo or real as a whole "
                                    "(split it into two imports)", file, int(r.line), demo_col,
                                    r.is_demo))
    key = ["region_code", "year", "indicator_code", "industry_code"]
    for _, grp in obs[obs.duplicated(key, keep=False)].groupby(key):
        first = grp.iloc[0]
        for _, dup in grp.iloc[1:].iterrows():
            problems.append(Problem(f"duplicate of line {first['line']} (same region, year, indicator, industry; "
                                    f"values {float(first['value']):,.10g} and {float(dup['value']):,.10g})", file, int(dup["line"]),
                                    "value", dup["value"]))
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.line or 0)))
    return obs


def _diff(obs: pd.DataFrame, con) -> pd.DataFrame:
    con.register("_imp", obs[["region_code", "year", "indicator_code", "industry_code"]])
    try:
        cur = con.execute("""SELECT o.region_code, o.year, o.indicator_code, o.industry_code, o.value AS old_value,
                                    o.is_demo AS old_is_demo, o.source_id AS old_source
                             FROM observations o JOIN _imp USING (region_code, year, indicator_code, industry_code)""").df()
    finally:
        con.unregister("_imp")
    m = obs.merge(cur, on=["region_code", "year", "indicator_code", "industry_code"], how="left")
    m["status"] = "new"
    m.loc[m["old_value"].notna() & (m["old_value"] == m["value"]), "status"] = "unchanged"
    m.loc[m["old_value"].notna() & (m["old_value"] != m["value"]), "status"] = "changed"
    return m


# --- the command ----------------------------------------------------------------------------------
def import_file(file: Path | str, *, db_path: Path | str, mapping: Path | str | None = None, dry_run: bool = False,
                sheet: str | None = None, source: SourceInfo | None = None, allow_changes: bool = False,
                this_year: int | None = None, source_id: str | None = None, accessed: str | None = None,
                record: bool = True) -> ImportReport:
    """Validate ``file`` fully, then write it in one transaction on a copy that replaces ``db_path``.

    Returns an ImportReport (new / changed / unchanged counts with examples). Raises DataError with
    every problem, or when real (non-demo) values would change without ``allow_changes``; in both cases
    the database file is untouched. A successful import is recorded next to the database
    (``record``) so that ``iplayout db build`` replays it; ``source_id``/``accessed`` fix the source row
    when replaying.
    """
    file, db_path = Path(file), Path(db_path)
    source = source or SourceInfo()
    if not db_path.exists():
        raise DataError(Problem("database not found — run `iplayout db build` first", str(db_path)))
    spec = load_mapping(Path(mapping)) if mapping else None
    if spec is not None and spec.format == "wide":
        facts = read_wide(file, spec, sheet)
    else:
        facts = read_long(file, sheet or (spec.sheet if spec else None), spec.header_row if spec else 1)
    report = ImportReport(file=file, db_path=db_path, dry_run=dry_run, rows=len(facts))
    if facts.attrs.get("blank_cells"):
        report.notes.append(f"blank cells skipped (no data): {facts.attrs['blank_cells']}")
    if facts.attrs.get("ignored_columns"):
        report.notes.append(f"columns not in the mapping, ignored: {facts.attrs['ignored_columns']}")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        obs = validate_facts(facts, con, str(file), this_year=this_year)
        diff = _diff(obs, con)
        fmt = lambda r: (f"line {r.line}: {r.region_code} {r.year} {r.indicator_code}/{r.industry_code} = {r.value:,.10g}"  # noqa: E731
                         + (f" (was {r.old_value:,.10g}{', demo' if r.old_is_demo else ''})" if r.status == "changed" else ""))
        for status in ("new", "changed", "unchanged"):
            sel = diff[diff["status"] == status]
            setattr(report, status, len(sel))
            if len(sel):
                report.examples[status] = [fmt(r) for r in sel.head(3).itertuples()]
        changed = diff[diff["status"] == "changed"]
        report.replaced_demo = int(changed["old_is_demo"].fillna(False).astype(bool).sum())
        real_changes = changed[~changed["old_is_demo"].fillna(False).astype(bool)]
        report.is_demo = bool(obs["is_demo"].any())
        if len(real_changes) and report.is_demo:  # demo figures never overwrite a real one, not even with --replace
            raise DataError([Problem(f"demo value would replace a real value from source {r.old_source} "
                                     f"({r.old_value:g} → {r.value:g}); drop this row from the demo file",
                                     str(file), int(r.line), "value", r.value) for r in real_changes.itertuples()])
        if len(real_changes) and not allow_changes:
            raise DataError([Problem(f"would change a real value from source {r.old_source} "
                                     f"({r.old_value:g} → {r.value:g}); use --replace to allow",
                                     str(file), int(r.line), "value", r.value) for r in real_changes.itertuples()])
    finally:
        con.close()
    if dry_run:
        return report
    digest = sha256_file(file)[:10]
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    report.source_id = source_id or f"import:{stamp}:{digest}"
    accessed = accessed or dt.date.today().isoformat()
    title = source.title or file.name
    srow = pd.DataFrame([dict(id=report.source_id, title=title, publisher=source.publisher,
                              url=source.url, licence=source.licence, accessed=accessed,
                              notes=f"imported by iplayout db import from {file.name} (sha256 {digest}…)"
                              + ("; DEMO data (synthetic, not official statistics)" if report.is_demo else ""),
                              is_demo=report.is_demo)])
    new = diff[diff["status"] != "unchanged"].copy()
    new["source_id"] = report.source_id
    new["is_demo"] = report.is_demo
    with atomic_path(db_path, tag="import", copy_existing=True, companions=(".wal",)) as tmp:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN TRANSACTION")
            schema.write_table(con, "sources", srow)
            con.register("_chg", new[["region_code", "year", "indicator_code", "industry_code"]])
            con.execute("""DELETE FROM observations o USING _chg c WHERE o.region_code = c.region_code AND
                           o.year = c.year AND o.indicator_code = c.indicator_code AND o.industry_code = c.industry_code""")
            con.unregister("_chg")
            schema.write_table(con, "observations", new)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    if record:
        rec = record_import(db_path, file, Path(mapping) if mapping else None, dict(
            source_id=report.source_id, accessed=accessed, sheet=sheet, allow_changes=allow_changes,
            source=dict(title=title, publisher=source.publisher, url=source.url, licence=source.licence)))
        report.notes.append(f"recorded in {rec} (replayed by `iplayout db build`)")
    return report
