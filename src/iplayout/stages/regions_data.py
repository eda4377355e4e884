"""Database reads of the regions stage: latest structural values, IP indicator series, demonstration-zone members.

Kept apart from the stage's assembly (``stages/regions.py``) so each module has one job; everything here
returns plain DataFrames and a demo flag.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FIRST_YEAR = 2010


def _split(code: str) -> tuple[str, str]:
    """``industry_revenue@HT`` → (``industry_revenue``, ``HT``); plain codes are all-industry (``_T``)."""
    ind, _, industry = str(code).partition("@")
    return ind, industry or "_T"


def _wide(db, code: str, regions: list[str], years: list[int]) -> tuple[pd.DataFrame, bool]:
    """Region × year values of one (possibly ``@industry``) indicator, and whether any is demo."""
    ind, industry = _split(code)
    known = set(db.indicators()["code"].astype(str))
    if ind not in known:
        return pd.DataFrame(index=regions, columns=years, dtype="float64"), False
    obs = db.observations(indicators=[ind], regions=regions, years=years, industries=[industry])
    if obs.empty:
        return pd.DataFrame(index=regions, columns=years, dtype="float64"), False
    w = obs.pivot_table(index="region_code", columns="year", values="value", aggfunc="first")
    return w.reindex(index=regions, columns=years).astype("float64"), bool(obs["is_demo"].any())


def ratio_series(db, numerator: str, denominator: str | None, scale: float, regions: list[str],
                 years: list[int]) -> tuple[pd.DataFrame, bool]:
    """Region × year of ``numerator / denominator × scale`` (or the numerator alone), NaN where a factor is missing or 0."""
    num, demo = _wide(db, numerator, regions, years)
    if not denominator:
        return num * scale, demo
    den, demo_d = _wide(db, denominator, regions, years)
    return num / den.where(den != 0) * scale, demo or demo_d


def latest(values: pd.DataFrame, year: int, lookback: int) -> pd.DataFrame:
    """Per region the latest value in ``[year − lookback, year]``: columns ``value, year``."""
    cols = [y for y in values.columns if year - lookback <= int(y) <= year]
    out = pd.DataFrame({"value": np.nan, "year": pd.array([pd.NA] * len(values), dtype="Int64")}, index=values.index)
    for y in sorted(cols):
        v = values[y]
        has = v.notna()
        out.loc[has, "value"] = v[has]
        out.loc[has, "year"] = int(y)
    return out


def structural_table(db, profile, codes: list[str], year: int) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The structural indicators of the peers spec for every member, and a coverage table.

    An indicator missing for any member within the look-back window is left out (the coverage table says
    which and why): distances over a partial set of regions would not be comparable. A dimension left with
    no indicator drops out, and the remaining dimensions share the weight.
    """
    peers = profile.peers
    years = list(range(year - peers.lookback, year + 1))
    table = pd.DataFrame(index=pd.Index(codes, name="region_code"))
    cover, demo = [], False
    for d in peers.dimensions:
        for ind in d.indicator_list():
            vals, is_demo = ratio_series(db, ind.source, ind.denominator, ind.scale, codes, years)
            last = latest(vals, year, peers.lookback)
            missing = [c for c in codes if pd.isna(last.loc[c, "value"])]
            used = not missing
            if used:
                table[ind.code] = last["value"].astype("float64")
                demo = demo or is_demo
            yrs = sorted({int(y) for y in last["year"].dropna()})
            cover.append({"dimension": d.code, "dimension_name": d.name or d.code, "indicator": ind.code,
                          "name": ind.name or ind.code, "unit": ind.unit, "used": used,
                          "years": "—" if not yrs else (f"{yrs[0]}" if len(yrs) == 1 else f"{yrs[0]}—{yrs[-1]}"),
                          "n_missing": len(missing),
                          "reason": "" if used else (f"{len(missing)}个地区{years[0]}—{year}年无数据"),
                          "is_demo": bool(is_demo)})
    return table, pd.DataFrame(cover), demo


def indicator_panel(db, target, codes: list[str], year: int) -> tuple[pd.DataFrame, bool, bool]:
    """Region × year series of a target indicator (per 10,000 residents when asked); (values, available, demo)."""
    years = list(range(FIRST_YEAR, year + 1))
    vals, demo = ratio_series(db, target.code, "population" if target.per_10k_pop else None, 1.0, codes, years)
    return vals, bool(vals.notna().any().any()), demo


def demo_zone_members(db, territory: str) -> pd.DataFrame:
    """Members of the 苏南 demonstration zone inside ``territory``, from the database flag ``in_sunan_demo_zone``.

    Returns ``code, name, level, parent_code, kind`` with ``kind`` = ``member`` (a direct member of the territory,
    e.g. a city) or ``zone`` (a zone or park inside a member, e.g. 苏州工业园区 inside 苏州).
    """
    reg = db.regions()
    reg["code"] = reg["code"].astype(str)
    reg["parent_code"] = reg["parent_code"].astype(str)
    members = set(reg.loc[reg["parent_code"] == str(territory), "code"])
    flagged = reg[reg["in_sunan_demo_zone"].fillna(False).astype(bool)]
    inside = flagged[flagged["code"].isin(members) | flagged["parent_code"].isin(members)].copy()
    inside["kind"] = np.where(inside["code"].isin(members), "member", "zone")
    cols = ["code", "name", "name_en", "level", "parent_code", "region_group", "flags", "kind"]
    return inside[[c for c in cols if c in inside.columns]].sort_values(["kind", "code"]).reset_index(drop=True)
