"""Structural peers (结构相近地区): which regions resemble a region in structure, not in performance.

The recipe follows the JRC Smart Specialisation Platform's regional benchmarking tool (S3 Platform,
Navarro et al. 2014): structural indicators grouped into dimensions, a skewness correction, z-scores,
each dimension's weight split equally over its indicators, and a weighted squared Euclidean distance.
The skewness ladder below is this project's documented convention (the S3 note does not prescribe one).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, MethodError, Problem

#: the transformation ladder, mildest first (Tukey's ladder of powers, then the logarithm)
SKEW_LADDER = ("none", "sqrt", "cbrt", "log")
SKEW_NAMES = {"none": "不变换", "sqrt": "平方根", "cbrt": "立方根", "log": "自然对数"}
DEFAULT_SKEW_THRESHOLD = 1.0


def skewness(values) -> float:
    """Adjusted Fisher–Pearson sample skewness G1 (as Excel ``SKEW``); 0 for fewer than 3 values or no spread.

    Notes
    -----
    :math:`G_1 = \\frac{\\sqrt{n(n-1)}}{n-2} \\cdot \\frac{m_3}{m_2^{3/2}}` with central moments :math:`m_k`
    (``scipy.stats.skew(x, bias=False)``).
    """
    x = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype=float)
    if x.size < 3 or np.ptp(x) == 0:
        return 0.0
    return float(stats.skew(x, bias=False))


def apply_transform(values: pd.Series, name: str) -> pd.Series:
    """Apply one rung of :data:`SKEW_LADDER` to a column, after reflecting left-skewed data.

    Notes
    -----
    Right-skewed (G1 > 0) data is transformed as is; left-skewed data is first reflected,
    :math:`x' = \\max(x) - x`, so that the same shrinking transforms apply (a reflection leaves all
    pairwise distances unchanged). ``sqrt``/``cbrt``/``log`` need a positive range: when the minimum is
    not positive the column is shifted to :math:`x - \\min(x) + 1` first.
    """
    if name not in SKEW_LADDER:
        raise MethodError(f"unknown skewness transform {name!r}; choose from {SKEW_LADDER}")
    x = pd.Series(values, dtype="float64")
    if name == "none":
        return x
    if skewness(x) < 0:
        x = x.max() - x
    if (name == "log" and x.min() <= 0) or (name != "log" and x.min() < 0):
        x = x - x.min() + 1.0
    return {"sqrt": np.sqrt, "cbrt": np.cbrt, "log": np.log}[name](x)


def correct_skew(values: pd.Series, *, threshold: float = DEFAULT_SKEW_THRESHOLD,
                 ladder: Sequence[str] = SKEW_LADDER) -> tuple[pd.Series, dict]:
    """Pick the mildest transform of ``ladder`` that brings ``|G1|`` to at most ``threshold``.

    Parameters
    ----------
    values : Series
        One structural indicator over the regions (NaN allowed, ignored by the skewness).
    threshold : float
        Largest acceptable absolute skewness (default 1: "highly skewed" beyond ±1, Bulmer 1979).
    ladder : sequence of str
        Candidate transforms, mildest first (default ``none → sqrt → cbrt → log``).

    Returns
    -------
    (Series, dict)
        The transformed column and an audit record ``{transform, skew_before, skew_after}``.

    Notes
    -----
    Rule: take the first rung ``t`` with :math:`|G_1(t(x))| \\le` threshold; if no rung gets there, the rung
    with the smallest :math:`|G_1|` (ties: the milder one).

    References
    ----------
    Navarro M. et al. (2014), *Regional benchmarking in the smart specialisation process: identification of
    reference regions based on structural similarity*, S3 Working Paper 03/2014, JRC-IPTS.
    Bulmer M.G. (1979), *Principles of Statistics*, Dover (|skew| > 1 as highly skewed).
    """
    before = skewness(values)
    best, best_skew, best_name = None, np.inf, ladder[0]
    for name in ladder:
        y = apply_transform(values, name)
        s = skewness(y)
        if abs(s) <= threshold:
            return y, {"transform": name, "skew_before": before, "skew_after": s}
        if abs(s) < best_skew - 1e-12:
            best, best_skew, best_name = y, abs(s), name
    return best, {"transform": best_name, "skew_before": before, "skew_after": skewness(best)}


def indicator_weights(dimensions: Mapping[str, Sequence[str]],
                      dimension_weights: Mapping[str, float] | None = None) -> pd.Series:
    """Weight of each indicator: its dimension's weight split equally over the dimension's indicators.

    Notes
    -----
    :math:`w_k = W_{d(k)} / n_{d(k)}` with :math:`W_d = 1/D` unless given (given weights are rescaled to sum
    to 1). The weights sum to 1.
    """
    dims = {d: list(c) for d, c in dimensions.items() if len(c)}
    if not dims:
        raise MethodError("structural distance needs at least one dimension with indicators")
    raw = {d: float((dimension_weights or {}).get(d, 1.0)) for d in dims}
    if any(v < 0 for v in raw.values()) or sum(raw.values()) <= 0:
        raise MethodError(f"dimension weights must be non-negative and not all zero, got {raw}")
    total = sum(raw.values())
    w = {}
    for d, codes in dims.items():
        for c in codes:
            if c in w:
                raise MethodError(f"indicator {c!r} is listed in more than one dimension")
            w[c] = raw[d] / total / len(codes)
    return pd.Series(w, name="weight")


def structural_distance(table: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *,
                        dimension_weights: Mapping[str, float] | None = None,
                        skew_threshold: float | None = DEFAULT_SKEW_THRESHOLD,
                        ladder: Sequence[str] = SKEW_LADDER) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairwise weighted squared Euclidean distance between regions on z-scored structural indicators.

    Parameters
    ----------
    table : DataFrame
        One row per region (index = region code), one column per indicator; no missing values.
    dimensions : mapping
        Dimension name → indicator columns (e.g. ``{"人口": ["population"], "经济": ["gdp_pc"]}``).
    dimension_weights : mapping, optional
        Dimension name → weight (default: equal).
    skew_threshold : float or None
        Skewness correction with :func:`correct_skew` (None: no correction).

    Returns
    -------
    (distances, audit)
        ``distances``: square DataFrame (regions × regions, 0 on the diagonal, symmetric);
        ``audit``: per indicator ``indicator, dimension, weight, transform, skew_before, skew_after, mean, sd``.

    Notes
    -----
    :math:`z_{ik} = (t_k(x_{ik}) - \\bar t_k)/s_k` (sample sd, ddof = 1);
    :math:`d_{ij} = \\sum_k w_k (z_{ik} - z_{jk})^2`. An indicator without spread (s = 0) contributes 0.
    """
    weights = indicator_weights(dimensions, dimension_weights)
    cols = list(weights.index)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise DataError([Problem("structural indicator column missing from the table", column=c) for c in missing])
    x = table[cols].apply(pd.to_numeric, errors="coerce").astype("float64")
    holes = [Problem("missing value in a structural indicator", column=c, value=str(r))
             for c in cols for r in x.index[x[c].isna()]]
    if holes:
        raise DataError(holes)
    if len(x) < 2:
        raise MethodError("structural distance needs at least two regions")
    dim_of = {c: d for d, cs in dimensions.items() for c in cs}
    z = pd.DataFrame(index=x.index)
    audit = []
    for c in cols:
        if skew_threshold is None:
            t, rec = x[c], {"transform": "none", "skew_before": skewness(x[c]), "skew_after": skewness(x[c])}
        else:
            t, rec = correct_skew(x[c], threshold=skew_threshold, ladder=ladder)
        mean, sd = float(t.mean()), float(t.std(ddof=1))
        z[c] = (t - mean) / sd if sd > 0 else 0.0
        audit.append({"indicator": c, "dimension": dim_of[c], "weight": float(weights[c]), **rec, "mean": mean, "sd": sd})
    zv = z.to_numpy()
    diff = zv[:, None, :] - zv[None, :, :]
    d = (diff ** 2 * weights.to_numpy()[None, None, :]).sum(axis=2)
    dist = pd.DataFrame(d, index=x.index.astype(str), columns=x.index.astype(str))
    return dist, pd.DataFrame(audit)


def nearest_peers(distances: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """The ``k`` nearest peers of every region from a square distance table.

    Returns
    -------
    DataFrame
        ``region_code, peer_code, rank, distance`` (rank 1 = most similar; ties broken by code for a
        stable order).
    """
    if k < 1:
        raise MethodError(f"k must be ≥ 1, got {k}")
    long = pairwise_long(distances, k)
    return long[long["nearest"]][["region_code", "peer_code", "rank", "distance"]].reset_index(drop=True)


def pairwise_long(distances: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Every ordered pair ``region_code, peer_code, distance, rank, nearest`` (``nearest``: rank ≤ k)."""
    rows = []
    for r in distances.index:
        d = sorted(distances.loc[r].drop(r).items(), key=lambda kv: (kv[1], str(kv[0])))
        rows.extend({"region_code": str(r), "peer_code": str(p), "distance": float(v), "rank": i + 1,
                     "nearest": i < k} for i, (p, v) in enumerate(d))
    return pd.DataFrame(rows, columns=["region_code", "peer_code", "distance", "rank", "nearest"])
