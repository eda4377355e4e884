"""The level tables of a two-level spec (goal → subsystems → indicators), read off its result.

A two-level spec is evaluated by the engine's historical path (its tables stay identical); these
tables only restate that result level by level so reports treat every spec alike: ``tree``,
``level_scores`` (goal = ``score``, subsystems = ``U_*``), ``level_weights`` and ``contributions``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .result import EvaluationResult
from .steps import rank_units
from .tree import INDICATOR_LEVEL, TWO_LEVEL_GOAL, level_name

ALL = "_all"


def add_level_tables(res: EvaluationResult, df: pd.DataFrame, pools: np.ndarray, keys: list[str]) -> None:
    """Fill ``res.tree``, ``level_scores``, ``level_weights`` and ``contributions`` of a two-level spec.

    Notes
    -----
    Contribution of subsystem s to the goal: ``β_s U_s / (score/scale)``; of indicator j to its
    subsystem: ``w_j z_j / U_s`` (``weights.scope: all`` with the weighted sum, where
    ``U_s = Σ_{j∈s} w_j z_j`` with the overall weights: ``U_s / (score/scale)`` and ``w_j z_j / U_s``
    with the overall weights). Under the weighted sum both sum to 1 over the children.
    """
    spec = res.spec
    if not spec.subsystems:
        return
    scale = res.step("score")["scale"]
    scope_all = spec.weights.scope == "all" and spec.score.method == "weighted_sum"
    prim = res.weights[res.weights.primary]
    goal_s = res.scores["score"].to_numpy(float) / scale
    pool_of = pd.Series(pools.astype(str), index=df.index)
    beta = prim.groupby(["pool", "subsystem"])["global_weight"].sum()
    rows = [df[keys].assign(node=TWO_LEVEL_GOAL, name=spec.name, parent="", depth=0, level=level_name(0),
                            score=res.scores["score"].to_numpy(), rank=rank_units(res.scores["score"], df, spec, nullable=True))]
    contrib, lw = [], []
    for s in spec.subsystems:
        u = res.scores[f"U_{s.code}"].astype(float)
        rows.append(df[keys].assign(node=s.code, name=s.name, parent=TWO_LEVEL_GOAL, depth=1, level=level_name(1),
                                    score=u.to_numpy(), rank=rank_units(u, df, spec, nullable=True)))
        b = pool_of.map(lambda p, c=s.code: beta.get((p, c), np.nan)).to_numpy(float)
        w_eff = np.ones_like(b) if scope_all else b
        ct = df[keys].assign(parent=TWO_LEVEL_GOAL, node=s.code, depth=1, level=level_name(1), weight=b,
                             child_score=u.to_numpy(), parent_score=goal_s)
        with np.errstate(divide="ignore", invalid="ignore"):
            ct["contribution"] = np.where(goal_s > 0, w_eff * u.to_numpy() / goal_s, np.nan)
        contrib.append(ct)
        for j in prim.loc[prim.subsystem == s.code, "indicator"].drop_duplicates():
            wj = prim[(prim.indicator == j)].set_index("pool")
            col = "global_weight" if scope_all else "weight"
            w = pool_of.map(wj[col]).to_numpy(float)
            z = res.normalised[j].to_numpy(float)
            ct = df[keys].assign(parent=s.code, node=j, depth=2, level=INDICATOR_LEVEL[0],
                                 weight=wj["weight"].reindex(pool_of).to_numpy(float), child_score=z,
                                 parent_score=u.to_numpy() / (b if scope_all else 1.0))
            with np.errstate(divide="ignore", invalid="ignore"):
                ct["contribution"] = np.where(u.to_numpy() > 0, w * z / u.to_numpy(), np.nan)
            contrib.append(ct)
    res.level_scores = pd.concat(rows, ignore_index=True)
    res.contributions = pd.concat(contrib, ignore_index=True)
    for (pool, sub), bv in beta.items():
        lw.append({"pool": pool, "method": spec.weights.method, "parent": TWO_LEVEL_GOAL, "node": sub, "kind": "group",
                   "depth": 1, "level": level_name(1), "weighting": spec.weights.subsystems, "weight": float(bv),
                   "global_weight": float(bv), "primary": True})
    for r in res.weights.itertuples():
        lw.append({"pool": r.pool, "method": r.method, "parent": r.subsystem, "node": r.indicator,
                   "kind": "indicator", "depth": 2, "level": INDICATOR_LEVEL[0], "weighting": r.method,
                   "weight": r.weight, "global_weight": r.global_weight, "primary": r.primary})
    res.level_weights = pd.DataFrame(lw)
    res.tree = _tree(res, prim)


def _tree(res: EvaluationResult, prim: pd.DataFrame) -> pd.DataFrame:
    spec = res.spec
    first = prim[prim.pool == prim.pool.iloc[0]].set_index("indicator")
    beta = first.groupby("subsystem")["global_weight"].sum()
    agg = spec.score.method
    rows = [{"node": TWO_LEVEL_GOAL, "parent": "", "kind": "goal", "depth": 0, "level": level_name(0),
             "level_en": level_name(0, en=True), "name": spec.name, "name_en": spec.name_en,
             "weighting": "data" if spec.weights.scope == "all" else spec.weights.subsystems, "aggregation": agg,
             "min_share": np.nan, "weight": 1.0, "global_weight": 1.0, "subsystem": "",
             "n_children": len(spec.subsystems)}]
    for s in spec.subsystems:
        inds = [i for i in spec.indicators if i.subsystem == s.code]
        rows.append({"node": s.code, "parent": TWO_LEVEL_GOAL, "kind": "group", "depth": 1, "level": level_name(1),
                     "level_en": level_name(1, en=True), "name": s.name, "name_en": s.name_en,
                     "weighting": spec.weights.method, "aggregation": agg, "min_share": np.nan,
                     "weight": float(beta[s.code]), "global_weight": float(beta[s.code]), "subsystem": s.code,
                     "n_children": len(inds)})
        for i in inds:
            rows.append({"node": i.code, "parent": s.code, "kind": "indicator", "depth": 2, "level": INDICATOR_LEVEL[0],
                         "level_en": INDICATOR_LEVEL[1], "name": i.name, "name_en": i.name_en, "weighting": "",
                         "aggregation": "", "min_share": np.nan, "weight": float(first.loc[i.code, "weight"]),
                         "global_weight": float(first.loc[i.code, "global_weight"]), "subsystem": s.code,
                         "n_children": 0})
    return pd.DataFrame(rows)
