"""Validation step of ``iplayout db import``: raw facts → clean observations, or every problem located.

Each row is checked against the database's reference tables (regions and aliases, indicator catalogue,
industries); values are parsed strictly (:func:`parse_number`) and converted to the catalogue unit only
where the conversion is unambiguous (:mod:`iplayout.db.units`). The plausibility of magnitudes (a 10⁴
jump, a fraction typed for a percentage) is checked afterwards by :mod:`iplayout.db.plausibility`.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from ..errors import DataError, Problem
from .aliases import AliasTable, normalise_name
from .units import PERCENT_UNITS, conversion_factor, normalise_unit

# spellings of the is_demo column (a file is demo or real as a whole)
DEMO_TRUE = {"true", "1", "yes", "y", "是", "演示"}
DEMO_FALSE = {"", "false", "0", "no", "n", "否"}
QUALITY_FLAGS = {"", "about", "lower_bound", "verify", "secondary", "provisional"}
MIN_YEAR = 1949
OBS_COLUMNS = ["region_code", "year", "indicator_code", "industry_code", "value", "quality_flag", "line", "source",
               "is_demo", "unit_given", "value_column"]

_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def parse_number(text: object) -> tuple[float | None, str]:
    """Strictly parse one value cell: ``(value, '')`` or ``(None, reason)``.

    Accepted: plain decimals with a point (``2.5``, ``-3``, ``1e6``) and thousands separators in groups
    of three (``1,234,567.8``, also with the Chinese comma ``，``). Refused with the reason, never
    reinterpreted: a decimal comma (``2,5``; ``50.331,0``), underscores (``1_000``, which Python would
    accept), ``nan``/``inf``, anything else.
    """
    raw = str(text if text is not None else "").strip().replace("，", ",")
    if not raw:
        return None, "value is missing"
    if "_" in raw:
        return None, "underscore in a number (1_000?): write digits only, e.g. 1000"
    if _PLAIN.fullmatch(raw):
        v = float(raw)
    elif _GROUPED.fullmatch(raw):
        v = float(raw.replace(",", ""))
    elif re.fullmatch(r"[+-]?[\d.,]+", raw) and "," in raw:
        return None, "comma not in groups of three: a decimal comma (2,5 or 50.331,0)? write 2.5 / 50331.0"
    else:
        return None, "value is not a number"
    if not math.isfinite(v):
        return None, "value is not a finite number"
    return v, ""


def _reference(con):
    aliases = con.execute("SELECT alias, code, action, reason FROM region_aliases").df()
    region_codes = {r[0] for r in con.execute("SELECT code FROM regions").fetchall()}
    cat = con.execute("SELECT code, name, unit, kind FROM indicators").df()
    industries = {r[0] for r in con.execute("SELECT code FROM industries").fetchall()}
    return AliasTable.normalised(aliases), region_codes, cat, industries


def validate_facts(facts: pd.DataFrame, con, file: str, *, this_year: int | None = None) -> pd.DataFrame:
    """Check every row against the database's reference tables; return clean observations.

    Raises DataError listing every problem: unknown region / indicator / industry, non-numeric or
    missing value, implausible year, missing unit for an indicator that has one, unit that contradicts
    the catalogue and cannot be converted, negative count or amount, percentage outside [0, 100],
    unknown quality flag, duplicate facts.
    """
    this_year = this_year or dt.date.today().year
    aliases, region_codes, cat, industries = _reference(con)
    by_code = cat.set_index("code")
    by_name = cat.drop_duplicates("name").set_index("name")["code"]
    problems: list[Problem] = []
    rows = []
    for rec in facts.to_dict("records"):
        line, col = int(rec["line"]), rec["col"]
        n_before = len(problems)
        bad = lambda msg, key, value: problems.append(Problem(msg, file, line, col.get(key) or key, value))  # noqa: E731
        name = normalise_name(rec["region"])
        code, action, reason = aliases.lookup(name)
        if name in region_codes:
            region = name
        elif action == "map":
            region = code
        elif action == "exclude":
            bad(f"region is excluded: {reason}", "region", rec["region"])
            region = None
        else:
            bad("unknown region (not a code in regions nor an alias in region_aliases)", "region", rec["region"])
            region = None
        ind = str(rec["indicator"]).strip()
        ind = by_name.get(ind, ind)
        if ind not in by_code.index:
            bad("unknown indicator (use a code or Chinese name of data/reference/indicators.csv)", "indicator",
                rec["indicator"])
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
        value, why = parse_number(rec["value"])
        if value is None:
            bad(why, "value", rec["value"])
        industry = str(rec.get("industry") or "_T").strip() or "_T"
        if industry not in industries:
            bad("unknown industry code (see data/reference/industries.csv)", "industry", industry)
        flag = str(rec.get("quality_flag") or "").strip()
        if flag not in QUALITY_FLAGS:
            bad(f"unknown quality flag (allowed: {sorted(QUALITY_FLAGS - {''})})", "quality_flag", flag)
        demo_txt = str(rec.get("is_demo") or "").strip().lower()
        if demo_txt not in DEMO_TRUE | DEMO_FALSE:
            bad("is_demo must be true or false (是/否)", "is_demo", rec.get("is_demo"))
        unit = normalise_unit(rec.get("unit", ""))
        if ind is not None:
            cat_unit = normalise_unit(by_code.loc[ind, "unit"])
            if not unit and cat_unit:
                # never assume the catalogue unit: a 亿元 figure in a 万元 table would be off by 10⁴
                bad(f"unit is missing: {ind} is measured in {cat_unit!r} — write the unit the figure is in",
                    "unit", rec.get("unit", ""))
            elif value is not None:
                factor = conversion_factor(unit, cat_unit, ind)
                if factor is None:
                    bad(f"unit contradicts the catalogue unit {cat_unit!r} of {ind} and cannot be converted",
                        "unit", unit)
                else:
                    value *= factor
                    if cat_unit in PERCENT_UNITS and not 0 <= value <= 100:
                        bad("share outside 0–100 %", "value", rec["value"])
                    elif value < 0:
                        bad(f"negative value for a count or amount ({cat_unit})", "value", rec["value"])
        if len(problems) == n_before:
            rows.append(dict(region_code=region, year=year, indicator_code=ind, industry_code=industry,
                             value=value, quality_flag=flag, line=line, source=str(rec.get("source") or "").strip(),
                             is_demo=demo_txt in DEMO_TRUE, unit_given=unit,
                             value_column=col.get("value") or "value"))
    obs = pd.DataFrame(rows, columns=OBS_COLUMNS)
    if obs["is_demo"].nunique() > 1:  # one source row per import: it is demo or real, never both
        first, demo_col = obs.iloc[0], facts["col"].iloc[0].get("is_demo") or "is_demo"
        for r in obs[obs["is_demo"] != first["is_demo"]].itertuples():
            problems.append(Problem(f"is_demo differs from line {first['line']}: a file is demo or real as a whole "
                                    "(split it into two imports)", file, int(r.line), demo_col, r.is_demo))
    key = ["region_code", "year", "indicator_code", "industry_code"]
    for _, grp in obs[obs.duplicated(key, keep=False)].groupby(key):
        first = grp.iloc[0]
        for _, dup in grp.iloc[1:].iterrows():
            problems.append(Problem(f"duplicate of line {first['line']} (same region, year, indicator, industry; "
                                    f"values {float(first['value']):,.10g} and {float(dup['value']):,.10g})",
                                    file, int(dup["line"]), "value", dup["value"]))
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.line or 0)))
    return obs
