"""Regions stage, part two: group comparison and classified guidance, the demonstration-zone plan, parks.

Also the allocation stage's tables as this stage passes them on (empty with their columns when the
allocation stage is not available, so every view can say 功能区与导向目录尚未生成 instead of failing).
"""
from __future__ import annotations

import operator
from pathlib import Path

import numpy as np
import pandas as pd

from ..methods.specialisation import complementarity, division_of_labour
from ..regions.parks import load_parks, parks_table
from .regions_data import FIRST_YEAR, latest, ratio_series
from ..territories import territory_profile

#: allocation's output contract (issue 9): table → columns the regions stage reads
ALLOCATION_TABLES = {
    "zones": ["region_code", "region_name", "zone", "zone_name", "zone_name_en", "high_ip", "high_innovation",
              "high_industry", "band", "probability", "borderline", "candidates"],
    "zone_probabilities": ["region_code", "zone", "probability"],
    "catalogue": ["region_code", "industry_code", "action", "levers", "rule_id", "overridden", "rule_action",
                  "override_reason"],
    "policy_gaps": ["region_code", "industry_code", "action", "gap"],
    "rules": ["rule_id", "description"],
}
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
IP_LEVEL = "valid_patents_invention"


def allocation_tables(alloc) -> dict[str, pd.DataFrame]:
    """The allocation tables the regions reports use (codes as strings), or empty frames with the contract columns."""
    out = {}
    for name, cols in ALLOCATION_TABLES.items():
        t = alloc.tables.get(name) if alloc is not None else None
        if t is None:
            out[name] = pd.DataFrame(columns=cols)
            continue
        t = t.copy()
        for c in ("region_code", "industry_code"):
            if c in t.columns:
                t[c] = t[c].astype(str)
        out[name] = t.reset_index(drop=True)
    return out


def _group_order(groups, territory: str, params_dir) -> list[str]:
    """Groups in the territory profile's reading order (params/territories.yaml)."""
    return sorted(set(groups), key=territory_profile(territory, params_dir).group_rank)


def group_tables(db, profile, members: pd.DataFrame, ev, zones: pd.DataFrame, year: int, *, territory: str,
                 params_dir):
    """Group comparison (levels, growth, coupling, zone mix), the guidance rules and which of them fire.

    Notes
    -----
    Metrics per group g (territory T = all members):
    ``ip_level_ratio`` = (Σ_g valid invention patents / Σ_g population) / (same over T);
    ``ip_growth_gap`` = CAGR_g − CAGR_T of the valid invention patent total over ``growth_span`` years (fractions);
    ``mean_D`` = mean coupling coordination degree; ``lagging_<s>_share`` = share of members whose lagging
    subsystem is s; ``zone_share_high_ip`` = share of members in a zone with high IP resources (allocation).
    """
    codes = members["code"].tolist()
    grp = members.set_index("code")["region_group"].fillna("未分组").astype(str)
    span = profile.targets.growth_span
    years = list(range(year - span, year + 1))
    ip, demo_ip = ratio_series(db, IP_LEVEL, None, 1.0, codes, years)
    pop, _ = ratio_series(db, "population", None, 1.0, codes, years)
    s = ev.table("scores").copy()
    s["region_code"] = s["region_code"].astype(str)
    s = s.set_index("region_code").reindex(codes)
    z = zones.set_index("region_code").reindex(codes) if len(zones) else None

    def level(c):
        a, b = ip.loc[c, year], pop.loc[c, year]
        return a.sum(min_count=1) / b.sum(min_count=1) if a.notna().all() and b.notna().all() else np.nan

    def growth(c):
        a, b = ip.loc[c, year], ip.loc[c, year - span]
        return (a.sum() / b.sum()) ** (1 / span) - 1 if a.notna().all() and b.notna().all() and b.sum() > 0 else np.nan

    t_level, t_growth = level(codes), growth(codes)
    rows = []
    for g in _group_order(grp, territory, params_dir):
        c = grp.index[grp == g].tolist()
        lag = s.loc[c, "lagging"].astype(str) if "lagging" in s.columns else pd.Series(dtype=str)
        row = {"group": g, "n_regions": len(c), "members": "、".join(members.set_index("code").loc[c, "name"].astype(str)),
               "ip_total": ip.loc[c, year].sum(min_count=1), "population": pop.loc[c, year].sum(min_count=1),
               "ip_per_10k": level(c), "ip_cagr": growth(c), "mean_score": s.loc[c, "score"].mean(),
               "mean_D": s.loc[c, "D"].mean(), "ip_level_ratio": level(c) / t_level if t_level else np.nan,
               "ip_growth_gap": growth(c) - t_growth}
        for sub in ("ip", "innovation", "industry"):
            row[f"lagging_{sub}_share"] = float((lag == sub).mean()) if len(lag) else np.nan
        row["zone_share_high_ip"] = (float(z.loc[c, "high_ip"].astype(bool).mean())
                                     if z is not None and "high_ip" in z.columns else np.nan)
        rows.append(row)
    groups = pd.DataFrame(rows)
    total = {"group": "全域", "n_regions": len(codes), "members": "", "ip_total": ip.loc[codes, year].sum(min_count=1),
             "population": pop.loc[codes, year].sum(min_count=1), "ip_per_10k": t_level, "ip_cagr": t_growth,
             "mean_score": s["score"].mean(), "mean_D": s["D"].mean(), "ip_level_ratio": 1.0, "ip_growth_gap": 0.0}
    groups = pd.concat([groups, pd.DataFrame([total])], ignore_index=True)
    if z is not None and "zone_name" in z.columns:
        zm = pd.crosstab(grp.rename("group"), z["zone_name"].fillna("未分区").rename("zone_name")).stack()
        zone_mix = zm.rename("n").reset_index()
        zone_mix = zone_mix[zone_mix["n"] > 0].reset_index(drop=True)
    else:
        zone_mix = pd.DataFrame(columns=["group", "zone_name", "n"])
    rules = pd.DataFrame([{"rule_id": r.id, "condition": " 且 ".join(f"{c.metric} {c.op} {c.value:g}" for c in r.when),
                           "text": r.text} for r in profile.guidance], columns=["rule_id", "condition", "text"])
    fired = []
    for _, g in groups[groups["group"] != "全域"].iterrows():
        for r in profile.guidance:
            vals = [g.get(c.metric, np.nan) for c in r.when]
            if any(pd.isna(v) for v in vals):
                continue
            if all(OPS[c.op](float(v), c.value) for c, v in zip(r.when, vals)):
                fired.append({"group": g["group"], "rule_id": r.id, "text": r.text,
                              "evidence": "；".join(dict.fromkeys(f"{c.metric}={float(v):.3f}" for c, v in zip(r.when, vals)))})
    guidance = pd.DataFrame(fired, columns=["group", "rule_id", "text", "evidence"])
    return groups, zone_mix, guidance, rules


def demo_zone_tables(dz_spec, dz_members: pd.DataFrame, industry: pd.DataFrame, catalogue: pd.DataFrame, db,
                     codes: list[str], year: int) -> dict[str, pd.DataFrame]:
    """Specialisation matrix, complementarity, division of labour, layout plan and technology-market flows."""
    cities = dz_members.loc[dz_members["kind"] == "member", "code"].astype(str).tolist()
    empty = {"specialisation": pd.DataFrame(columns=["region_code", "industry_code", "lq_output", "lq_patents", "share"]),
             "complementarity": pd.DataFrame(columns=["region_code", "peer_code", "index_output", "index_patents"]),
             "division": pd.DataFrame(columns=["region_code", "industry_code", "lq", "share", "role", "rule"]),
             "layout_plan": pd.DataFrame(columns=["region_code", "industry_code", "role", "rule", "action", "levers"])}
    flows = _flows(db, codes, year)
    if len(cities) < 2 or industry.empty:
        return {**empty, "flows": flows}
    ind = industry[industry["region_code"].astype(str).isin(cities)].copy()
    ind["region_code"] = ind["region_code"].astype(str)
    ind["share"] = ind["output_value"] / ind.groupby("industry_code")["output_value"].transform("sum")
    spec = ind[["region_code", "industry_code", "lq_output", "lq_patents", "share"]].sort_values(
        ["region_code", "industry_code"]).reset_index(drop=True)
    comp = []
    mats = {m: spec.pivot_table(index="region_code", columns="industry_code", values=m, aggfunc="first").dropna(axis=1)
            for m in ("lq_output", "lq_patents")}
    ks = {m: complementarity(x) if x.shape[1] >= 2 else None for m, x in mats.items()}
    for i, a in enumerate(cities):
        for b in cities[i + 1:]:
            comp.append({"region_code": a, "peer_code": b,
                         **{f"index_{m[3:]}": (ks[m].loc[a, b] if ks[m] is not None and a in ks[m].index and b in ks[m].index
                                                else np.nan) for m in mats}})
    lq = spec.pivot_table(index="region_code", columns="industry_code", values=dz_spec.lq_measure, aggfunc="first")
    share = spec.pivot_table(index="region_code", columns="industry_code", values="share", aggfunc="first")
    rules = {k: getattr(dz_spec, k) for k in ("lead_lq", "lead_share", "collab_lq", "collab_share")}
    div = division_of_labour(lq, share, rules)
    plan = div.merge(catalogue[[c for c in ("region_code", "industry_code", "action", "levers") if c in catalogue.columns]],
                     on=["region_code", "industry_code"], how="left")
    plan = plan[["region_code", "industry_code", "role", "rule", "lq", "share", "action", "levers"]]
    return {"specialisation": spec, "complementarity": pd.DataFrame(comp, columns=empty["complementarity"].columns),
            "division": div, "layout_plan": plan, "flows": flows}


def _flows(db, codes: list[str], year: int) -> pd.DataFrame:
    """Technology-market contracts sold (outflow) and bought (inflow) by each member: totals, not origin–destination."""
    cols = {"tech_market_outflow_value": "outflow_value", "tech_market_inflow_value": "inflow_value",
            "tech_market_outflow_contracts": "outflow_contracts", "tech_market_inflow_contracts": "inflow_contracts"}
    out = pd.DataFrame(index=pd.Index(codes, name="region_code"))
    for code, name in cols.items():
        vals, _ = ratio_series(db, code, None, 1.0, codes, list(range(FIRST_YEAR, year + 1)))
        cur = latest(vals, year, 3)
        out[name], out[f"{name}_year"] = cur["value"], cur["year"]
    out = out.reset_index()
    has = out[[c for c in cols.values()]].notna().any(axis=1)
    out = out[has].reset_index(drop=True)
    if len(out):
        out["net_value"] = out["outflow_value"] - out["inflow_value"]
    return out


def park_tables(path: Path, db, members: pd.DataFrame, industry: pd.DataFrame, catalogue: pd.DataFrame):
    """Parks of ``params/parks.yaml`` in this territory, and each park's lead industries with city LQ and catalogue action."""
    regions = db.regions()["code"].astype(str).tolist()
    inds = db.industries()
    parks = load_parks(path, region_codes=regions, industry_codes=inds["code"].astype(str).tolist()) if path.exists() else []
    t = parks_table(parks)
    t = t[t["city_code"].isin(members["code"])].reset_index(drop=True)
    t["city_name"] = t["city_code"].map(members.set_index("code")["name"])
    rows = []
    ind = industry.copy()
    if len(ind):
        ind["region_code"] = ind["region_code"].astype(str)
        ind = ind.set_index(["region_code", "industry_code"])
    cat = catalogue.set_index(["region_code", "industry_code"]) if len(catalogue) else None
    names = inds.set_index("code")["name"].astype(str)
    for _, p in t.iterrows():
        for code in str(p["lead_industries"]).split("、"):
            key = (p["city_code"], code)
            rows.append({"park": p["name"], "city_code": p["city_code"], "industry_code": code,
                         "industry_name": names.get(code, code),
                         "lq_output": ind.loc[key, "lq_output"] if len(ind) and key in ind.index else np.nan,
                         "lq_patents": ind.loc[key, "lq_patents"] if len(ind) and key in ind.index else np.nan,
                         "action": cat.loc[key, "action"] if cat is not None and key in cat.index else None})
    cols = ["park", "city_code", "industry_code", "industry_name", "lq_output", "lq_patents", "action"]
    return t, pd.DataFrame(rows, columns=cols), len(parks)
