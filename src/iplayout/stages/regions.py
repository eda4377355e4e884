"""Regions stage (区域布局): per-region plans, classified guidance, the demonstration zone and parks.

Reads the survey (location quotients), evaluation (scores, ranks with intervals, coupling, obstacles) and —
when registered — allocation (functional zones, catalogue, policy gaps) stages, plus the database for
structural indicators and IP series. Spec: ``params/regions.yaml`` (one profile per territory) and
``params/parks.yaml``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..methods.peers import SKEW_NAMES, nearest_peers, pairwise_long, structural_distance
from ..methods.targets import HISTORY_ZH, STATUS_ZH, compare_with_history, growth_history, needed_growth
from ..regions.spec import load_regions_spec
from .regions_data import demo_zone_members, indicator_panel, latest, structural_table
from .regions_plan import (ALLOCATION_TABLES, allocation_tables, demo_zone_tables, group_tables, park_tables)
from .survey import used_packages

LOOKBACK_TARGETS = 3


def spec_files(params_dir: Path, territory: str) -> list[Path]:
    """``params/regions.yaml``, ``params/parks.yaml`` and the territory profiles (group order); checksums key the cache."""
    names = ("regions.yaml", "parks.yaml", "territories.yaml")
    return [p for p in (Path(params_dir) / n for n in names) if p.exists()]


def compute_regions(db, *, territory: str, year: int, params_dir: Path, inputs=None) -> tuple[dict, dict]:
    """All tables of the 04_regions reports for one territory-year.

    Returns
    -------
    (tables, meta)
        ``members``, ``groups``, ``profile``, ``structure``, ``structure_coverage``, ``peer_transforms``,
        ``peer_distances``, ``peers``, ``peer_comparison``, ``target_indicators``, ``targets``, ``levels``,
        ``group_comparison``, ``group_zone_mix``, ``guidance``, ``guidance_rules``, ``demo_zone_members``,
        ``specialisation``, ``complementarity``, ``division``, ``layout_plan``, ``flows``, ``parks``,
        ``park_industries``, the allocation tables (``zones``, ``catalogue``, ``policy_gaps``, ``rules`` —
        empty with their columns when allocation is not available), ``industries``, ``sources``, ``packages``.
    """
    territory, year = str(territory), int(year)
    inputs = inputs or {}
    spec_path = Path(params_dir) / "regions.yaml"
    profile = load_regions_spec(spec_path).profile(territory, source=str(spec_path))
    steps: list[dict] = []
    members = db.members(territory).copy()
    members["code"] = members["code"].astype(str)
    codes = members["code"].tolist()
    ev = inputs["evaluation"]
    alloc = inputs.get("allocation")
    survey = inputs.get("survey")

    # --- structural peers ---------------------------------------------------------------------
    struct, coverage, demo_struct = structural_table(db, profile, codes, year)
    used = coverage[coverage["used"]]
    dims = {d: list(g["indicator"]) for d, g in used.groupby("dimension", sort=False)}
    weights = {d.code: d.weight for d in profile.peers.dimensions if d.code in dims}
    if dims and len(codes) > 1:
        dist, audit = structural_distance(struct[[c for cs in dims.values() for c in cs]], dims,
                                          dimension_weights=weights, skew_threshold=profile.peers.skew_threshold,
                                          ladder=profile.peers.ladder)
        audit["transform_zh"] = audit["transform"].map(SKEW_NAMES)
        k = min(profile.peers.k, len(codes) - 1)
        pair = pairwise_long(dist, k=k)
        near = nearest_peers(dist, k=k)
    else:
        audit = pd.DataFrame(columns=["indicator", "dimension", "weight", "transform", "skew_before", "skew_after"])
        pair = pd.DataFrame(columns=["region_code", "peer_code", "distance", "rank", "nearest"])
        near = pd.DataFrame(columns=["region_code", "peer_code", "rank", "distance"])
    steps.append({"step": "structural_distance", "dimensions": dims, "dimension_weights": weights,
                  "skew_threshold": profile.peers.skew_threshold, "ladder": list(profile.peers.ladder),
                  "k": profile.peers.k, "lookback": profile.peers.lookback,
                  "dropped": coverage.loc[~coverage["used"], "indicator"].tolist()})

    # --- IP indicators: levels, peer comparison, targets --------------------------------------
    levels, tinds, targets, demo_t = _targets(db, profile, members, near, year)
    comparison = _peer_comparison(levels, near, profile)
    steps.append({"step": "targets", "target_year": profile.targets.target_year, "growth_span": profile.targets.growth_span,
                  "benchmarks": ["group leader", "peer median"], "lookback": LOOKBACK_TARGETS})

    alloc_tables = allocation_tables(alloc)
    prof = _profile(ev, alloc_tables["zones"], members, levels)
    groups, zone_mix, guidance, rules = group_tables(db, profile, members, ev, alloc_tables["zones"], year,
                                                     territory=territory, params_dir=params_dir)
    steps.append({"step": "guidance", "rules": [r.id for r in profile.guidance]})
    dz_members = demo_zone_members(db, territory)
    industry = survey.tables.get("industry", pd.DataFrame()) if survey is not None else pd.DataFrame()
    dz = demo_zone_tables(profile.demo_zone, dz_members, industry, alloc_tables["catalogue"], db, codes, year)
    steps.append({"step": "demo_zone", **profile.demo_zone.model_dump(), "members": dz_members["code"].tolist()})
    parks, park_ind, n_parks = park_tables(Path(params_dir) / "parks.yaml", db, members, industry,
                                           alloc_tables["catalogue"])
    src = db.sources()
    used_src = _used_sources(db, profile, codes, year, [ev, survey])
    is_demo = bool(ev.is_demo or demo_struct or demo_t or (alloc is not None and alloc.is_demo)
                   or (survey is not None and survey.is_demo))
    tables = {
        "members": members.reset_index(drop=True), "profile": prof, "structure": struct.reset_index(),
        "structure_coverage": coverage, "peer_transforms": audit, "peer_distances": pair, "peers": near,
        "peer_comparison": comparison, "target_indicators": tinds, "targets": targets, "levels": levels,
        "group_comparison": groups, "group_zone_mix": zone_mix, "guidance": guidance, "guidance_rules": rules,
        "demo_zone_members": dz_members, **dz, "parks": parks, "park_industries": park_ind, **alloc_tables,
        "industries": db.industries().sort_values("code").reset_index(drop=True),
        "indicators": db.indicators()[["code", "name", "name_en", "unit", "subsystem"]].reset_index(drop=True),
        "subsystems": ev.tables.get("subsystems", pd.DataFrame(columns=["code", "name"])),
        "sources": src[src["id"].astype(str).isin(used_src)].sort_values("id").reset_index(drop=True),
        "packages": used_packages(db, used_src or src["id"]),
    }
    meta = {"spec_file": spec_path.name, "spec": profile.model_dump(mode="json"), "steps": steps, "is_demo": is_demo,
            "allocation_available": alloc is not None, "target_year": profile.targets.target_year,
            "parks_listed": n_parks, "demo_zone_name": profile.demo_zone.name}
    return tables, meta


def _used_sources(db, profile, codes: list[str], year: int, stages) -> list[str]:
    """Source ids behind the structural indicators, target indicators and the input stages' tables."""
    wanted = set()
    for d in profile.peers.dimensions:
        for i in d.indicator_list():
            wanted.update(x.split("@")[0] for x in (i.source, i.denominator) if x)
    wanted.update(t.code for t in profile.targets.indicators)
    wanted.update({"population", "valid_patents_invention", "tech_market_outflow_value", "tech_market_inflow_value",
                   "tech_market_outflow_contracts", "tech_market_inflow_contracts"})
    known = set(db.indicators()["code"].astype(str))
    obs = db.observations(indicators=sorted(wanted & known), regions=codes, years=list(range(2010, year + 1)),
                          industries=None)
    ids = set(obs["source_id"].astype(str))
    for st in stages:
        if st is not None and "sources" in st.tables:
            ids.update(st.tables["sources"]["id"].astype(str))
    return sorted(ids)


def _targets(db, profile, members: pd.DataFrame, near: pd.DataFrame, year: int):
    """Levels of every target indicator, and per region the gap to its group leader and peer median."""
    codes = members["code"].tolist()
    group_of = members.set_index("code")["region_group"].fillna("未分组").astype(str)
    peers_of = near.groupby("region_code")["peer_code"].apply(list).to_dict() if len(near) else {}
    T = profile.targets.target_year
    lv_rows, ind_rows, t_rows, demo = [], [], [], False
    for t in profile.targets.indicators:
        vals, available, is_demo = indicator_panel(db, t, codes, year)
        ind_rows.append({"code": t.code, "name": t.name, "unit": t.unit, "per_10k_pop": t.per_10k_pop,
                         "available": available, "note": t.note if not available else ""})
        if not available:
            continue
        demo = demo or is_demo
        cur = latest(vals, year, LOOKBACK_TARGETS)
        for c in codes:
            lv_rows.append({"region_code": c, "indicator_code": t.code, "value": cur.loc[c, "value"],
                            "data_year": cur.loc[c, "year"]})
        for c in codes:
            x, dy = cur.loc[c, "value"], cur.loc[c, "year"]
            mates = [m for m in codes if group_of[m] == group_of[c]]
            gv = cur.loc[mates, "value"].dropna()
            leader = gv.idxmax() if len(gv) else None
            pv = cur.loc[[p for p in peers_of.get(c, []) if p in cur.index], "value"].dropna()
            hist = growth_history(vals.loc[c].dropna().rename(index=int), end_year=int(dy) if pd.notna(dy) else year,
                                  span=profile.targets.growth_span)
            row = {"region_code": c, "indicator_code": t.code, "value": x, "data_year": dy,
                   "group": group_of[c], "leader_code": leader, "leader_value": gv.max() if len(gv) else np.nan,
                   "peer_median": pv.median() if len(pv) else np.nan, "n_peers": int(len(pv)),
                   "past_cagr": hist["cagr"], "past_cagr_start": hist["cagr_start"], "best_yoy": hist["best_yoy"],
                   "best_yoy_year": hist["best_yoy_year"], "target_year": T}
            years_left = T - int(dy) if pd.notna(dy) else None
            for bench, col in (("leader", "leader_value"), ("peer", "peer_median")):
                rate, status = needed_growth(x, row[col], years_left)
                cmp_ = compare_with_history(rate, status, cagr=hist["cagr"], best_yoy=hist["best_yoy"])
                row.update({f"gap_{bench}": row[col] - x if pd.notna(x) and pd.notna(row[col]) else np.nan,
                            f"needed_{bench}": rate, f"status_{bench}": status,
                            f"status_{bench}_zh": STATUS_ZH[status], f"history_{bench}": cmp_,
                            f"history_{bench}_zh": HISTORY_ZH[cmp_]})
            t_rows.append(row)
    levels = pd.DataFrame(lv_rows, columns=["region_code", "indicator_code", "value", "data_year"])
    return levels, pd.DataFrame(ind_rows), pd.DataFrame(t_rows), demo


def _peer_comparison(levels: pd.DataFrame, near: pd.DataFrame, profile) -> pd.DataFrame:
    """Each region against its structural peers on every available IP indicator."""
    wanted = profile.comparison_indicators or [t.code for t in profile.targets.indicators]
    rows = []
    lv = levels.pivot_table(index="region_code", columns="indicator_code", values="value", aggfunc="first")
    for r, grp in near.groupby("region_code", sort=True):
        peers = list(grp["peer_code"])
        for ind in [w for w in wanted if w in lv.columns]:
            own = lv.loc[r, ind] if r in lv.index else np.nan
            pv = lv.reindex(peers)[ind].dropna()
            both = pd.concat([pv, pd.Series({r: own})]).dropna()
            rank = int(both.rank(ascending=False, method="min")[r]) if r in both.index else np.nan
            rows.append({"region_code": r, "indicator_code": ind, "value": own, "peer_median": pv.median() if len(pv) else np.nan,
                         "peer_min": pv.min() if len(pv) else np.nan, "peer_max": pv.max() if len(pv) else np.nan,
                         "rank_among_peers": rank, "n": int(len(both)),
                         "ratio_to_median": own / pv.median() if len(pv) and pv.median() and pd.notna(own) else np.nan})
    return pd.DataFrame(rows, columns=["region_code", "indicator_code", "value", "peer_median", "peer_min", "peer_max",
                                       "rank_among_peers", "n", "ratio_to_median"])


def _profile(ev, zones: pd.DataFrame, members: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """One row per region: score, rank and its interval, D and class, lagging subsystem, zone, top obstacles."""
    s = ev.table("scores").copy()
    s["region_code"] = s["region_code"].astype(str)
    keep = ["region_code", "score", "rank", "rank_p05", "rank_p95", "D", "class", "lagging", "U_ip", "U_innovation",
            "U_industry"]
    p = members[["code", "name", "region_group"]].rename(columns={"code": "region_code", "name": "region_name"})
    p = p.merge(s[[c for c in keep if c in s.columns]], on="region_code", how="left")
    sub = ev.tables.get("subsystems", pd.DataFrame(columns=["code", "name"])).set_index("code")["name"]
    p["lagging_name"] = p["lagging"].map(sub)
    ind_names = ev.tables.get("indicators", pd.DataFrame(columns=["code", "name"])).set_index("code")["name"]
    ob = ev.tables.get("obstacles", pd.DataFrame(columns=["region_code", "level", "code", "obstacle"]))
    ob = ob[ob["level"] == "indicator"].copy()
    ob["region_code"] = ob["region_code"].astype(str)
    top = (ob.sort_values(["region_code", "obstacle", "code"], ascending=[True, False, True])
           .groupby("region_code").head(3))
    p["obstacles"] = p["region_code"].map(top.groupby("region_code")["code"].apply(
        lambda c: "、".join(str(ind_names.get(x, x)) for x in c)))
    if len(zones):
        z = zones.copy()
        z["region_code"] = z["region_code"].astype(str)
        p = p.merge(z[[c for c in ("region_code", "zone", "zone_name", "probability", "borderline") if c in z.columns]],
                    on="region_code", how="left")
    else:
        p["zone"], p["zone_name"], p["probability"], p["borderline"] = None, None, np.nan, None
    return p.sort_values("region_code").reset_index(drop=True)


__all__ = ["ALLOCATION_TABLES", "compute_regions", "spec_files"]
