"""Aggregation family ``score_*`` and the obstacle degree.

Each scorer has a vectorised core over a weight matrix ``W`` (R × k, one weight vector per row)
returning an n × R array, so the Monte Carlo step reuses exactly the code of the nominal result.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import MethodError


def weighted_sum_matrix(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``S = Z Wᵀ`` (n × R): linear additive aggregation for every weight vector at once."""
    return z @ np.atleast_2d(w).T


def geometric_matrix(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``S_ir = Π_j z_ij^{w_rj}`` computed as ``exp(ln Z Wᵀ)``; a zero value gives score 0."""
    if np.nanmin(z) < 0:
        raise MethodError("geometric aggregation needs non-negative normalised values (not zscore)")
    with np.errstate(divide="ignore"):
        lz = np.log(z)
    w2 = np.atleast_2d(w)
    # −inf · 0 would be nan: a zero value only matters where its weight is positive.
    lz_f = np.where(np.isneginf(lz), -1e300, lz)
    out = np.exp(lz_f @ w2.T)
    return np.where(out < 1e-300, 0.0, out)


def topsis_matrix(r: np.ndarray, w: np.ndarray, direction: np.ndarray, *,
                  distance: str = "euclidean") -> np.ndarray:
    """TOPSIS closeness for every weight vector: ``d⁻/(d⁺ + d⁻)`` (n × R).

    ``r`` is the normalised matrix (not yet weighted). Because weights are non-negative, the
    weighted ideal is ``w_j · max_i r_ij`` (benefit) or ``w_j · min_i r_ij`` (cost), so
    ``(d⁺_ir)² = Σ_j w_rj² (r_ij − r⁺_j)²`` (``euclidean``) or ``d⁺_ir = Σ_j w_rj |r_ij − r⁺_j|``
    (``manhattan``, city-block) is one matrix product.
    """
    w1 = np.atleast_2d(w)
    pos = np.where(direction > 0, r.max(axis=0), r.min(axis=0))
    neg = np.where(direction > 0, r.min(axis=0), r.max(axis=0))
    if distance == "euclidean":
        dp = np.sqrt(((r - pos) ** 2) @ (w1 ** 2).T)
        dn = np.sqrt(((r - neg) ** 2) @ (w1 ** 2).T)
    elif distance == "manhattan":
        dp = np.abs(r - pos) @ w1.T
        dn = np.abs(r - neg) @ w1.T
    else:
        raise MethodError(f"TOPSIS: unknown distance {distance!r} (euclidean, manhattan)")
    tot = dp + dn
    return np.divide(dn, tot, out=np.full_like(tot, 0.5), where=tot > 0)


def score_weighted_sum(z: pd.DataFrame, w: pd.Series, *, scale: float = 100.0, **_) -> pd.Series:
    """Weighted sum ``S_i = scale · Σ_j w_j z_ij`` (linear additive aggregation, reported ×100).

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §6.2 (linear aggregation).
    """
    s = weighted_sum_matrix(z[w.index].to_numpy(float), w.to_numpy(float))[:, 0]
    return pd.Series(scale * s, index=z.index, name="score")


def score_geometric(z: pd.DataFrame, w: pd.Series, *, scale: float = 100.0, **_) -> pd.Series:
    """Weighted geometric mean ``S_i = scale · Π_j z_ij^{w_j}`` (weights sum to 1).

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §6.2 (geometric aggregation).
    """
    s = geometric_matrix(z[w.index].to_numpy(float), w.to_numpy(float))[:, 0]
    return pd.Series(scale * s, index=z.index, name="score")


def topsis_input(x: pd.DataFrame, z: pd.DataFrame, direction: pd.Series, norm: str, *,
                 cost: str = "direction") -> tuple[np.ndarray, np.ndarray]:
    """Matrix and directions TOPSIS works on: ``vector`` (type-transformed x, own directions)
    or ``minmax`` (the normalised, benefit-oriented z).

    ``cost`` (vector only) says how cost columns enter: ``direction`` keeps them as they are with the
    ideal at their minimum (Hwang & Yoon 1981); ``max_minus`` turns them into benefit columns
    ``max x − x`` and ``reciprocal`` into ``1/x`` before the vector normalisation (the 正向化 step of
    many Chinese textbooks). Vector normalisation is not affine-invariant, so the three differ.
    """
    if norm == "vector":
        xv = x.to_numpy(float).copy()
        dirs = direction.reindex(x.columns).to_numpy(float)
        if cost != "direction":
            neg = dirs < 0
            if cost == "max_minus":
                xv[:, neg] = xv[:, neg].max(axis=0) - xv[:, neg]
            elif cost == "reciprocal":
                if (xv[:, neg] <= 0).any():
                    raise MethodError("TOPSIS topsis_cost reciprocal needs positive cost values")
                xv[:, neg] = 1.0 / xv[:, neg]
            else:
                raise MethodError(f"TOPSIS: unknown cost convention {cost!r} (direction, max_minus, reciprocal)")
            dirs = np.ones_like(dirs)
        den = np.sqrt((xv ** 2).sum(axis=0))
        r = np.divide(xv, den, out=np.zeros_like(xv), where=den > 0)
        return r, dirs
    if norm == "minmax":
        return z.to_numpy(float), np.ones(z.shape[1])
    raise MethodError(f"TOPSIS: unknown normalisation {norm!r} (vector, minmax)")


def score_topsis(z: pd.DataFrame, w: pd.Series, *, x: pd.DataFrame | None = None,
                 direction: pd.Series | None = None, norm: str = "vector", scale: float = 1.0,
                 distance: str = "euclidean", cost: str = "direction", **_) -> pd.Series:
    """TOPSIS relative closeness to the ideal solution.

    Parameters
    ----------
    z : pandas.DataFrame
        Normalised benefit-oriented table (used when ``norm='minmax'``).
    w : pandas.Series
        Weights (sum 1).
    x : pandas.DataFrame
        Type-transformed raw table (used when ``norm='vector'``).
    direction : pandas.Series
        +1 benefit, −1 cost for ``x``'s columns.
    norm : {"vector", "minmax"}
        ``vector``: ``r_ij = x_ij / √Σ_i x_ij²`` (Hwang & Yoon); ``minmax``: use ``z``.
    distance : {"euclidean", "manhattan"}
        Distance to the ideal and anti-ideal points (Hwang & Yoon: Euclidean).
    cost : {"direction", "max_minus", "reciprocal"}
        How cost columns enter the vector normalisation (see :func:`topsis_input`).

    Notes
    -----
    ``v_ij = w_j r_ij``; ideal ``A⁺`` = best of each column by direction, anti-ideal ``A⁻`` = worst;
    Euclidean ``d⁺_i, d⁻_i``; closeness ``C_i = d⁻_i/(d⁺_i + d⁻_i)`` (0.5 if both distances are 0).
    Invariant to multiplying a column by a positive constant under vector normalisation.

    References
    ----------
    Hwang C.L., Yoon K. (1981) *Multiple Attribute Decision Making: Methods and Applications*,
    Springer (TOPSIS and its aircraft example).
    """
    cols = list(w.index)
    if norm == "vector" and (x is None or direction is None):
        raise MethodError("TOPSIS with vector normalisation needs the type-transformed table and directions")
    xs = x[cols] if x is not None else None
    d = direction.reindex(cols) if direction is not None else None
    r, dirs = topsis_input(xs, z[cols], d, norm, cost=cost)
    c = topsis_matrix(r, w.to_numpy(float), dirs, distance=distance)[:, 0]
    return pd.Series(scale * c, index=z.index, name="score")


SCORERS: dict[str, Callable[..., pd.Series]] = {
    "weighted_sum": score_weighted_sum,
    "geometric": score_geometric,
    "topsis": score_topsis,
}

DEFAULT_SCALE = {"weighted_sum": 100.0, "geometric": 100.0, "topsis": 1.0}


def get_score(name: str, z: pd.DataFrame, w: pd.Series, **params) -> pd.Series:
    """Dispatch to ``score_<name>``; unknown names raise :class:`MethodError`."""
    try:
        fn = SCORERS[name]
    except KeyError:
        raise MethodError(f"unknown aggregation {name!r} (allowed: {', '.join(SCORERS)})") from None
    return fn(z, w, **params)


def obstacle_degree(z: pd.DataFrame, w: pd.Series, groups: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Obstacle degree (障碍度) of each indicator and subsystem for each unit.

    Parameters
    ----------
    z : pandas.DataFrame
        Normalised values in [0, 1] (benefit-oriented).
    w : pandas.Series
        Overall indicator weights (factor contribution F_j; with subsystems, subsystem weight ×
        within-subsystem weight).
    groups : pandas.Series, optional
        Subsystem of each indicator.

    Notes
    -----
    Deviation ``I_ij = 1 − z_ij``; obstacle ``O_ij = F_j I_ij / Σ_j F_j I_ij``; a subsystem's obstacle is
    the sum over its indicators. A unit at the maximum everywhere has no obstacle (all 0).

    References
    ----------
    杨丽, 孙之淳 (2015) 基于熵值法的西部新型城镇化发展水平测评. 经济问题 (3): 115–119 (障碍度模型).
    """
    zz = z[w.index].to_numpy(float)
    contrib = (1.0 - zz) * w.to_numpy(float)
    tot = contrib.sum(axis=1, keepdims=True)
    o = np.divide(contrib, tot, out=np.zeros_like(contrib), where=tot > 0)
    ind = pd.DataFrame(o, index=z.index, columns=w.index)
    sub = ind.T.groupby(groups.reindex(w.index)).sum().T if groups is not None else pd.DataFrame(index=z.index)
    return ind, sub
