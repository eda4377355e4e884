"""Evaluate an index hierarchy level by level: weights of each group's children, group scores,
contributions, obstacles per level, and the interface tables (``U_<subsystem>``, C/T/D, score, rank).

Each group weighs its children with its own method — fixed, equal, AHP (CR checked per group),
entropy / CRITIC / CV from the data of its children (indicators' normalised values, or the child
groups' scores) — and aggregates them (weighted sum, geometric; TOPSIS at the goal) over the
children present (:func:`iplayout.methods.hierarchy.node_scores`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..methods.hierarchy import node_scores
from ..methods.scores import DEFAULT_SCALE
from ..methods.weights import ahp, get_weights
from .level_robustness import run_level_uncertainty
from .level_tables import level_tables, obstacles_by_level, tree_table
from .result import EvaluationResult
from .spec import EvaluationSpec
from .steps import coupling_step as _coupling, dea_step as _dea, rank_units as _rank
from .tree import Tree, build_tree, node_kwargs as _node_kwargs
from .weighting import _weights_for

ALL = "_all"


def node_weights(method: str, data: pd.DataFrame, spec: EvaluationSpec, tree: Tree, code: str) -> pd.Series:
    """Weights of ``code``'s children from ``data`` (rows × children; rows with a gap are left out
    for the data-driven methods, i.e. listwise deletion within the group)."""
    node = tree.nodes[code]
    cols = list(data.columns)
    leaf = tree.nodes[cols[0]].kind == "indicator"
    complete = data.dropna()
    if method in ("entropy", "critic", "cv", "pca", "combined") and len(complete) < 2:
        raise DataError([Problem(f"{node.level} {code!r}: fewer than 2 units with every child present; "
                                 f"{method} weights cannot be computed", column=code)])
    if leaf:  # indicators: the engine's weighting of one subsystem (weights.ahp keyed by the group code)
        return _weights_for(method, complete, spec, code).reindex(cols)
    w = spec.weights
    if method == "fixed":
        return get_weights("fixed", complete, weights={c: tree.nodes[c].weight for c in cols})
    if method == "ahp":
        return get_weights("ahp", complete, **w.ahp[code].model_dump())
    if method == "entropy":
        return get_weights("entropy", complete, zero=w.entropy_zero, eps=w.entropy_eps, shift=w.entropy_shift,
                           k=w.entropy_k, bounded=pd.Series(False, index=cols))
    if method == "critic":
        return get_weights("critic", complete, ddof=w.ddof, corr=w.critic_corr)
    if method == "cv":
        return get_weights("cv", complete, ddof=w.ddof)
    return get_weights("equal", complete)


def solve_pool(tree: Tree, spec: EvaluationSpec, z: pd.DataFrame, x: pd.DataFrame,
               leaf_method: str | None = None) -> tuple[dict, dict, dict]:
    """Weights, scores (scale 1) and effective child weights of every group for one pool group.

    ``leaf_method`` replaces the weighting of the groups of indicators (``weights.compare``).
    """
    vals = {c: z[c].to_numpy(float) for c in spec.codes}
    weights, eff = {}, {}
    for g in tree.groups:
        node = tree.nodes[g]
        ch = node.children
        leaf = tree.nodes[ch[0]].kind == "indicator"
        data = pd.DataFrame({c: vals[c] for c in ch}, index=z.index)
        if leaf and spec.weights.on == "raw":
            data = x[ch].where(z[ch].notna())
        method = leaf_method if (leaf and leaf_method) else node.weighting
        w = node_weights(method, data, spec, tree, g).to_numpy(float)
        xs = np.stack([vals[c] for c in ch], axis=1)[:, :, None]
        s, e = node_scores(xs, w[None, :], **_node_kwargs(spec, tree, g))
        weights[g], vals[g], eff[g] = w, s[:, 0], e[:, :, 0]
    return weights, vals, eff


def global_weights(tree: Tree, weights: dict) -> dict[str, float]:
    """Nominal weight of every node in the goal: the product of the weights on its path."""
    out = {tree.goal: 1.0}
    for g in reversed(tree.groups):
        for c, w in zip(tree.nodes[g].children, weights[g]):
            out[c] = out[g] * float(w)
    return out


def evaluate_levels(df, spec: EvaluationSpec, pools, keys, x, direction, z, audit, log) -> EvaluationResult:
    """The hierarchical branch of :func:`iplayout.evaluation.engine.evaluate_table`."""
    tree = build_tree(spec)
    goal = tree.nodes[tree.goal]
    scale = spec.score.scale if spec.score.scale is not None else DEFAULT_SCALE[goal.aggregation]
    methods = [spec.weights.method] + [m for m in spec.weights.compare if m != spec.weights.method]
    n_groups = len(tree.groups)
    vals = {g: np.full(len(df), np.nan) for g in tree.groups}
    eff = {g: np.zeros((len(df), len(tree.nodes[g].children))) for g in tree.groups}
    wrows, lwrows, nominal = [], [], {}
    for pool in pd.unique(pools):
        rows = np.flatnonzero(pools == pool)
        for m in methods:
            primary = m == spec.weights.method
            w, v, e = solve_pool(tree, spec, z.iloc[rows], x.iloc[rows], None if primary else m)
            gw = global_weights(tree, w)
            if primary:
                nominal[str(pool)] = (rows, w)
                for g in tree.groups:
                    vals[g][rows], eff[g][rows] = v[g], e[g]
            for g in tree.groups:
                node = tree.nodes[g]
                for c, wc in zip(node.children, w[g]):
                    ch = tree.nodes[c]
                    if ch.kind == "indicator":
                        wrows.append({"pool": str(pool), "subsystem": tree.ancestor_at(c, tree.coupling_level),
                                      "group": g, "indicator": c, "method": m, "weight": float(wc),
                                      "global_weight": gw[c], "primary": primary})
                    if primary or ch.kind == "indicator":
                        lwrows.append({"pool": str(pool), "method": m, "parent": g, "node": c, "kind": ch.kind,
                                       "depth": ch.depth, "level": ch.level, "weighting": node.weighting,
                                       "weight": float(wc), "global_weight": gw[c], "primary": primary})
    weights = pd.DataFrame(wrows)
    labels = df[keys].astype(str).agg("/".join, axis=1)
    log.append({"step": "weights", "args": {**spec.weights.model_dump(mode="json"),
                                            "by_group": {g: tree.nodes[g].weighting for g in tree.groups},
                                            **_ahp_consistency(spec, tree)}})
    missing = {g: labels[np.isnan(vals[g])].tolist() for g in tree.groups if np.isnan(vals[g]).any()}
    log.append({"step": "availability", "args": {"rule": spec.availability.model_dump(), "missing_scores": missing,
                                                 "groups": n_groups}})

    out = df[keys].copy()
    subs = tree.coupling_groups()
    for g in subs:
        out[f"U_{g}"] = vals[g]
    log.append({"step": "score", "args": {**spec.score.model_dump(), "scale": scale, "goal": tree.goal,
                                          "aggregation": {g: tree.nodes[g].aggregation for g in tree.groups},
                                          "coupling_level": tree.coupling_level, "subsystems": subs}})
    if len(subs) >= 2 and spec.coupling.enabled:
        u = out[[f"U_{g}" for g in subs]]
        ok = u.notna().all(axis=1)
        cpl = _coupling(u[ok], spec, log, labels[ok])
        out = out.join(cpl.reindex(out.index))
    overall = pd.Series(scale * vals[tree.goal], index=df.index)
    out["score"] = overall
    out["rank"] = _rank(overall, df, spec)
    dea_tab = _dea(df, spec, keys, log)
    if not dea_tab.empty:
        out["dea_efficiency"] = dea_tab["efficiency"].to_numpy()
    level_scores, contributions = level_tables(
        df, keys, tree, {**{c: z[c].to_numpy(float) for c in spec.codes}, **vals}, eff, scale, spec)
    res = EvaluationResult(spec=spec, scores=out, weights=weights,
                           normalised=pd.concat([df[keys], z[spec.codes]], axis=1),
                           obstacles=obstacles_by_level(z, df, keys, tree, eff, spec), treatment=audit,
                           dea=dea_tab, log=log, tree=tree_table(tree, pd.DataFrame(lwrows)),
                           level_scores=level_scores, level_weights=pd.DataFrame(lwrows),
                           contributions=contributions)
    if spec.uncertainty.enabled:
        run_level_uncertainty(res, df, spec, pools, keys, tree, nominal, scale)
    return res


def _ahp_consistency(spec: EvaluationSpec, tree: Tree) -> dict:
    """λ_max, CI, RI, CR of the pairwise matrix of every group weighted by AHP (CR checked when weighting)."""
    out = {}
    for g in tree.groups:
        n = tree.nodes[g]
        uses = n.weighting == "ahp" or (n.weighting == "combined" and spec.weights.combined.subjective == "ahp")
        if not uses:
            continue
        a = spec.weights.ahp[g]
        labels = a.order or n.children
        r = ahp(a.matrix, labels, method=a.method, lambda_max=a.lambda_max, ri=a.ri)
        out[g] = {"n": len(labels), "lambda_max": r.lambda_max, "ci": r.ci, "ri": r.ri, "cr": r.cr,
                  "method": a.method, "lambda_convention": a.lambda_max}
    return {"ahp_consistency": out} if out else {}
