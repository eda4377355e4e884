"""Evaluation stage (综合评价): the evaluation engine's tables plus trend, method ranks and scorecards."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import IplayoutError, ParameterError
from ..survey import nearest_peers, strengths_weaknesses
from ..territories import territory_profile
from .international import CHINA, CHINA_NAME, WORLD, imported_sources, international_comparison
from .survey import used_packages

TREND_FIRST_YEAR = 2010


def spec_path(params_dir: Path, territory: str) -> Path:
    """Evaluation spec for a territory: the territory profile's ``evaluation_spec`` in ``params/evaluation/``
    (``pilot.yaml`` national, ``jiangsu_cities.yaml`` Jiangsu, ``international.yaml`` world), else
    ``<territory>.yaml``."""
    # a territory whose profile names no spec needs its own params/evaluation/<territory>.yaml: the stage
    # never silently scores it with another territory's system
    name = territory_profile(str(territory), params_dir).evaluation_spec
    path = Path(params_dir) / "evaluation" / (name or f"{territory}.yaml")
    if not path.exists():
        raise ParameterError(f"no evaluation spec for territory {territory!r}: expected {path}")
    return path


def compute_evaluation(db, *, territory: str, year: int, params_dir: Path,
                       inputs=None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Evaluation tables for one territory-year.

    Returns the engine's tables (scores, weights, normalised, obstacles, treatment, uncertainty, sensitivity,
    loo, dea) plus ``indicators`` (the spec's system with weights by method), ``trend`` (U, C, D by year,
    without the Monte Carlo), ``method_ranks`` (rank under each weighting method), ``scorecard`` (strengths
    and weaknesses of every region) and ``peers`` (nearest structural peers), ``members``, ``sources``.
    """
    from ..evaluation.from_db import evaluate
    from ..evaluation.spec import load_spec

    territory, year = str(territory), int(year)
    path = spec_path(params_dir, territory)
    spec = load_spec(path)
    res = evaluate(db, spec, territory, year)
    tables = res.to_tables()
    data_step = res.step("data")

    # an index hierarchy names each indicator's leaf group; its subsystem is the coupling-level ancestor (tree table)
    sub_of = tables["tree"].set_index("node")["subsystem"] if len(tables["tree"]) else pd.Series(dtype=str)
    spec_ind = pd.DataFrame([{"code": i.code, "name": i.name, "name_en": i.name_en,
                              "subsystem": i.subsystem or sub_of.get(i.code), "type": i.type, "unit": i.unit}
                             for i in spec.indicators])
    w = tables["weights"]
    wide_w = w.pivot_table(index="indicator", columns="method", values="global_weight", aggfunc="first")
    tables["indicators"] = spec_ind.merge(wide_w, left_on="code", right_index=True, how="left")
    tables["subsystems"] = pd.DataFrame([{"code": s.code, "name": s.name, "name_en": s.name_en}
                                         for s in spec.subsystems] or _coupling_groups(tables["tree"]))
    tables["dea_terms"] = _dea_terms(db, spec)
    tables["method_ranks"] = _method_ranks(tables["normalised"], w)
    tables["trend"] = _trend(db, spec, territory, year, evaluate)
    tables["scorecard"], tables["peers"] = _scorecards(tables["normalised"], spec_ind)
    members = db.members(territory).copy()
    members["code"] = members["code"].astype(str)
    if territory == WORLD:  # among countries the national row (全国) reads 中国
        members.loc[members["code"] == CHINA, "name"] = CHINA_NAME
        tables["scores"]["region_name"] = tables["scores"]["region_code"].map(members.set_index("code")["name"])
    tables["members"] = members.reset_index(drop=True)
    src = db.sources()
    used = [str(s) for s in data_step.get("sources", [])]
    tables["sources"] = src[src["id"].astype(str).isin(used)].sort_values("id").reset_index(drop=True)
    # 六、区域比较: China against the peer economies a user imported (empty → the report says how to import)
    intl = international_comparison(db, year)
    tables["international"] = intl
    intl_ids = sorted({p.strip() for s in intl["source_id"] for p in str(s).split(" + ")})
    # the comparison's origins as packages and imports (a handful of titles, not every source row)
    intl_pk = [p for p in (used_packages(db, intl_ids), imported_sources(db, intl_ids)) if len(p)] if intl_ids else []
    tables["international_sources"] = (pd.concat(intl_pk, ignore_index=True).sort_values("id").reset_index(drop=True)
                                       if intl_pk else pd.DataFrame(columns=["id", "title", "is_demo"]))
    pk = [used_packages(db, used or src["id"]), used_packages(db, intl_ids) if intl_ids else None,
          imported_sources(db, used + intl_ids)]
    tables["packages"] = (pd.concat([p for p in pk if p is not None and len(p)], ignore_index=True)
                          .drop_duplicates("id").sort_values("id").reset_index(drop=True)
                          if any(p is not None and len(p) for p in pk) else pk[0])
    intl_demo = bool(intl["is_demo"].any()) if len(intl) else False
    # a demo figure anywhere in the report (even only in the comparison) puts the demo mark on every page
    meta = {"spec_file": path.name, "spec": res.log[0]["args"] if res.log else {}, "steps": res.log[1:],
            "is_demo": bool(data_step.get("is_demo", False)) or intl_demo, "international_is_demo": intl_demo}
    return tables, meta


def _coupling_groups(tree: pd.DataFrame) -> list[dict]:
    """Subsystems of an index hierarchy: the groups whose own code is their coupling-level subsystem."""
    if tree.empty:
        return []
    t = tree[(tree["kind"] == "group") & (tree["node"] == tree["subsystem"])]
    return t.rename(columns={"node": "code"})[["code", "name", "name_en"]].to_dict("records")


def _dea_terms(db, spec) -> pd.DataFrame:
    """Inputs and outputs of the spec's DEA model with their Chinese names (for the narrative)."""
    if not getattr(spec, "dea", None):
        return pd.DataFrame(columns=["code", "role", "name"])
    names = db.indicators().set_index("code")["name"].astype(str)
    rows = [{"code": c, "role": role, "name": names.get(c.split("@")[0], c)}
            for role, codes in (("input", spec.dea.inputs), ("output", spec.dea.outputs)) for c in codes]
    return pd.DataFrame(rows)


def _method_ranks(normalised: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Rank of each region under each weighting method's global weights (weighted sum of normalised values).

    A comparison table, not a new index: the weighted-sum aggregation mirrors the spec's default score so
    the rank shift shows the effect of the weights alone.
    """
    ind_cols = [c for c in normalised.columns if c not in ("region_code", "year")]
    x = normalised.set_index("region_code")[ind_cols]
    out = pd.DataFrame(index=x.index)
    for method, grp in weights.groupby("method", sort=True):
        gw = grp.drop_duplicates("indicator").set_index("indicator")["global_weight"].reindex(ind_cols).fillna(0.0)
        out[method] = (x * gw).sum(axis=1).rank(ascending=False, method="min")
    return out.reset_index()


def _trend(db, spec, territory: str, year: int, evaluate) -> pd.DataFrame:
    """Coupling coordination by year (pooled panel normalisation, no Monte Carlo).

    The series starts in the first year in which every indicator of the spec has at least one value: the
    engine refuses to impute a whole year, and a trend must not rest on invented years.
    """
    from ..evaluation.from_db import load_panel

    years = list(range(TREND_FIRST_YEAR, year + 1))
    try:
        table, _, _ = load_panel(db, spec, territory, years)
    except IplayoutError:
        return pd.DataFrame(columns=["region_code", "year", "D"])
    cols = [c for c in table.columns if c not in ("region_code", "year")]
    has_all = table.groupby("year")[cols].apply(lambda g: g.notna().any().all())
    complete = [int(y) for y, ok in has_all.items() if ok]
    # contiguous run of complete years ending at the report year
    run = []
    for y in reversed(years):
        if y not in complete:
            break
        run.insert(0, y)
    if len(run) < 2:
        return pd.DataFrame(columns=["region_code", "year", "D"])
    light = spec.model_copy(update={"uncertainty": spec.uncertainty.model_copy(update={"enabled": False})})
    try:
        res = evaluate(db, light, territory, run)
    except IplayoutError:
        return pd.DataFrame(columns=["region_code", "year", "D"])
    keep = [c for c in res.scores.columns if c.startswith("U_")] + ["C", "T", "D", "class", "lagging", "score", "rank"]
    return res.scores[["region_code", "year"] + [c for c in keep if c in res.scores.columns]].reset_index(drop=True)


def _scorecards(normalised: pd.DataFrame, spec_ind: pd.DataFrame):
    x = normalised.set_index("region_code").drop(columns=["year"], errors="ignore").astype("float64")
    cards, peers = [], []
    for code in x.index:
        sw = strengths_weaknesses(x, code, k=3)
        cards.append(sw.assign(region_code=code))
        pr = nearest_peers(x, code, k=3)
        peers.append(pr.rename(columns={"region_code": "peer_code"}).assign(region_code=code, rank=range(1, len(pr) + 1)))
    return pd.concat(cards, ignore_index=True), pd.concat(peers, ignore_index=True)
