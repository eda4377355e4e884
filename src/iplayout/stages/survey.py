"""Survey stage (资源调查): every table the 01_survey notebooks show, computed once per territory-year."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import survey as sv
from ..errors import MethodError
from ..territories import territory_profile
from .survey_spec import SurveySpec, load_survey_spec
from .international import imported_sources
from .survey_records import record_tables


def _available(db, wanted: list[str]) -> list[str]:
    known = set(db.indicators()["code"].astype(str))
    return [c for c in wanted if c in known]


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], []], names=["region_code", "year"]))
    w = long.pivot_table(index=["region_code", "year"], columns="indicator_code", values="value", aggfunc="first")
    w.columns.name = None
    return w.sort_index()


def compute_survey(db, *, territory: str, year: int, params_dir=None,
                   inputs=None) -> tuple[dict[str, pd.DataFrame], dict]:
    """All survey tables for one territory and year.

    Parameters
    ----------
    db : IPDatabase
        Open integrated database (``members``, ``indicators``, ``industries``, ``observations``, ``sources``).
    territory, year
        Parent region code (string) and reference year.
    params_dir : path, optional
        Folder holding ``survey.yaml`` (indicators, first year, growth span, regression) and
        ``territories.yaml`` (the order of region groups); the project's ``params/`` by default.
    inputs : dict, optional
        Results of needed stages (the survey needs none).

    Returns
    -------
    (tables, meta)
        ``tables``: members, indicators, panel (long, 2010…year), profile, concentration, lorenz, growth,
        groups, productivity, regression_points, regression_band, regression_coef, industry, coverage,
        sources. ``meta``: steps log, regression statistics, demo flag.
    """
    territory, year = str(territory), int(year)
    spec = load_survey_spec(params_dir)
    group_order = territory_profile(territory, params_dir).group_order
    ip_inds, context_inds = list(spec.ip_indicators), list(spec.context_indicators)
    steps: list[dict] = []
    members = db.members(territory).copy()
    members["code"] = members["code"].astype(str)
    codes = members["code"].tolist()
    ind_meta = db.indicators()
    used = _available(db, ip_inds + context_inds)
    years = list(range(spec.first_year, year + 1))
    obs = db.observations(indicators=used, regions=codes, years=years)
    obs = obs[obs["region_code"].astype(str).isin(codes)].copy()
    obs["region_code"] = obs["region_code"].astype(str)
    panel_long = obs[["region_code", "year", "indicator_code", "value", "source_id", "quality_flag", "is_demo"]] \
        .sort_values(["indicator_code", "region_code", "year"], kind="mergesort").reset_index(drop=True)
    wide = _wide(panel_long)
    steps.append({"step": "load", "indicators": used, "years": [years[0], years[-1]], "rows": int(len(panel_long))})

    # ranks, shares and concentration need at least half the members reporting, else they describe
    # the reporting regions only
    min_n = max(3, -(-len(codes) // 2))
    present_ip = [c for c in ip_inds if c in wide.columns]
    profile = sv.headline_table(wide, year=year, indicators=present_ip + [c for c in context_inds
                                                                          if c in wide.columns],
                                span=spec.growth_span, min_n=min_n)
    steps.append({"step": "headline_table", "span": spec.growth_span, "rank": "min, descending", "min_n": min_n})
    totals = territory_totals(db, territory, used, years, panel_long)
    profile = official_shares(profile, totals, year)
    steps.append({"step": "official_totals", "share": "x_region / official territory row (全国 100000, 江苏 320000) "
                                                      "where published, else / Σ members"})

    keys = [c for c in spec.key_indicators if c in wide.columns]
    conc_long = panel_long[panel_long["indicator_code"].isin(keys)]
    concentration = sv.concentration_table(conc_long, by=("indicator_code", "year"), k=3, min_n=min_n)
    lorenz = []
    for ind in keys:
        cur = panel_long[(panel_long["indicator_code"] == ind) & (panel_long["year"] == year)]
        if len(cur) >= min_n and cur["value"].sum() > 0:
            lc = sv.lorenz_curve(cur.set_index("region_code")["value"])
            lorenz.append(lc.assign(indicator_code=ind))
    lorenz = pd.concat(lorenz, ignore_index=True) if lorenz else pd.DataFrame(
        columns=["region", "pop_share", "value_share", "indicator_code"])
    steps.append({"step": "concentration", "measures": ["gini (population)", "hhi (share)", "cr3"], "min_n": min_n})

    growth = sv.cagr_table(panel_long, end_year=year, span=spec.growth_span)
    steps.append({"step": "cagr_table", "span": spec.growth_span})

    groups = _group_totals(wide, members, year, [c for c in keys + ["gdp", "population"] if c in wide.columns],
                           group_order)

    cur = wide.xs(year, level="year") if year in wide.index.get_level_values("year") else pd.DataFrame()
    productivity = pd.DataFrame(index=pd.Index(codes, name="region_code"))
    reg_points = reg_band = reg_coef = pd.DataFrame()
    reg_stats: dict = {}
    if {"rd_expenditure", "rd_personnel_fte"} <= set(cur.columns):
        for out in ("patent_applications", "patent_grants", "valid_patents_invention"):
            if out in cur.columns:
                r = sv.productivity_ratios(cur.reindex(codes), output=out)
                productivity[f"{out}_per_100m_rd"] = r["per_100m_rd"]
                productivity[f"{out}_per_100_fte"] = r["per_100_fte"]
    productivity = productivity.reset_index()
    reg = spec.regression
    if {reg.x, reg.y} <= set(cur.columns):
        try:
            res = sv.fit_output_on_input(cur, x=reg.x, y=reg.y, log=True)
            reg_points = res.points.rename_axis("region_code").reset_index()
            reg_band, reg_coef, reg_stats = res.band, res.coefficients, res.stats
            steps.append({"step": "fit_output_on_input", **{k: v for k, v in res.stats.items()}})
        except MethodError as exc:  # too few regions with data: the report says so instead of failing
            steps.append({"step": "fit_output_on_input", "skipped": str(exc)})

    industry, ind_years = _industry_table(db, territory, codes, year, wide, spec)
    steps.append({"step": "industry", "years": ind_years})

    rec_tables, rec_meta = record_tables(db, territory=territory, year=year, codes=codes, params_dir=params_dir)
    steps.append({"step": "records", "present": rec_meta["present"], "year": rec_meta["year"]})

    coverage = _coverage(panel_long, ind_meta, codes, year)
    used_sources = sorted(set(panel_long["source_id"].astype(str)))
    src = db.sources()
    src = src[src["id"].astype(str).isin(used_sources + sorted(set(industry.get("source_id", pd.Series(dtype=str)))))]
    is_demo = bool(panel_long["is_demo"].any()) or bool(industry.get("is_demo", pd.Series([False])).any())
    tables = {
        "members": members.reset_index(drop=True),
        "indicators": ind_meta[ind_meta["code"].isin(used + list(spec.industry_indicators))].reset_index(drop=True),
        "panel": panel_long, "profile": profile, "concentration": concentration, "lorenz": lorenz,
        "growth": growth, "groups": groups, "productivity": productivity, "regression_points": reg_points,
        "regression_band": reg_band, "regression_coef": reg_coef,
        "industry": industry.drop(columns=["source_id"], errors="ignore"), "coverage": coverage,
        "sources": src.sort_values("id").reset_index(drop=True), "totals": totals,
        "industries": db.industries().sort_values("code").reset_index(drop=True),
        "packages": cited_sources(db, src["id"]),
        **rec_tables,
    }
    is_demo = is_demo or rec_meta["is_demo"]
    meta = {"steps": steps, "regression": reg_stats, "is_demo": is_demo, "industry_years": ind_years,
            "records": {k: v for k, v in rec_meta.items() if k != "steps"},
            "spec": {"first_year": spec.first_year, "growth_span": spec.growth_span,
                     "regression": spec.regression.model_dump(), "key_indicators": keys}}
    return tables, meta


def cited_sources(db, source_ids) -> pd.DataFrame:
    """What a report cites for the values it uses: the bundled data packages and the user imports
    (each import's title, publisher and per-row source texts; see ``stages.international.imported_sources``)."""
    parts = [p for p in (used_packages(db, source_ids), imported_sources(db, source_ids)) if len(p)]
    if not parts:
        return used_packages(db, source_ids)
    return pd.concat(parts, ignore_index=True).drop_duplicates("id").sort_values("id").reset_index(drop=True)


def territory_totals(db, territory: str, indicators: list[str], years: list[int],
                     panel_long: pd.DataFrame) -> pd.DataFrame:
    """Official totals of the territory (its own row, e.g. the yearbook's 全国 row) beside the sum of its members.

    The two differ: the 全国 row also counts what no province is credited with (applicants not attributed
    to a province), so national totals and shares use the official row and a members' sum is shown only
    labelled as such (31省合计). Returns ``indicator_code, year, official, members_sum, n_members, source_id``.
    """
    off = db.observations(indicators=indicators, regions=[territory], years=years)
    off = off[off["region_code"].astype(str) == str(territory)]
    off = off[["indicator_code", "year", "value", "source_id", "is_demo"]].rename(columns={"value": "official"})
    summed = panel_long.groupby(["indicator_code", "year"])["value"].agg(members_sum="sum", n_members="size").reset_index()
    out = summed.merge(off, on=["indicator_code", "year"], how="outer")
    return out.sort_values(["indicator_code", "year"], kind="mergesort").reset_index(drop=True)


def official_shares(profile: pd.DataFrame, totals: pd.DataFrame, year: int) -> pd.DataFrame:
    """Replace members'-sum shares by shares of the official territory total where it is published.

    ``share_basis`` records which denominator each row used (``official`` / ``members``); ratios (%) keep
    no share at all (set by the views).
    """
    t = totals[(totals["year"] == year) & totals["official"].notna()].set_index("indicator_code")["official"]
    p = profile.copy()
    off = p["indicator_code"].map(t)
    use = off.notna() & p["share"].notna() & (off > 0)
    p.loc[use, "share"] = p.loc[use, "value"] / off[use]
    p["share_basis"] = np.where(use, "official", np.where(p["share"].notna(), "members", ""))
    return p


def used_packages(db, source_ids) -> pd.DataFrame:
    """Data packages behind the given source ids (a source id is ``<package>`` or ``<package>:<n>``)."""
    ids = {str(s).split(":")[0] for s in source_ids}
    pk = db.packages()
    cols = [c for c in ("id", "title", "publisher", "original_source", "licence", "years", "is_demo", "attribution")
            if c in pk.columns]
    return pk[pk["id"].astype(str).isin(ids)][cols].sort_values("id").reset_index(drop=True)


def _group_totals(wide: pd.DataFrame, members: pd.DataFrame, year: int, cols: list[str],
                  group_order=()) -> pd.DataFrame:
    """Totals by region group (东部/中部/西部/东北 or 苏南/苏中/苏北) with shares and per-10k figures.

    Groups come in ``group_order`` (the territory profile's reading order), others after them alphabetically.
    """
    if "region_group" not in members.columns or year not in wide.index.get_level_values("year"):
        return pd.DataFrame(columns=["region_group", "n_regions"])
    cur = wide.xs(year, level="year").reindex(members["code"])
    cur["region_group"] = members.set_index("code")["region_group"].reindex(cur.index).fillna("未分组").to_numpy()
    g = cur.groupby("region_group", sort=True)
    out = g[cols].sum(min_count=1)
    out.insert(0, "n_regions", g.size())
    for c in cols:
        if c not in ("gdp", "population"):
            out[f"{c}_share"] = out[c] / out[c].sum()
            if "population" in out.columns:
                out[f"{c}_per_10k_pop"] = out[c] / out["population"]
    order = sorted(out.index, key=lambda g: (group_order.index(g) if g in group_order else len(group_order), g))
    return out.loc[order].reset_index()


def _industry_table(db, territory: str, codes: list[str], year: int, wide: pd.DataFrame, spec: SurveySpec):
    """Industry density and location quotients for every industry with data, at the latest year ≤ ``year``."""
    inds = [c for c in db.industries()["code"].astype(str) if c != "_T"]
    industry_inds = list(spec.industry_indicators)
    wanted = _available(db, industry_inds)
    if not inds or not wanted:
        return pd.DataFrame(columns=["industry_code", "region_code", "year"]), {}
    obs = db.observations(indicators=wanted, regions=codes, years=list(range(spec.first_year, year + 1)), industries=inds)
    obs = obs[obs["region_code"].astype(str).isin(codes)]
    rows, used_years = [], {}
    for ind, grp in obs.groupby("industry_code", sort=True):
        # size of the industry: revenue (national yearbook) or, where only output is published (city
        # panels), output value; both in 亿元 and recorded in ``output_measure``
        measure = "industry_revenue" if (grp["indicator_code"] == "industry_revenue").any() else "industry_output"
        rev_years = grp.loc[grp["indicator_code"] == measure, "year"]
        pat_years = grp.loc[grp["indicator_code"] == "industry_patent_applications", "year"]
        cand = sorted(set(rev_years) & set(pat_years)) or sorted(set(grp["year"]))
        y = int(cand[-1])
        used_years[str(ind)] = y
        cur = _wide(grp[grp["year"] == y]).xs(y, level="year").reindex(codes)
        for c in industry_inds:
            if c not in cur.columns:
                cur[c] = np.nan
        dens = sv.ip_density(cur, revenue=measure)
        base = wide.xs(y, level="year").reindex(codes) if y in wide.index.get_level_values("year") else pd.DataFrame(index=codes)
        t = pd.DataFrame({"industry_code": str(ind), "region_code": codes, "year": y}, index=codes)
        for c in industry_inds:
            t[c] = cur[c]
        t["output_measure"] = measure
        t["output_value"] = cur[measure]
        t["per_100m_revenue"] = dens["per_100m_revenue"]
        t["per_enterprise"] = dens["per_enterprise"]
        t["lq_output"] = sv.location_quotient(cur[measure], base.get("gdp", pd.Series(np.nan, index=codes)))
        t["lq_patents"] = sv.location_quotient(cur["industry_patent_applications"],
                                               base.get("patent_applications", pd.Series(np.nan, index=codes)))
        t["rank_patents"] = t["industry_patent_applications"].rank(ascending=False, method="min")
        t["is_demo"] = bool(grp["is_demo"].any())
        t["source_id"] = ",".join(sorted(set(grp["source_id"].astype(str))))
        rows.append(t.reset_index(drop=True))
    if not rows:
        return pd.DataFrame(columns=["industry_code", "region_code", "year"]), {}
    return pd.concat(rows, ignore_index=True), used_years


def _coverage(panel_long: pd.DataFrame, ind_meta: pd.DataFrame, codes: list[str], year: int) -> pd.DataFrame:
    """Per indicator: years covered, regions missing in the reference year, quality flags, demo share."""
    rows = []
    names = ind_meta.set_index("code")
    for ind, grp in panel_long.groupby("indicator_code", sort=True):
        at = grp[grp["year"] == year]
        flags = sorted({f for q in grp["quality_flag"].astype(str) for f in q.split(",") if f})
        rows.append({"indicator_code": ind, "name": names["name"].get(ind, ind), "unit": names["unit"].get(ind, ""),
                     "first_year": int(grp["year"].min()), "last_year": int(grp["year"].max()),
                     "n_years": int(grp["year"].nunique()), "n_regions_at_year": int(at["region_code"].nunique()),
                     "missing_at_year": ",".join(sorted(set(codes) - set(at["region_code"])) ),
                     "quality_flags": ",".join(flags), "is_demo": bool(grp["is_demo"].any())})
    return pd.DataFrame(rows)
