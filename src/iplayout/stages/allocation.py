"""Allocation stage (资源配置): functional zones, the guidance catalogue and policy fit, once per territory-year.

Reads the evaluation stage (subsystem scores, coupling class, the Monte Carlo ``subsystem_draws``) and the
survey stage (industry location quotients), the rules in ``params/allocation/`` and the database's policy
inventory. Writes the tables of the output contract (docs/allocation.md): ``zones``, ``zone_probabilities``,
``catalogue``, ``catalogue_missing``, ``policy_gaps``, ``rules`` and the supporting tables.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..allocation import catalogue as cat
from ..allocation import clusters, policy, zones
from ..allocation.spec import allocation_files, load_catalogue_spec, load_overrides, load_zone_spec
from ..survey import cagr

INSTRUMENTS_FALLBACK = ["资金资助", "税收优惠", "金融支持", "人才", "平台建设", "服务", "保护执法", "运营转化", "导航", "规划引导"]


def spec_files(params_dir: Path) -> list[Path]:
    """The researcher-edited files this stage reads (their checksums key the stage cache)."""
    return [p for p in allocation_files(params_dir).values() if p.exists()]


def compute_allocation(db, *, territory: str, year: int, params_dir: Path, inputs: dict) -> tuple[dict, dict]:
    """Zones, catalogue and policy-fit tables for one territory-year (see module docstring)."""
    territory, year = str(territory), int(year)
    files = allocation_files(params_dir)
    zspec, cspec = load_zone_spec(files["zones"]), load_catalogue_spec(files["catalogue"])
    overrides = load_overrides(files["overrides"], cspec)
    ev, sv = inputs["evaluation"], inputs["survey"]
    scores = ev.table("scores").copy()
    scores["region_code"] = scores["region_code"].astype(str)
    members = ev.table("members")
    steps: list[dict] = []

    # --- functional zones ------------------------------------------------------------------------
    z = zones.assign_zones(scores, zspec)
    draws = ev.tables.get("subsystem_draws", pd.DataFrame())
    probs = zones.zone_probabilities(draws, zspec) if len(draws) else pd.DataFrame(
        columns=["region_code", "zone", "probability", "n_draws"])
    z = zones.zone_stability(z, probs, zspec)
    keep = scores.set_index("region_code")
    for c in ("region_name", *zones.COLS, "D", "class"):
        z[c if c != "class" else "coupling_class"] = z["region_code"].map(keep[c]) if c in keep.columns else np.nan
    z["region_group"] = z["region_code"].map(members.assign(code=members["code"].astype(str))
                                             .set_index("code")["region_group"]).fillna("")
    lead = ["region_code", "region_name", "zone", "zone_name", "zone_name_en", "high_ip", "high_innovation",
            "high_industry", "band", "probability", "borderline", "candidates"]
    z = z[lead + [c for c in z.columns if c not in lead]]
    sens = zones.threshold_sensitivity(scores, zspec)
    check = clusters.cluster_check(scores, z, zspec)
    steps.append({"step": "zones", "threshold": zspec.threshold.model_dump(), "band": zspec.band,
                  "draws": int(draws["draw"].nunique()) if len(draws) else 0,
                  "borderline_probability": zspec.borderline_probability,
                  "sensitivity_shift": zspec.sensitivity_shift})

    # --- catalogue -------------------------------------------------------------------------------
    evidence = _evidence(db, sv, z, territory, cspec.growth_span)
    evidence = _record_specialisation(evidence, sv, cspec.ip_specialisation)
    catalogue, missing = cat.build_catalogue(evidence, cspec)
    catalogue = cat.apply_overrides(catalogue, overrides, territory=territory, year=year, source=str(files["overrides"]))
    steps.append({"step": "catalogue", "rules": [r.id for r in cspec.rules], "require": cspec.require,
                  "growth_span": cspec.growth_span, "entries": int(len(catalogue)), "missing": int(len(missing)),
                  "overrides": int(catalogue["overridden"].sum())})

    # --- policy fit ------------------------------------------------------------------------------
    pol = db.policies()
    regions = db.regions()
    parent = dict(zip(regions["code"].astype(str), regions["parent_code"].fillna("").astype(str)))
    ancestors = {r: _ancestors(r, parent) for r in z["region_code"]}
    rnames = dict(zip(z["region_code"], z["region_name"].astype(str)))
    inames = db.industries().set_index("code")["name"].astype(str).to_dict()
    instruments = _instruments()
    cov = policy.coverage(catalogue, pol, year=year, ancestors=ancestors, instruments=instruments)
    matrix = policy.coverage_matrix(cov, [c.code for c in cspec.classes], instruments)
    gaps = policy.policy_gaps(cov, cspec, region_names=rnames, industry_names=inames)
    recs = policy.recommendations(gaps, region_names=rnames, industry_names=inames)
    scope = {territory, *_ancestors(territory, parent), *z["region_code"]}
    relevant = pol[pol["regions"].map(lambda s: bool(scope & set(str(s).split("、"))))].reset_index(drop=True)
    live = set(policy.in_force(relevant, year)["policy_id"])
    relevant["in_force"] = relevant["policy_id"].isin(live)
    steps.append({"step": "policy_fit", "policies": int(len(relevant)), "in_force": int(len(live)),
                  "gaps": int(len(gaps)), "recommendations": int(len(recs)),
                  "inventory_is_example": bool(relevant["is_example"].any()) if len(relevant) else False})

    tables = {
        "zones": z.reset_index(drop=True), "zone_probabilities": probs.reset_index(drop=True),
        "zone_types": zones.zone_types_table(zspec), "zone_sensitivity": sens,
        "zone_groups": zones.zone_group_table(z, members, zspec),
        "cluster_silhouette": check["silhouette"], "clusters": check["clusters"],
        "cluster_agreement": check["agreement"], "cluster_crosstab": check["crosstab"],
        "catalogue": catalogue, "catalogue_missing": missing, "industry": evidence, "rules": cat.rules_table(cspec),
        "action_classes": pd.DataFrame([c.model_dump() for c in cspec.classes]),
        "policies": relevant, "policy_coverage": cov, "coverage_matrix": matrix, "policy_gaps": gaps,
        "policy_recommendations": recs,
        "members": members, "industries": sv.table("industries"),
        "packages": ev.tables.get("packages", pd.DataFrame()), "sources": ev.tables.get("sources", pd.DataFrame()),
    }
    ind_demo = bool(sv.table("industry").get("is_demo", pd.Series([False])).any())
    meta = {"steps": steps, "is_demo": bool(ev.is_demo or ind_demo), "evaluation_is_demo": bool(ev.is_demo),
            "industry_is_demo": ind_demo, "policy_inventory_is_example": steps[-1]["inventory_is_example"],
            "spec": {"zones": zspec.model_dump(mode="json"), "catalogue": cspec.model_dump(mode="json", by_alias=True)},
            "proposal_note": "本项目提出的方案", "industry_years": sv.meta.get("industry_years", {})}
    return tables, meta


def _ancestors(code: str, parent: dict[str, str]) -> list[str]:
    out, seen = [], {code}
    p = parent.get(code, "")
    while p and p not in seen:
        out.append(p)
        seen.add(p)
        p = parent.get(p, "")
    return out


def _instruments() -> list[str]:
    try:
        from ..db.policies import INSTRUMENTS
    except ImportError:  # pragma: no cover
        return INSTRUMENTS_FALLBACK
    return list(INSTRUMENTS)


def _record_specialisation(ev: pd.DataFrame, sv, mode: str) -> pd.DataFrame:
    """Replace ``ip_specialisation`` by the record-based RTA (survey table ``rec_industries``) where it exists.

    Notes
    -----
    RTA over the members' record counts by SEI industry (``methods.technology.rta``) is the same Balassa index as
    the statistics' patent location quotient, but counted from the imported patent records at the records' latest
    year; ``ip_specialisation_basis`` says which one each entry used (``records`` / ``statistics``).
    """
    ev = ev.copy()
    ev["ip_specialisation_basis"] = "statistics"
    rec = sv.tables.get("rec_industries")
    if mode != "records_when_present" or rec is None or rec.empty or ev.empty:
        return ev
    rta = rec.dropna(subset=["rta"]).set_index(["region_code", "industry_code"])["rta"]
    key = pd.MultiIndex.from_frame(ev[["region_code", "industry_code"]].astype(str))
    got = pd.Series(rta.reindex(key).to_numpy(), index=ev.index)
    ev.loc[got.notna(), "ip_specialisation"] = got[got.notna()]
    ev.loc[got.notna(), "ip_specialisation_basis"] = "records"
    return ev


def _evidence(db, sv, z: pd.DataFrame, territory: str, span: int) -> pd.DataFrame:
    """Evidence per region × industry: output LQ, patent LQ, growth, zone flags, coupling class, intensity flag.

    Notes
    -----
    ``ip_specialisation`` is the industry's patent location quotient (its share of the region's patent
    applications over the territory's share — Balassa's revealed technological advantage on the
    territory); ``growth`` the CAGR of the industry's output over ``span`` years ending at the survey's
    industry year; ``ip_intensive`` is true when the industry's patent applications per 亿元 of output
    reach the territory's patent applications per 亿元 GDP (a proxy for CNIPA's 专利密集型产业 test,
    whose employment-based density is not in the database).
    """
    ind = sv.table("industry").copy()
    if ind.empty:
        return pd.DataFrame(columns=["region_code", "industry_code", "year", "lq_output", "ip_specialisation", "growth",
                                     "zone", "coupling_class", "ip_intensive"])
    ind["region_code"] = ind["region_code"].astype(str)
    codes = sorted(ind["region_code"].unique())
    panel = sv.table("panel")
    rows = []
    for (code, y), grp in ind.groupby(["industry_code", "year"], sort=True):
        measure = str(grp["output_measure"].iloc[0])
        past = db.observations(indicators=[measure], regions=codes, years=[int(y) - span], industries=[str(code)])
        start = past.set_index(past["region_code"].astype(str))["value"]
        g = grp.set_index("region_code")
        growth = pd.Series(cagr(start.reindex(g.index).to_numpy(float), g["output_value"].to_numpy(float), span),
                           index=g.index)
        cur = panel[(panel["year"] == y) & panel["indicator_code"].isin(["patent_applications", "gdp"])]
        tot = cur.pivot_table(index="region_code", columns="indicator_code", values="value", aggfunc="first")
        tot = tot.dropna() if {"patent_applications", "gdp"} <= set(tot.columns) else pd.DataFrame()
        density_all = tot["patent_applications"].sum() / tot["gdp"].sum() if len(tot) and tot["gdp"].sum() > 0 else np.nan
        dens = g["industry_patent_applications"] / g["output_value"].where(g["output_value"] > 0)
        total_out = g["output_value"].sum(min_count=1)
        for r in g.index:
            rows.append({"region_code": r, "industry_code": str(code), "year": int(y),
                         "output_measure": measure, "output_value": g.loc[r, "output_value"],
                         "output_share": g.loc[r, "output_value"] / total_out if total_out and total_out > 0 else np.nan,
                         "patent_applications": g.loc[r, "industry_patent_applications"],
                         "lq_output": g.loc[r, "lq_output"], "ip_specialisation": g.loc[r, "lq_patents"],
                         "growth": growth.get(r, np.nan), "patent_density": dens.get(r, np.nan),
                         "ip_intensive": bool(dens.get(r, np.nan) >= density_all) if pd.notna(dens.get(r, np.nan))
                         and pd.notna(density_all) else None,
                         "is_demo": bool(g.loc[r, "is_demo"]) if "is_demo" in g.columns else False})
    ev = pd.DataFrame(rows)
    zz = z.set_index("region_code")
    for c in ("zone", "zone_name", "coupling_class", "high_ip", "high_innovation", "high_industry"):
        ev[c] = ev["region_code"].map(zz[c])
    ev["region_name"] = ev["region_code"].map(zz["region_name"])
    ev = ev[ev["region_code"].isin(zz.index)]
    lead = ["region_code", "region_name", "industry_code"]
    return ev[lead + [c for c in ev.columns if c not in lead]].sort_values(["region_code", "industry_code"]).reset_index(drop=True)
