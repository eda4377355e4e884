"""Magnitude checks of an import (``--unit-check on``, the default): a unit slip is refused, not stored.

A wrong unit label does not make a value invalid on its own — 1,000 万元 and 1,000 亿元 are both
numbers — but it does make it 10⁴ times off its neighbours. Each imported value is compared with

* its **series**: the nearest year of the same region, indicator and industry, in the database or in
  the file itself; a ratio of :data:`RATIO_LIMIT` (1,000) or more either way is refused (real series do
  not grow a thousandfold from one year to the next; a 亿元/万元 or 人/万人 slip is ×10⁴);
* its **parent's total** (a city against its province, a province against 全国) for additive units:
  a member larger than the total, or below :data:`MEMBER_SHARE_FLOOR` of it, is refused;
* for **percent** indicators, the series or, without one, the same indicator of the region's peers that
  year: a value ≤ 1 where the reference is ≥ 30 times larger is a fraction typed for a percentage
  (0.821 for 82.1 %); a file whose values of a percent indicator are all ≤ 1 is refused likewise.

Every refusal states the ratio. ``--unit-check off`` (``unit_check=False``) accepts the values as given.
"""
from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .units import PERCENT_UNITS

RATIO_LIMIT = 1000.0
MEMBER_SHARE_FLOOR = 1e-5
FRACTION_FACTOR = 30.0
#: units whose values do not add up over members (ranks, per-capita amounts, shares)
NON_ADDITIVE_UNITS = PERCENT_UNITS | {"位", "元"}
KEY = ["region_code", "indicator_code", "industry_code"]


def _series_reference(obs: pd.DataFrame, con) -> pd.DataFrame:
    """Nearest-year value of each fact's own series (database first at equal distance, then the file)."""
    con.register("_k", obs[KEY].drop_duplicates())
    try:
        db = con.execute("""SELECT o.region_code, o.indicator_code, o.industry_code, o.year, o.value
                            FROM observations o JOIN _k USING (region_code, indicator_code, industry_code)""").df()
    finally:
        con.unregister("_k")
    cand = pd.concat([db.assign(origin="database"), obs[KEY + ["year", "value"]].assign(origin="file")],
                     ignore_index=True)
    m = obs[KEY + ["year"]].reset_index().merge(cand, on=KEY, suffixes=("", "_ref"))
    m = m[~((m["origin"] == "file") & (m["year_ref"] == m["year"])) & (m["value"] > 0)]
    m["gap"] = (m["year_ref"].astype(int) - m["year"].astype(int)).abs()
    best = m.sort_values(["index", "gap", "origin"]).drop_duplicates("index").set_index("index")
    return best[["year_ref", "value", "origin"]].rename(columns={"value": "ref"})


def _parent_values(obs: pd.DataFrame, con) -> pd.DataFrame:
    """Each fact's parent region and the parent's value for the same year (file first, then database)."""
    parents = con.execute("SELECT code, parent_code FROM regions WHERE parent_code IS NOT NULL AND parent_code <> ''").df()
    m = obs[KEY + ["year"]].reset_index().merge(parents, left_on="region_code", right_on="code")
    if m.empty:
        return pd.DataFrame(columns=["parent_code", "parent_value"])
    keys = m[["parent_code", "indicator_code", "industry_code", "year"]].drop_duplicates()
    con.register("_p", keys)
    try:
        db = con.execute("""SELECT o.region_code AS parent_code, o.indicator_code, o.industry_code, o.year, o.value
                            FROM observations o JOIN _p ON o.region_code = _p.parent_code
                            AND o.indicator_code = _p.indicator_code AND o.industry_code = _p.industry_code
                            AND o.year = _p.year""").df()
    finally:
        con.unregister("_p")
    in_file = obs.rename(columns={"region_code": "parent_code"})[["parent_code", "indicator_code", "industry_code",
                                                                  "year", "value"]]
    both = pd.concat([in_file, db], ignore_index=True).drop_duplicates(
        ["parent_code", "indicator_code", "industry_code", "year"])
    m = m.merge(both.rename(columns={"value": "parent_value"}), on=["parent_code", "indicator_code", "industry_code",
                                                                     "year"])
    return m.set_index("index")[["parent_code", "parent_value"]]


def _peer_median(obs: pd.DataFrame, con) -> pd.Series:
    """Median of the same indicator and year over the regions sharing the fact's parent (database)."""
    con.register("_f", obs[KEY + ["year"]].reset_index())
    try:
        df = con.execute("""SELECT f."index", median(o.value) AS peer FROM _f f
                            JOIN regions r ON r.code = f.region_code
                            JOIN regions s ON s.parent_code = r.parent_code
                            JOIN observations o ON o.region_code = s.code AND o.indicator_code = f.indicator_code
                                 AND o.industry_code = f.industry_code AND o.year = f.year
                            GROUP BY 1""").df()
    finally:
        con.unregister("_f")
    return df.set_index("index")["peer"]


def check_magnitudes(obs: pd.DataFrame, con, file: str, units: pd.Series) -> list[Problem]:
    """Problems for implausible magnitudes of clean observations ``obs`` (values in catalogue units).

    ``units`` maps indicator code → catalogue unit. Returns [] when every value fits.
    """
    if obs.empty:
        return []
    obs = obs.reset_index(drop=True)
    problems: list[Problem] = []
    unit = obs["indicator_code"].map(units).fillna("")
    ref = _series_reference(obs, con)
    par = _parent_values(obs, con)
    peer = _peer_median(obs, con)
    fraction_flagged = set()
    for i, r in obs.iterrows():
        v, u, where = float(r["value"]), unit[i], f"{r['region_code']} {r['indicator_code']}"
        hint = "check the unit, or import with --unit-check off if the figure is right"
        if u in PERCENT_UNITS and 0 < v <= 1:
            base, what = (ref.loc[i, "ref"], f"{int(ref.loc[i, 'year_ref'])} value in the {ref.loc[i, 'origin']}") \
                if i in ref.index else (peer.get(i), f"median of its peers in {int(r['year'])}")
            if base is not None and pd.notna(base) and base >= FRACTION_FACTOR * v:
                problems.append(Problem(f"{v:g} % looks like a fraction ({v * 100:g} % typed as {v:g}?): the "
                                        f"{what} is {base:g} %, ratio {base / v:,.3g}; percentages are stored as "
                                        f"0–100 — {hint}", file, int(r["line"]), r["value_column"], r["value"]))
                fraction_flagged.add(i)
                continue
        if i in ref.index and v > 0:
            base = float(ref.loc[i, "ref"])
            ratio = v / base
            if ratio >= RATIO_LIMIT or ratio <= 1 / RATIO_LIMIT:
                problems.append(Problem(f"{where}: {v:,.10g} is {ratio:,.3g} × the {int(ref.loc[i, 'year_ref'])} "
                                        f"value {base:,.10g} in the {ref.loc[i, 'origin']} (a unit slip? 亿元 labelled "
                                        f"万元 is ×10⁴) — {hint}", file, int(r["line"]), r["value_column"], r["value"]))
                continue
        if i in par.index and u not in NON_ADDITIVE_UNITS and v > 0:
            pv = float(par.loc[i, "parent_value"])
            if pv > 0 and (v > pv * 1.0001 or v / pv < MEMBER_SHARE_FLOOR):
                problems.append(Problem(f"{where}: {v:,.10g} is {v / pv:,.3g} × the total {pv:,.10g} of its parent "
                                        f"{par.loc[i, 'parent_code']} in {int(r['year'])} — {hint}", file,
                                        int(r["line"]), r["value_column"], r["value"]))
    # a whole column of fractions with nothing to compare against
    pct = obs[unit.isin(PERCENT_UNITS)]
    for ind, grp in pct.groupby("indicator_code"):
        rest = grp.drop(index=[i for i in grp.index if i in fraction_flagged])
        if len(grp) >= 3 and (grp["value"] <= 1).all() and len(rest):
            first = rest.iloc[0]
            problems.append(Problem(f"every value of the percent indicator {ind} is ≤ 1 ({len(grp)} values): "
                                    "fractions typed for percentages? store 82.1 for 82.1 % — or import with "
                                    "--unit-check off", file, int(first["line"]), first["value_column"],
                                    first["value"]))
    return problems
