"""Indicator and subsystem weights of the engine: one weighting method per subsystem and pool
group, for the primary method and every compared method (all through :mod:`iplayout.methods.weights`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError, SpecError
from ..methods.weights import ahp, get_weights, weights_ahp
from .spec import EvaluationSpec

ALL = "_all"
#: weighting methods computed from the data (they need at least two units to compare)
DATA_DRIVEN = {"entropy", "critic", "cv", "pca", "combined"}
#: key of ``weights.ahp`` holding the pairwise matrix over the subsystems (``weights.subsystems: ahp``)
SUBSYSTEMS_KEY = "_subsystems"


def subsystem_of(spec: EvaluationSpec) -> pd.Series:
    return pd.Series({i.code: (i.subsystem or ALL) for i in spec.indicators})


def _entropy_params(spec: EvaluationSpec, cols: list[str]) -> dict:
    w = spec.weights
    # middle/interval scores are "bounded": eps_shrink only moves their exact 0 and 1 (see methods)
    kept = w.on == "raw" or spec.normalise.bounded_policy == "keep"
    bounded = pd.Series({i.code: i.type in ("middle", "interval") and kept for i in spec.indicators}).reindex(cols)
    return {"zero": w.entropy_zero, "eps": w.entropy_eps, "shift": w.entropy_shift, "k": w.entropy_k,
            "bounded": bounded}


def _weights_for(method: str, z: pd.DataFrame, spec: EvaluationSpec, sub: str) -> pd.Series:
    w = spec.weights
    fixed = {i.code: i.weight for i in spec.indicators if i.weight is not None}
    if method == "entropy":
        return get_weights("entropy", z, **_entropy_params(spec, list(z.columns)))
    if method == "critic":
        return get_weights("critic", z, ddof=w.ddof, corr=w.critic_corr)
    if method == "cv":
        return get_weights("cv", z, ddof=w.ddof)
    if method == "pca":
        return get_weights("pca", z, variance=w.pca_variance)
    if method == "fixed":
        return get_weights("fixed", z, weights=fixed)
    if method in ("ahp", "combined") and (method == "ahp" or w.combined.subjective == "ahp"):
        if sub not in w.ahp:
            raise SpecError(f"weights.ahp has no pairwise matrix for subsystem {sub!r}")
        ahp_args = w.ahp[sub].model_dump()
        if method == "ahp":
            return get_weights("ahp", z, **ahp_args)
        subjective = {"ahp": ahp_args}
    elif method == "combined":
        subjective = {"fixed": fixed}
    else:
        return get_weights(method, z)
    c = w.combined
    obj_params = {"entropy": _entropy_params(spec, list(z.columns)), "pca": {"variance": w.pca_variance},
                  "critic": {"ddof": w.ddof, "corr": w.critic_corr}, "cv": {"ddof": w.ddof}}
    return get_weights("combined", z, subjective=subjective, objective=c.objective,
                       objective_params=obj_params.get(c.objective, {}), rule=c.rule, alpha=c.alpha)


def compute_weights(z: pd.DataFrame, spec: EvaluationSpec, pools: np.ndarray,
                    raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Within-subsystem weights per pool group for the primary and any compared methods.

    With ``weights.on: raw`` the data-driven methods see ``raw`` (the type-transformed table:
    middle/interval scores, benefit and cost columns as given) instead of the normalised ``z``.
    """
    if spec.weights.on == "raw":
        if raw is None:
            raise SpecError("weights.on raw needs the type-transformed table")
        z = raw
    subs = subsystem_of(spec)
    beta = subsystem_weights(spec)
    methods = [spec.weights.method] + [m for m in spec.weights.compare if m != spec.weights.method]
    rows = []
    for pool in pd.unique(pools):
        zp = z.loc[pools == pool]
        for m in methods:
            if len(zp) < 2 and m in DATA_DRIVEN:
                raise MethodError(f"{m} weights compare units, but pool {pool!r} has {len(zp)} unit: at least 2 "
                                  "are needed (use fixed or equal weights, or pool the years)")
            if spec.weights.scope == "all":
                # one weighting over every indicator; a subsystem's weight is the sum of its indicators'
                wa = _weights_for(m, zp[spec.codes], spec, ALL)
            for s in pd.unique(subs):
                cols = list(subs.index[subs == s])
                if spec.weights.scope == "all":
                    share = float(wa[cols].sum())
                    w = wa[cols] / share if share > 0 else pd.Series(1.0 / len(cols), index=cols)
                    g = wa[cols]
                else:
                    w = _weights_for(m, zp[cols], spec, s)
                    g = w * beta[s]
                for c in cols:
                    rows.append({"pool": str(pool), "subsystem": s, "indicator": c, "method": m,
                                 "weight": float(w[c]), "global_weight": float(g[c]),
                                 "primary": m == spec.weights.method})
    return pd.DataFrame(rows)


def _ahp_consistency(spec: EvaluationSpec) -> dict:
    """λ_max, CI, RI and CR of every AHP matrix in use (reported in the log)."""
    w = spec.weights
    if not (w.method == "ahp" or (w.method == "combined" and w.combined.subjective == "ahp")
            or w.subsystems == "ahp"):
        return {}
    subs = subsystem_of(spec)
    out = {}
    for s, a in w.ahp.items():
        if s == SUBSYSTEMS_KEY:
            labels = a.order or [x.code for x in spec.subsystems]
        else:
            labels = a.order or list(subs.index[subs == s])
        r = ahp(a.matrix, labels, method=a.method, lambda_max=a.lambda_max, ri=a.ri)
        out[s] = {"n": len(labels), "lambda_max": r.lambda_max, "ci": r.ci, "ri": r.ri, "cr": r.cr,
                  "method": a.method, "lambda_convention": a.lambda_max}
    return {"ahp_consistency": out}


def rescale_notes(spec: EvaluationSpec, *, tol: float = 1e-9) -> list[str]:
    """Say where given weights do not sum to 1 and are therefore rescaled (``w_j / Σ w``).

    Fixed indicator weights are normalised within each subsystem (or over all indicators with
    ``weights.scope: all``), fixed subsystem weights over the subsystems. Rescaling is the convention
    (weights given as percentages or points mean their shares), but it changes the numbers the user
    typed, so each case is stated in the log and by the CLI.
    """
    notes = []
    w = spec.weights
    if w.method == "fixed" or (w.method == "combined" and w.combined.subjective == "fixed"):
        groups: dict[str, list] = {}
        for i in spec.indicators:
            groups.setdefault(i.subsystem if w.scope == "subsystem" and i.subsystem else ALL, []).append(i)
        for g, members in groups.items():
            total = sum(float(i.weight) for i in members)
            if abs(total - 1) > tol:
                where = "all indicators" if g == ALL else f"subsystem {g}"
                notes.append(f"fixed weights of {where} sum to {total:g}, not 1: rescaled to w_j / {total:g} "
                             f"(固定权重之和为 {total:g}，已按比例归一化)")
    if w.subsystems == "fixed" and spec.subsystems:
        total = sum(float(s.weight) for s in spec.subsystems)
        if abs(total - 1) > tol:
            notes.append(f"fixed subsystem weights sum to {total:g}, not 1: rescaled to β_s / {total:g} "
                         f"(子系统权重之和为 {total:g}，已按比例归一化)")
    return notes


def subsystem_weights(spec: EvaluationSpec) -> pd.Series:
    """Weights β_s of the subsystems in the overall score: equal, fixed (``subsystems[].weight``) or
    AHP over the subsystems (matrix under ``weights.ahp._subsystems``; CR checked like any AHP)."""
    if not spec.subsystems:
        return pd.Series({ALL: 1.0})
    codes = [s.code for s in spec.subsystems]
    if spec.weights.subsystems == "fixed":
        b = pd.Series({s.code: float(s.weight) for s in spec.subsystems})
    elif spec.weights.subsystems == "ahp":
        a = spec.weights.ahp[SUBSYSTEMS_KEY]
        frame = pd.DataFrame(columns=codes, dtype=float)
        b = weights_ahp(frame, **a.model_dump())
    else:
        b = pd.Series(1.0, index=[s.code for s in spec.subsystems])
    if b.sum() <= 0:
        raise SpecError("subsystem weights sum to 0")
    return b / b.sum()
