"""Record-based survey tables (issue 11): fields and industries, applicants, co-applicant links, high-value patents.

Read through ``db`` (observations ``rec_*`` written by ``db.records.aggregate`` and the record reads of
``IPDatabase``); no SQL here. Every table exists with its columns even without records, so views can test
``meta["records"]["present"]`` and print one sentence instead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..methods import technology as tech
from ..survey.concentration import concentration_ratio, hhi

REC = {"apps": "rec_patent_applications", "apps_inv": "rec_patent_applications_invention",
       "grants": "rec_patent_grants", "valid": "rec_valid_patents", "valid_inv": "rec_valid_patents_invention",
       "family": "rec_patent_family", "hv": "rec_high_value_invention"}
TOP_N = 10
COLUMNS = {
    "rec_overview": ["region_code", "year", *REC, "invention_share", "high_value_share", "unmapped_field_share",
                     "unmapped_industry_share", "is_demo"],
    "rec_unmapped": ["year", "records", "unmapped_field_share", "unmapped_industry_share"],
    "rec_fields": ["region_code", "industry_code", "year", "patents", "share", "rta"],
    "rec_industries": ["region_code", "industry_code", "year", "patents", "share", "rta", "high_value",
                       "industry_output", "per_100m_output"],
    "rec_applicants": ["region_code", "rank", "applicant", "patents", "share"],
    "rec_concentration": ["region_code", "applicants", "patents", "hhi", "cr4", "top_applicant"],
    "rec_links": ["region_a", "region_b", "links"],
    "rec_agreement": ["export_code", "export_industry", "top_sei", "records"],
    "rec_highvalue_criteria": ["criterion", "name", "available", "note"],
    "rec_imports": ["import_id", "kind", "source_format", "file_name", "rows_imported", "is_demo"],
}
TERRITORY = "_territory"  # region_code of the territory-wide rows (sum over members)


def _empty() -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(columns=cols) for name, cols in COLUMNS.items()}


def _wide(obs: pd.DataFrame) -> pd.DataFrame:
    w = obs.pivot_table(index=["region_code", "year", "industry_code"], columns="indicator_code", values="value",
                        aggfunc="first")
    inv = {v: k for k, v in REC.items()}
    return w.rename(columns=inv).reindex(columns=list(REC)).fillna(0.0).reset_index()


def _by_target(w: pd.DataFrame, prefix: str, year: int, codes: list[str]) -> pd.DataFrame:
    """Members × targets (TF… or SEI…) in ``year``: patents, share of the region's records, RTA over the members."""
    cur = w[(w["year"] == year) & w["industry_code"].str.match(prefix + r"\d\d$")]
    m = cur.pivot_table(index="region_code", columns="industry_code", values="apps", aggfunc="sum").reindex(codes)
    m = m.fillna(0.0)
    total = w[(w["year"] == year) & (w["industry_code"] == "_T")].set_index("region_code")["apps"].reindex(codes)
    r = tech.rta(m) if len(m.columns) else m
    long = m.stack().rename("patents").reset_index()
    long["rta"] = r.stack().reindex(pd.MultiIndex.from_frame(long[["region_code", "industry_code"]])).to_numpy()
    long["share"] = long["patents"] / long["region_code"].map(total).where(lambda s: s > 0)
    long["year"] = year
    return long.sort_values(["region_code", "industry_code"]).reset_index(drop=True)


def record_tables(db, *, territory: str, year: int, codes: list[str], params_dir=None) -> tuple[dict, dict]:
    """All record-based survey tables for the members ``codes`` of ``territory`` at the latest record year ≤ ``year``.

    Returns ``(tables, meta)`` with ``meta`` = ``present``, ``year`` (record year used), ``is_demo``, ``basis``,
    ``concordance_version``, ``agreement`` (share of labelled records whose export label equals our top SEI),
    ``links`` (records with ≥ 2 applicants / all placed / across regions), ``steps``.
    """
    tables, meta = _empty(), {"present": False, "year": None, "is_demo": False, "steps": []}
    if not db.has_records():
        return tables, meta
    obs = db.observations(indicators=list(REC.values()), regions=codes, industries=None)
    obs = obs[obs["region_code"].astype(str).isin(codes) & (obs["year"] <= year)]
    if obs.empty:
        return tables, meta
    w = _wide(obs)
    ry = int(w["year"].max())
    info = db.record_aggregation()
    meta.update(present=True, year=ry, is_demo=bool(obs["is_demo"].any()), basis=info.get("basis"),
                concordance_version=info.get("concordance_version", {}))

    tot = w[w["industry_code"] == "_T"].set_index(["region_code", "year"])
    over = tot.copy()
    over["invention_share"] = over["apps_inv"] / over["apps"].where(over["apps"] > 0)
    over["high_value_share"] = over["hv"] / over["valid_inv"].where(over["valid_inv"] > 0)
    for name, code in (("unmapped_field_share", "TF_UNMAPPED"), ("unmapped_industry_share", "SEI_UNMAPPED")):
        un = w[w["industry_code"] == code].set_index(["region_code", "year"])["apps"]
        over[name] = un.reindex(over.index).fillna(0.0) / over["apps"].where(over["apps"] > 0)
    demo = obs.groupby(["region_code", "year"])["is_demo"].any()
    over["is_demo"] = demo.reindex(over.index).fillna(False).astype(bool)
    tables["rec_overview"] = over.reset_index()[COLUMNS["rec_overview"]]
    per_year = w.groupby(["year", "industry_code"])["apps"].sum().unstack(fill_value=0.0)
    un = pd.DataFrame({"records": per_year.get("_T", 0.0)})
    for name, code in (("unmapped_field_share", "TF_UNMAPPED"), ("unmapped_industry_share", "SEI_UNMAPPED")):
        un[name] = per_year.get(code, 0.0) / un["records"].where(un["records"] > 0)
    tables["rec_unmapped"] = un.reset_index()[COLUMNS["rec_unmapped"]]
    meta["steps"].append({"step": "records_overview", "year": ry, "basis": meta["basis"]})

    tables["rec_fields"] = _by_target(w, "TF", ry, codes)[COLUMNS["rec_fields"]]
    ind = _by_target(w, "SEI", ry, codes)
    hv = w[(w["year"] == ry)].set_index(["region_code", "industry_code"])["hv"]
    ind["high_value"] = hv.reindex(pd.MultiIndex.from_frame(ind[["region_code", "industry_code"]])).fillna(0.0).to_numpy()
    out = db.observations(indicators=["industry_output"], regions=codes, years=[ry], industries=None)
    out = out.set_index(["region_code", "industry_code"])["value"]
    ind["industry_output"] = out.reindex(pd.MultiIndex.from_frame(ind[["region_code", "industry_code"]])).to_numpy()
    ind["per_100m_output"] = ind["patents"] / ind["industry_output"].where(ind["industry_output"] > 0)
    tables["rec_industries"] = ind[COLUMNS["rec_industries"]]
    meta["steps"].append({"step": "rta", "formula": "(x_ij/Σ_j x_ij)/(Σ_i x_ij/Σ_ij x_ij) over the members",
                          "intensity": "rec_patent_applications@SEI / industry_output@SEI (件/亿元)"})

    years = [ry]
    apps = db.record_applicants(codes, years)
    apps = apps[apps["region_code"].isin(codes)]
    totals = tot.xs(ry, level="year")["apps"].to_dict()
    terr = apps.groupby("applicant", as_index=False)["patents"].sum().assign(region_code=TERRITORY)
    both = pd.concat([terr, apps], ignore_index=True)
    tables["rec_applicants"] = tech.top_applicants(both, n=TOP_N, by="region_code",
                                                   totals={**totals, TERRITORY: sum(totals.values())})
    conc = []
    for reg, g in both.groupby("region_code", sort=True):
        v = g["patents"]
        conc.append({"region_code": reg, "applicants": int(len(g)), "patents": float(v.sum()),
                     "hhi": hhi(v) if v.sum() > 0 else np.nan, "cr4": concentration_ratio(v, 4) if v.sum() > 0 else np.nan,
                     "top_applicant": str(g.sort_values(["patents", "applicant"], ascending=[False, True])["applicant"].iloc[0])})
    tables["rec_concentration"] = pd.DataFrame(conc, columns=COLUMNS["rec_concentration"])
    meta["steps"].append({"step": "applicants", "counting": "whole (each co-applicant counts the record once)",
                          "hhi": "Σ s_a² of applicants' whole counts", "top_n": TOP_N})

    home = tech.applicant_home_regions(db.record_first_applicants())
    co = db.record_co_applied(codes, years)["applicants"]
    regs = db.regions()
    regs = regs[regs["level"].isin(["province", "city"])]
    places = {**dict(zip(regs["name"], regs["code"])),
              **{n[:-1]: c for n, c in zip(regs["name"], regs["code"]) if n.endswith(("市", "省")) and len(n) > 2}}
    by_name = tech.homes_from_names((a for names in co for a in names if a not in home.index), places)
    links = tech.co_applicant_links(co, pd.concat([home, by_name]))
    member_links = links[links["region_a"].isin(codes) & links["region_b"].isin(codes)]
    tables["rec_links"] = member_links.reset_index(drop=True)[COLUMNS["rec_links"]]
    meta["links"] = dict(links.attrs)
    meta["links"]["placed_by_name"] = int(len(by_name))
    meta["steps"].append({"step": "co_applicant_links", "placement": "each applicant at the region where it is most "
                          "often first applicant, else by a place name its name begins with; a record counts only "
                          "when every co-applicant is placed"})

    names = db.industries().set_index("code")["name"]
    sei_names = {c: n for c, n in names.items() if str(c).startswith("SEI") and str(c)[3:].isdigit()}
    pairs = db.record_export_labels(codes, years, params_dir=params_dir)
    if len(pairs):
        table, share = tech.label_agreement(pairs, sei_names)
        tables["rec_agreement"], meta["agreement"] = table[COLUMNS["rec_agreement"]], share
    tables["rec_highvalue_criteria"] = pd.DataFrame(info.get("high_value_criteria", []),
                                                    columns=COLUMNS["rec_highvalue_criteria"])
    imp = db.record_imports()
    tables["rec_imports"] = imp.reindex(columns=COLUMNS["rec_imports"]).reset_index(drop=True)
    return tables, meta
