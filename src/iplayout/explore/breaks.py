"""Class breaks for the explorer's choropleth legend: quantiles, natural breaks (Jenks), fixed intervals.

Each function returns the *upper bounds* of the classes, ascending, the last equal to the maximum, so a
value ``x`` falls in the first class whose bound is ``≥ x`` (the convention of PySAL ``mapclassify``).
NaN values are ignored; fewer distinct values than classes give fewer classes.
"""
from __future__ import annotations

import numpy as np

SCHEMES = ("quantile", "jenks", "fixed")
SCHEME_NAMES = {"quantile": "分位数", "jenks": "自然断点（Jenks）", "fixed": "固定等距（全部年份）"}


def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype="float64").ravel()
    return np.sort(x[np.isfinite(x)])


def quantile_breaks(values, k: int = 5) -> list[float]:
    """Upper bounds of ``k`` quantile classes.

    Notes
    -----
    Bound ``j`` is the empirical quantile at ``j/k`` (linear interpolation between order statistics,
    numpy's default, Hyndman & Fan type 7); duplicated bounds (ties) are merged.

    References
    ----------
    Slocum, T. A. et al. (2009). *Thematic Cartography and Geovisualization*, 3rd ed., ch. 5.
    """
    x = _clean(values)
    if not len(x):
        return []
    q = np.quantile(x, np.linspace(0, 1, int(k) + 1)[1:])
    return [float(b) for b in np.unique(q)]


def jenks_breaks(values, k: int = 5) -> list[float]:
    """Upper bounds of ``k`` natural-breaks classes (Fisher–Jenks: minimal within-class sum of squares).

    Notes
    -----
    Exact dynamic programme over the sorted values ``x_1 ≤ … ≤ x_n``: with
    ``SSD(i, j) = Σ_{m=i..j} (x_m − mean)²``, ``D(c, j) = min_i D(c−1, i−1) + SSD(i, j)``, and the optimal
    partition is read back from the arg-mins. ``O(k n²)``: instant for 13 or 31 regions.

    References
    ----------
    Fisher, W. D. (1958). On grouping for maximum homogeneity. *JASA* 53(284), 789–798.
    Jenks, G. F. (1967). The data model concept in statistical mapping. *International Yearbook of
    Cartography* 7, 186–190.
    """
    x = _clean(values)
    n = len(x)
    if not n:
        return []
    k = max(1, min(int(k), len(np.unique(x))))
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):
        seg = s1[j + 1] - s1[i]
        ssd = np.where(i <= j, s2[j + 1] - s2[i] - seg * seg / (j - i + 1), np.inf)  # SSD(i, j), i ≤ j
    cost = np.full((k + 1, n), np.inf)
    start = np.zeros((k + 1, n), dtype=int)
    cost[1] = ssd[0]
    for c in range(2, k + 1):
        prev = np.concatenate([[np.inf], cost[c - 1, :-1]])  # D(c−1, i−1) for a class starting at i
        total = prev[:, None] + ssd  # [i, j]
        start[c] = np.argmin(total, axis=0)
        cost[c] = total[start[c], np.arange(n)]
    bounds, j = [], n - 1
    for c in range(k, 0, -1):
        bounds.append(float(x[j]))
        j = start[c, j] - 1
    return sorted(set(bounds))


def fixed_breaks(values, k: int = 5) -> list[float]:
    """Upper bounds of ``k`` equal intervals over ``[min, max]`` of ``values`` (all years pooled).

    Used with every year's values at once, the classes stay put while the year slider moves, so a change of
    colour is a change of value (quantile and Jenks classes are recomputed each year).
    """
    x = _clean(values)
    if not len(x):
        return []
    lo, hi = float(x[0]), float(x[-1])
    if hi == lo:
        return [hi]
    return [float(b) for b in np.linspace(lo, hi, int(k) + 1)[1:]]


def class_of(value: float, bounds: list[float]) -> int | None:
    """Index of the class of ``value`` (first bound ≥ value); None for NaN or an empty scheme."""
    if value is None or not np.isfinite(value) or not bounds:
        return None
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return len(bounds) - 1
