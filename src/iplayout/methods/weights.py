"""Weighting family ``weights_*``: ``weights_<name>(z, **conventions) -> Series`` summing to 1.

``z`` is the normalised, benefit-oriented table (units × indicators) of one subsystem (or of all
indicators when there are no subsystems).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import MethodError

#: Saaty's random consistency index RI for n = 1…15 (Saaty 1980, *The Analytic Hierarchy Process*, Table 1.7;
#: n = 11…15 from Saaty 1994, *Fundamentals of Decision Making*).
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
            11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59}


def _normalised(w: pd.Series, method: str) -> pd.Series:
    total = w.sum()
    if not np.isfinite(total) or total <= 0:
        # Every column carries no information: fall back to equal weights, stated in the name.
        return pd.Series(1.0 / len(w), index=w.index, name=f"{method}(all zero → equal)")
    return (w / total).rename(method)


def weights_equal(z: pd.DataFrame) -> pd.Series:
    """Equal weights ``w_j = 1/k``."""
    return pd.Series(1.0 / z.shape[1], index=z.columns, name="equal")


def _eps_shrink_columns(x: np.ndarray, eps: float, bounded: np.ndarray) -> np.ndarray:
    """``ε + (1 − 2ε)·(x − min)/(max − min)`` per column; bounded columns: 0 → ε, 1 → 1 − ε only."""
    if not 0 < eps < 0.5:
        raise MethodError(f"entropy eps_shrink: eps must be in (0, 0.5), got {eps}")
    out = x.copy()
    lo, hi = x.min(axis=0), x.max(axis=0)
    for j in range(x.shape[1]):
        if bounded[j]:
            out[:, j] = np.where(x[:, j] == 0, eps, np.where(x[:, j] == 1, 1 - eps, x[:, j]))
        elif hi[j] > lo[j]:
            out[:, j] = eps + (1 - 2 * eps) * (x[:, j] - lo[j]) / (hi[j] - lo[j])
        # a constant column stays constant: it has e = 1 whatever its value
    return out


def weights_entropy(z: pd.DataFrame, *, zero: str = "zero_log", eps: float = 0.01,
                    shift: float = 0.01, k: float | None = None,
                    bounded: pd.Series | None = None) -> pd.Series:
    """Entropy weights (熵权法).

    Parameters
    ----------
    z : pandas.DataFrame
        Non-negative, benefit-oriented values (n units × k indicators).
    zero : {"zero_log", "eps_shrink", "eps_replace", "shift"}
        Zero handling: ``zero_log`` takes 0·ln 0 = 0; ``eps_shrink`` min–max rescales each column
        into [ε, 1 − ε] before the entropy (the ``eps_shrink`` normalisation: columns flagged in
        ``bounded`` are not rescaled, only exact 0 → ε and 1 → 1 − ε); ``eps_replace`` replaces
        exact zeros by ``eps`` and leaves other values as they are; ``shift`` adds ``shift`` to every
        value (平移法).
    k : float, optional
        Entropy constant in ``e_j = −k Σ p ln p``; default ``1/ln n`` (so that 0 ≤ e ≤ 1).
    bounded : pandas.Series, optional
        True for columns already in [0, 1] after a middle/interval transform (``eps_shrink`` only).

    Notes
    -----
    ``p_ij = x'_ij / Σ_i x'_ij``, ``e_j = −k Σ_i p_ij ln p_ij`` with ``k = 1/ln n``,
    ``w_j = (1 − e_j)/Σ_j (1 − e_j)``. A constant column has ``e_j = 1`` and gets weight 0; a column
    summing to 0 is treated as constant.

    References
    ----------
    Shannon C.E. (1948); Hwang C.L., Yoon K. (1981) *Multiple Attribute Decision Making*, Springer,
    (entropy method of attribute weighting); 郭显光 (1998) 财贸研究 (5): 56–60.
    """
    x = z.to_numpy(dtype=float).copy()
    n = x.shape[0]
    if n < 2:
        raise MethodError("entropy weights need at least 2 units")
    if np.nanmin(x) < 0:
        raise MethodError("entropy weights need non-negative values (use minmax/eps_shrink normalisation)")
    if zero == "shift":
        x = x + shift
    elif zero == "eps_shrink":
        x = _eps_shrink_columns(x, eps, bounded.reindex(z.columns).to_numpy(bool) if bounded is not None
                                else np.zeros(x.shape[1], bool))
    elif zero == "eps_replace":
        x = np.where(x == 0, eps, x)
    elif zero != "zero_log":
        raise MethodError(f"entropy: unknown zero handling {zero!r} (zero_log, eps_shrink, eps_replace, shift)")
    col = x.sum(axis=0)
    safe = np.where(col > 0, col, 1.0)
    p = np.where(col > 0, x / safe, 1.0 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    kk = 1.0 / np.log(n) if k is None else float(k)
    e = -kk * plogp.sum(axis=0)
    d = np.clip(1.0 - e, 0.0, None)
    return _normalised(pd.Series(d, index=z.columns), "entropy")


def weights_critic(z: pd.DataFrame, *, ddof: int = 1, corr: str = "signed") -> pd.Series:
    """CRITIC weights (CRiteria Importance Through Intercriteria Correlation).

    Parameters
    ----------
    ddof : int
        Delta degrees of freedom of σ (1: sample sd, 0: population sd).
    corr : {"signed", "abs"}
        Conflict term ``Σ_k (1 − r_jk)`` (Diakoulaki et al. 1995) or ``Σ_k (1 − |r_jk|)`` (a common
        variant that treats strong negative correlation as redundancy, not conflict).

    Notes
    -----
    ``C_j = σ_j Σ_k (1 − r_jk)``, ``w_j = C_j / Σ C``, with σ the standard deviation (``ddof``) of the
    normalised column and r the Pearson correlation; a constant column has σ = 0 and weight 0.

    References
    ----------
    Diakoulaki D., Mavrotas G., Papayannakis L. (1995) Determining objective weights in multiple
    criteria problems: the CRITIC method. *Computers & Operations Research* 22(7): 763–770.
    """
    x = z.to_numpy(dtype=float)
    sd = x.std(axis=0, ddof=ddof)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.corrcoef(x, rowvar=False)
    r = np.nan_to_num(np.atleast_2d(r), nan=0.0)
    if corr == "abs":
        r = np.abs(r)
    elif corr != "signed":
        raise MethodError(f"CRITIC: unknown correlation convention {corr!r} (signed, abs)")
    c = sd * (1.0 - r).sum(axis=0)
    return _normalised(pd.Series(c, index=z.columns), "critic")


def weights_cv(z: pd.DataFrame, *, ddof: int = 1) -> pd.Series:
    """Coefficient-of-variation weights (变异系数法): ``w_j ∝ σ_j / |mean_j|``.

    References
    ----------
    Shuai D., Zongzhun Z., Yongji W., Lei L. (2012) A new angular method to determine the objective
    weights. 24th Chinese Control and Decision Conference (CCDC), pp. 3889–3892 (CV weights example).
    """
    mean = z.mean().abs()
    if (mean == 0).any():
        bad = list(mean.index[mean == 0])
        raise MethodError(f"cv weights: zero mean in {bad} (use minmax/eps_shrink, not zscore)")
    return _normalised(z.std(ddof=ddof) / mean, "cv")


def weights_pca(z: pd.DataFrame, *, variance: float = 0.85) -> pd.Series:
    """Principal-component weights.

    Notes
    -----
    Eigen-decompose the correlation matrix; keep the first m components whose cumulative
    explained variance reaches ``variance``; ``w_j ∝ Σ_k λ_k |v_jk| / Σ_k λ_k`` (convention
    "eigenvector_abs": variance-weighted absolute eigenvector loadings), then normalise.

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §6.1 (PCA/FA weights).
    """
    x = z.to_numpy(dtype=float)
    sd = x.std(axis=0, ddof=1)
    keep = sd > 0
    w = np.zeros(x.shape[1])
    if keep.sum() == 1:
        w[keep] = 1.0
    elif keep.sum() > 1:
        r = np.corrcoef(x[:, keep], rowvar=False)
        lam, vec = np.linalg.eigh(r)
        order = np.argsort(lam)[::-1]
        lam, vec = np.clip(lam[order], 0, None), vec[:, order]
        share = np.cumsum(lam) / lam.sum()
        m = int(np.searchsorted(share, variance - 1e-12) + 1)
        w[keep] = (np.abs(vec[:, :m]) * lam[:m]).sum(axis=1) / lam[:m].sum()
    return _normalised(pd.Series(w, index=z.columns), "pca")


def weights_fixed(z: pd.DataFrame, *, weights: dict[str, float]) -> pd.Series:
    """Fixed / expert weights from the spec, renormalised to sum to 1 over ``z``'s columns."""
    missing = [c for c in z.columns if c not in weights]
    if missing:
        raise MethodError(f"fixed weights missing for {missing}")
    w = pd.Series({c: float(weights[c]) for c in z.columns})
    if (w < 0).any():
        raise MethodError(f"fixed weights must be non-negative: {w[w < 0].to_dict()}")
    return _normalised(w, "fixed")


@dataclass(frozen=True)
class AHPResult:
    """AHP priority vector with its consistency statistics."""

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float


def ahp(matrix: np.ndarray | list, labels: list[str], *, method: str = "eigen",
        lambda_max: str = "eigenvalue", ri: float | None = None) -> AHPResult:
    """Priorities and consistency of a pairwise comparison matrix.

    Parameters
    ----------
    method : {"eigen", "geometric", "arithmetic"}
        Priority vector: principal right eigenvector (Saaty); normalised row geometric means
        (方根法); or the row means of the column-normalised matrix (和积法).
    lambda_max : {"eigenvalue", "mean_ratio"}
        ``eigenvalue``: the principal eigenvalue of A; ``mean_ratio``: ``(1/n) Σ_i (A w)_i / w_i``
        with the chosen priority vector w (the textbook hand calculation; equal to the eigenvalue
        when ``method='eigen'``).
    ri : float, optional
        Random index overriding Saaty's table (for a paper that uses another RI table).

    Notes
    -----
    ``CI = (λ_max − n)/(n − 1)``, ``CR = CI/RI(n)`` with Saaty's RI (:data:`SAATY_RI`); CR = 0 when
    n ≤ 2 or RI = 0.

    References
    ----------
    Saaty T.L. (1980) *The Analytic Hierarchy Process*, McGraw-Hill; Saaty T.L. (1977) A scaling
    method for priorities in hierarchical structures. *J. Math. Psychology* 15: 234–281;
    司守奎, 孙兆亮 (2015) 数学建模算法与应用 (第2版), §9.1 (和积法, 方根法).
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if a.ndim != 2 or a.shape != (n, n) or n != len(labels):
        raise MethodError(f"AHP matrix must be {len(labels)}×{len(labels)}, got {a.shape}")
    if (a <= 0).any():
        raise MethodError("AHP matrix entries must be positive")
    if not np.allclose(a * a.T, 1.0, rtol=1e-3):
        i, j = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=1e-3))[0]
        raise MethodError(f"AHP matrix is not reciprocal at ({labels[i]}, {labels[j]}): "
                          f"{a[i, j]} × {a[j, i]} ≠ 1")
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    if method == "eigen":
        v = np.abs(vecs[:, k].real)
    elif method == "geometric":
        v = np.exp(np.log(a).mean(axis=1))
    elif method == "arithmetic":
        v = (a / a.sum(axis=0)).mean(axis=1)
    else:
        raise MethodError(f"AHP: unknown method {method!r} (eigen, geometric, arithmetic)")
    v = v / v.sum()
    if lambda_max == "mean_ratio":
        lam = float(np.mean(a @ v / v))
    elif lambda_max != "eigenvalue":
        raise MethodError(f"AHP: unknown lambda_max convention {lambda_max!r} (eigenvalue, mean_ratio)")
    w = pd.Series(v, index=labels, name="ahp")
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    if ri is None:
        ri = SAATY_RI.get(n)
        if ri is None:
            raise MethodError(f"AHP: no random index for n = {n} (max 15); give 'ri'")
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(w, lam, ci, float(ri), cr)


def weights_ahp(z: pd.DataFrame, *, matrix: list, order: list[str] | None = None, method: str = "eigen",
                lambda_max: str = "eigenvalue", ri: float | None = None,
                cr_max: float = 0.1, allow_inconsistent: bool = False) -> pd.Series:
    """AHP weights for ``z``'s columns; ``CR ≥ cr_max`` raises unless ``allow_inconsistent``."""
    labels = list(order) if order else list(z.columns)
    res = ahp(matrix, labels, method=method, lambda_max=lambda_max, ri=ri)
    if res.cr >= cr_max and not allow_inconsistent:
        raise MethodError(f"AHP consistency ratio CR = {res.cr:.4f} ≥ {cr_max} for {labels} "
                          "(revise the judgements or set allow_inconsistent: true)")
    w = res.weights.reindex(z.columns)
    if w.isna().any():
        raise MethodError(f"AHP matrix lacks indicators {list(w.index[w.isna()])}")
    return _normalised(w, "ahp")


def combine_weights(subjective: pd.Series, objective: pd.Series, *, rule: str = "multiplicative",
                    alpha: float = 0.5) -> pd.Series:
    """Combine subjective and objective weights (主客观组合赋权).

    Notes
    -----
    ``multiplicative``: ``w_j = s_j o_j / Σ s o``; ``linear``: ``w_j = α s_j + (1 − α) o_j``.

    References
    ----------
    Wang Y.-M., Parkan C. (2006) A general multiple attribute decision-making approach for
    integrating subjective preferences and objective information. *Fuzzy Sets Syst.* 157: 1333–1345.
    """
    s, o = subjective.reindex(objective.index), objective
    if rule == "multiplicative":
        return _normalised(s * o, "combined")
    if rule == "linear":
        if not 0 <= alpha <= 1:
            raise MethodError(f"combined weights: alpha must be in [0, 1], got {alpha}")
        return _normalised(alpha * s + (1 - alpha) * o, "combined")
    raise MethodError(f"combined weights: unknown rule {rule!r} (multiplicative, linear)")


def weights_combined(z: pd.DataFrame, *, subjective: dict, objective: str = "entropy",
                     objective_params: dict | None = None, rule: str = "multiplicative",
                     alpha: float = 0.5) -> pd.Series:
    """Combined weights: ``subjective`` is ``{"fixed": {...}}`` or ``{"ahp": {matrix, ...}}``."""
    if "fixed" in subjective:
        s = weights_fixed(z, weights=subjective["fixed"])
    elif "ahp" in subjective:
        s = weights_ahp(z, **subjective["ahp"])
    else:
        raise MethodError("combined weights: subjective must give 'fixed' or 'ahp'")
    o = get_weights(objective, z, **(objective_params or {}))
    return combine_weights(s, o, rule=rule, alpha=alpha)


WEIGHTERS: dict[str, Callable[..., pd.Series]] = {
    "equal": weights_equal,
    "entropy": weights_entropy,
    "critic": weights_critic,
    "cv": weights_cv,
    "pca": weights_pca,
    "fixed": weights_fixed,
    "ahp": weights_ahp,
    "combined": weights_combined,
}


def get_weights(name: str, z: pd.DataFrame, **params) -> pd.Series:
    """Dispatch to ``weights_<name>``; unknown names raise :class:`MethodError`."""
    try:
        fn = WEIGHTERS[name]
    except KeyError:
        raise MethodError(f"unknown weighting {name!r} (allowed: {', '.join(WEIGHTERS)})") from None
    return fn(z, **params)
