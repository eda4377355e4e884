"""Uncertainty of an index hierarchy: Monte Carlo rank intervals of the goal and of every group
(weights drawn at every level), variance-based sensitivity of every level's ranking, and
leave-one-indicator-out rank shifts — all replications evaluated at once by
:func:`iplayout.methods.hierarchy.evaluate_tree`."""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..methods import coupling as cp
from ..methods.hierarchy import coupling_classes, draw_node_weights, evaluate_tree, rank_rows
from .preprocess import transformed_and_normalised
from .spec import EvaluationSpec
from .tree import Tree, node_kwargs as _node_kwargs


class LevelModel:
    """One pool group's tree, leaf values per candidate normalisation and nominal weights."""

    def __init__(self, spec: EvaluationSpec, tree: Tree, leaves: dict, w_nom: dict, labels: np.ndarray,
                 norms: list[str], aggs: list[str]):
        self.spec, self.tree, self.leaves, self.w_nom, self.labels = spec, tree, leaves, w_nom, labels
        self.norms, self.aggs = norms, aggs
        self.order = tree.groups
        self.children = {g: tree.nodes[g].children for g in self.order}

    def _kwargs(self, agg_i: int) -> dict:
        out = {}
        for g in self.order:
            a = self.aggs[agg_i] if agg_i > 0 else None
            if a == "topsis" and g != self.tree.goal:
                a = None  # TOPSIS replaces the goal's aggregation only
            out[g] = _node_kwargs(self.spec, self.tree, g, a)
        return out

    def draw(self, reps: int, rng: np.random.Generator, wparams: dict) -> dict:
        return {"w": {g: draw_node_weights(self.w_nom[g], reps, rng, **wparams) for g in self.order},
                "norm": rng.integers(0, len(self.norms), size=reps),
                "agg": rng.integers(0, len(self.aggs), size=reps)}

    def scores(self, d: dict) -> dict[str, np.ndarray]:
        """Score of every group (n × R) for the draws ``d``."""
        reps = d["norm"].size
        n = self.labels.size
        out = {g: np.empty((n, reps)) for g in self.order}
        for a_i in range(len(self.aggs)):
            kw = self._kwargs(a_i)
            for n_i, norm in enumerate(self.norms):
                sel = np.flatnonzero((d["agg"] == a_i) & (d["norm"] == n_i))
                if sel.size == 0:
                    continue
                vals, _ = evaluate_tree(self.order, self.children, self.leaves[norm],
                                        {g: d["w"][g][sel] for g in self.order}, kw)
                for g in self.order:
                    out[g][:, sel] = vals[g]
        return out

    def ranks(self, d: dict) -> dict[str, np.ndarray]:
        return {g: rank_rows(s, self.labels) for g, s in self.scores(d).items()}

    def nominal(self) -> dict:
        return {"w": {g: self.w_nom[g][None, :] for g in self.order}, "norm": np.zeros(1, int),
                "agg": np.zeros(1, int)}


def _interval(ranks: np.ndarray) -> dict[str, np.ndarray]:
    with _quiet():
        q = np.nanquantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
        mean = np.nanmean(ranks, axis=1)
    return {"rank_mean": mean, "rank_p05": q[0], "rank_p50": q[1], "rank_p95": q[2]}


@contextmanager
def _quiet():
    """Silence numpy's all-NaN warnings (a unit whose score is missing has no rank in any draw)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _int(col: np.ndarray) -> pd.Series:
    s = pd.Series(col)
    return s.astype("Int64") if s.isna().any() else s.astype(int)


def run_level_uncertainty(res, df, spec: EvaluationSpec, pools, keys, tree: Tree, nominal: dict, scale: float) -> None:
    """Fill ``uncertainty`` (goal), ``level_uncertainty`` (every group), ``sensitivity`` and ``loo``."""
    u = spec.uncertainty
    goal = tree.nodes[tree.goal]
    norms = list(dict.fromkeys([spec.normalise.method] + list(u.normalise)))
    aggs = list(dict.fromkeys([goal.aggregation] + list(u.score)))
    _, _, zs, _ = transformed_and_normalised(df, spec, pools, norms)
    alpha = next((e["args"]["alpha_used"] for e in res.log if e["step"] == "coupling"), None)
    subs = tree.coupling_groups()
    wparams = u.weights.model_dump()
    unc, lev, sens, loo = [], [], [], []
    for pool, (rows, w_nom) in nominal.items():
        labels = df[spec.year_column].iloc[rows].to_numpy() if spec.year_column else np.zeros(rows.size)
        leaves = {n: {c: zs[n].iloc[rows][c].to_numpy(float) for c in spec.codes} for n in norms}
        m = LevelModel(spec, tree, leaves, w_nom, labels, norms, aggs)
        rng = np.random.default_rng(u.seed)
        d = m.draw(u.reps, rng, wparams)
        sc = m.scores(d)
        ranks = {g: rank_rows(s, labels) for g, s in sc.items()}
        base = df.iloc[rows][keys].reset_index(drop=True)
        for g in m.tree.top_down:
            iv = _interval(ranks[g])
            t = base.copy()
            t["node"], t["depth"], t["level"] = g, tree.nodes[g].depth, tree.nodes[g].level
            t["rank_mean"] = iv["rank_mean"]
            for k in ("rank_p05", "rank_p50", "rank_p95"):
                t[k] = _int(iv[k])
            t["p_top_k"] = (ranks[g] <= u.top_k).mean(axis=1)
            t["index"] = rows
            lev.append(t)
        g_tab = lev[-len(m.order)].drop(columns=["node", "depth", "level"])
        if alpha is not None and len(subs) >= 2:
            cls = coupling_classes(np.stack([sc[s] for s in subs]), np.array([alpha[s] for s in subs]),
                                   form=spec.coupling.form, exponent=spec.coupling.exponent,
                                   boundary=spec.coupling.boundary)
            for k, name in enumerate(cp.CLASSES):
                g_tab[f"p_{name}"] = (cls == k).mean(axis=1)
        unc.append(g_tab)
        nom_rank = m.ranks(m.nominal())
        if u.sensitivity:
            sens += [{"pool": str(pool), **r} for r in _sensitivity(m, nom_rank, u.sensitivity_n, u.seed, wparams)]
        if u.loo:
            loo.append(_loo(m, spec, base))
    res.uncertainty = pd.concat(unc).sort_values("index").drop(columns="index").reset_index(drop=True)
    lv = pd.concat(lev)
    order = {g: i for i, g in enumerate(tree.top_down)}
    lv = lv.assign(_o=lv["node"].map(order)).sort_values(["_o", "index"], kind="stable")
    res.level_uncertainty = lv.drop(columns=["_o", "index"]).reset_index(drop=True)
    res.sensitivity = pd.DataFrame(sens)
    res.loo = pd.concat(loo, ignore_index=True) if loo else pd.DataFrame()
    for c in ("rank_p05", "rank_p50", "rank_p95", "p_top_k"):
        res.scores[c] = res.uncertainty[c].to_numpy()
    res.log.append({"step": "uncertainty", "args": {**u.model_dump(mode="json"), "normalise_candidates": norms,
                                                    "score_candidates": aggs, "weights_drawn_at": m.order}})


def _sensitivity(m: LevelModel, nominal_rank: dict, n: int, seed: int, wparams: dict) -> list[dict]:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices of every input for the ranking
    of every level; inputs: each group's child weights, the normalisation and aggregation choices."""
    rng = np.random.default_rng(seed)
    a, b = m.draw(n, rng, wparams), m.draw(n, rng, wparams)
    factors = [(f"weights:{g}", g) for g in m.order]
    if len(m.norms) > 1:
        factors.append(("normalise", "norm"))
    if len(m.aggs) > 1:
        factors.append(("aggregation", "agg"))

    def f(d):
        with _quiet():
            return {g: np.nanmean(np.abs(r - nominal_rank[g]), axis=0) for g, r in m.ranks(d).items()}

    fa, fb = f(a), f(b)
    rows = []
    for name, key in factors:
        ab = {"w": dict(a["w"]), "norm": a["norm"], "agg": a["agg"]}
        if key in ("norm", "agg"):
            ab[key] = b[key]
        else:
            ab["w"][key] = b["w"][key]
        fab = f(ab)
        for g in m.tree.top_down:
            var = np.nanvar(np.r_[fa[g], fb[g]])
            s1 = float(np.nanmean(fb[g] * (fab[g] - fa[g])) / var) if var > 0 else 0.0
            st = float(np.nanmean((fa[g] - fab[g]) ** 2) / (2 * var)) if var > 0 else 0.0
            out = "mean_abs_rank_shift" if g == m.tree.goal else f"mean_abs_rank_shift:{g}"
            rows.append({"input": name, "first_order": s1, "total": st, "n": n, "output": out, "node": g,
                         "level": m.tree.nodes[g].level})
    return rows


def _loo(m: LevelModel, spec: EvaluationSpec, base: pd.DataFrame) -> pd.DataFrame:
    """Goal rank with each indicator's weight set to 0 in its group (the group renormalised; a group
    left empty drops out of its parent); weights are not recomputed."""
    k = len(spec.codes)
    w = {g: np.tile(m.w_nom[g], (k + 1, 1)) for g in m.order}
    for j, code in enumerate(spec.codes):
        g = m.tree.nodes[code].parent
        w[g][j, m.children[g].index(code)] = 0.0
    r = m.ranks({"w": w, "norm": np.zeros(k + 1, int), "agg": np.zeros(k + 1, int)})[m.tree.goal]
    parts = []
    for j, code in enumerate(spec.codes):
        t = base.copy()
        t["indicator"] = code
        t["rank_base"], t["rank_loo"] = _int(r[:, k]), _int(r[:, j])
        t["shift"] = t["rank_loo"] - t["rank_base"]
        parts.append(t)
    return pd.concat(parts, ignore_index=True)
