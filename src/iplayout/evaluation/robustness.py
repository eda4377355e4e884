"""Uncertainty step of the engine: Monte Carlo rank intervals, class probabilities, sensitivity
indices and leave-one-indicator-out shifts (all through :mod:`iplayout.methods.uncertainty`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..methods import coupling as cp
from ..methods.scores import topsis_input
from ..methods.uncertainty import (CompositeModel, evaluate_draws, leave_one_out, monte_carlo, rank_within,
                                   sensitivity_indices)
from .preprocess import transformed_and_normalised
from .spec import EvaluationSpec
from .tree import TWO_LEVEL_GOAL, level_name
from .weighting import subsystem_of

ALL = "_all"


def _unique(seq):
    return list(dict.fromkeys(seq))


def build_models(df, spec: EvaluationSpec, pools, x, direction, primary) -> list[tuple[str, np.ndarray, CompositeModel]]:
    """One :class:`CompositeModel` per pool group (rows share normalisation and ideal points)."""
    u = spec.uncertainty
    norms = _unique([spec.normalise.method] + list(u.normalise))
    aggs = _unique([spec.score.method] + list(u.score))
    _, _, zs, _ = transformed_and_normalised(df, spec, pools, norms)
    subs = subsystem_of(spec)
    sub_codes = list(pd.unique(subs))
    groups = np.array([sub_codes.index(subs[c]) for c in spec.codes])
    coupling = None
    if len(spec.subsystems) >= 2 and spec.coupling.enabled:
        coupling = {"form": spec.coupling.form, "boundary": spec.coupling.boundary,
                    "rescale": spec.coupling.rescale, "alpha": None,
                    "exponent": spec.coupling.exponent}
    models = []
    for pool in pd.unique(pools):
        rows = np.flatnonzero(pools == pool)
        xr = x.iloc[rows][spec.codes]
        r, dirs = topsis_input(xr, xr, direction.reindex(spec.codes), "vector", cost=spec.score.topsis_cost)
        pp = primary[primary.pool == str(pool)]
        wp = pp.set_index("indicator")["weight"].reindex(spec.codes)
        # β from the weights table: the spec's subsystem weights, or Σ_{j∈s} w_j under weights.scope all
        beta = pp.groupby("subsystem")["global_weight"].sum().reindex(sub_codes).to_numpy(float)
        labels = df[spec.year_column].iloc[rows].to_numpy() if spec.year_column else np.zeros(rows.size)
        m = CompositeModel(z={n: zs[n].iloc[rows][spec.codes].to_numpy(float) for n in norms},
                           topsis_r=r, topsis_dir=dirs, groups=groups, w_base=wp.to_numpy(float), beta=beta,
                           rank_groups=labels, topsis_norm=spec.score.topsis_norm,
                           topsis_distance=spec.score.topsis_distance,
                           u_scaled=spec.weights.scope == "all" and spec.score.method == "weighted_sum",
                           coupling=dict(coupling) if coupling else None, norms=norms, aggs=aggs)
        models.append((str(pool), rows, m))
    return models


def run_uncertainty(res, df, spec: EvaluationSpec, pools, keys, x, direction, primary) -> None:
    """Fill ``res.uncertainty``, ``res.sensitivity`` and ``res.loo`` and add rank intervals to ``res.scores``."""
    u = spec.uncertainty
    models = build_models(df, spec, pools, x, direction, primary)
    group_names = list(pd.unique(subsystem_of(spec)))  # index → code of the weight groups
    alpha = None
    for entry in res.log:
        if entry["step"] == "coupling":
            alpha = entry["args"]["alpha_used"]
    unc_parts, sens_rows, loo_parts, sub_draws = [], [], [], []
    for pool, rows, m in models:
        if m.coupling is not None:
            sub_codes = [s.code for s in spec.subsystems]
            m.coupling["alpha"] = np.array([alpha[s] for s in sub_codes])
        nominal = evaluate_draws(m, m.w_base[None, :], np.zeros(1, int), np.zeros(1, int))["rank"][:, 0]
        mc = monte_carlo(m, reps=u.reps, seed=u.seed, weights=u.weights.model_dump(), keep_u=True)
        ranks = mc["rank"]
        q = np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
        tab = df.iloc[rows][keys].reset_index(drop=True)
        tab["rank_mean"] = ranks.mean(axis=1)
        tab["rank_p05"], tab["rank_p50"], tab["rank_p95"] = q[0].astype(int), q[1].astype(int), q[2].astype(int)
        tab["p_top_k"] = (ranks <= u.top_k).mean(axis=1)
        if "class" in mc:
            for k, name in enumerate(cp.CLASSES):
                tab[f"p_{name}"] = (mc["class"] == k).mean(axis=1)
        tab["index"] = rows
        unc_parts.append(tab)
        if "u" in mc:  # rank intervals of the subsystems from the same draws (level_uncertainty)
            sub_draws.append((rows, mc["u"], m.rank_groups))
        if u.sensitivity:
            for row in sensitivity_indices(m, nominal, n=u.sensitivity_n, seed=u.seed, weights=u.weights.model_dump()):
                kind, _, idx = row["input"].partition(":")
                if kind == "weights":
                    row["input"] = f"weights:{group_names[int(idx)]}"
                sens_rows.append({"pool": pool, **row})
        if u.loo:
            loo_r, base = leave_one_out(m, spec.normalise.method, spec.score.method)
            for j, code in enumerate(spec.codes):
                t = df.iloc[rows][keys].reset_index(drop=True)
                t["indicator"] = code
                t["rank_base"] = base.astype(int)
                t["rank_loo"] = loo_r[:, j].astype(int)
                t["shift"] = t["rank_loo"] - t["rank_base"]
                loo_parts.append(t)
    unc = pd.concat(unc_parts).sort_values("index").drop(columns="index").reset_index(drop=True)
    res.uncertainty = unc
    res.sensitivity = pd.DataFrame(sens_rows)
    res.loo = pd.concat(loo_parts, ignore_index=True) if loo_parts else pd.DataFrame()
    for c in ("rank_p05", "rank_p50", "rank_p95", "p_top_k"):
        res.scores[c] = unc[c].to_numpy()
    res.level_uncertainty = _level_intervals(unc, sub_draws, df, spec, keys)
    res.log.append({"step": "uncertainty", "args": {**u.model_dump(mode="json"),
                                                    "normalise_candidates": models[0][2].norms,
                                                    "score_candidates": models[0][2].aggs}})


def _level_intervals(unc: pd.DataFrame, sub_draws: list, df, spec: EvaluationSpec, keys) -> pd.DataFrame:
    """Rank intervals of the goal (the ``uncertainty`` table) and of each subsystem (its U in the same
    draws, ranked within the year) — the ``level_uncertainty`` table of a two-level spec."""
    cols = ["rank_mean", "rank_p05", "rank_p50", "rank_p95", "p_top_k"]
    goal = unc[keys + cols].assign(node=TWO_LEVEL_GOAL, depth=0, level=level_name(0))
    parts = [goal]
    codes = [s.code for s in spec.subsystems]
    for k, code in enumerate(codes):
        sub = []
        for rows, u, labels in sub_draws:
            ranks = rank_within(u[k], labels)
            q = np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
            t = df.iloc[rows][keys].reset_index(drop=True)
            t["rank_mean"] = ranks.mean(axis=1)
            t["rank_p05"], t["rank_p50"], t["rank_p95"] = q[0].astype(int), q[1].astype(int), q[2].astype(int)
            t["p_top_k"] = (ranks <= spec.uncertainty.top_k).mean(axis=1)
            t["index"] = rows
            sub.append(t)
        if sub:
            tab = pd.concat(sub).sort_values("index").drop(columns="index")
            parts.append(tab.assign(node=code, depth=1, level=level_name(1)))
    out = pd.concat(parts, ignore_index=True)
    return out[keys + ["node", "depth", "level"] + cols]
