"""Concentration of a quantity across the regions of a territory: Lorenz curve, Gini, HHI, CR-k."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError
from ._checks import as_values, require_columns


def lorenz_curve(values) -> pd.DataFrame:
    """Lorenz curve of a non-negative quantity over regions.

    Parameters
    ----------
    values : array-like or Series
        One non-negative value per region; NaN are dropped.

    Returns
    -------
    DataFrame
        Columns ``pop_share`` (cumulative share of regions) and ``value_share`` (cumulative share of the
        quantity), starting at (0, 0) and ending at (1, 1); regions sorted ascending, so the curve lies
        on or below the diagonal. Column ``region`` holds the label ("" for the origin).

    Notes
    -----
    Points :math:`(i/n,\\; \\sum_{j\\le i} x_{(j)} / \\sum_j x_j)` for :math:`x_{(1)}\\le\\dots\\le x_{(n)}`
    (unweighted: every region counts as one unit).

    References
    ----------
    Lorenz, M. O. (1905). Methods of measuring the concentration of wealth. *JASA* 9(70), 209–219.
    """
    s = as_values(values).sort_values(kind="mergesort")
    total = s.sum()
    if len(s) == 0 or total <= 0:
        raise MethodError("Lorenz curve needs at least one positive value")
    n = len(s)
    return pd.DataFrame({
        "region": ["", *[str(i) for i in s.index]],
        "pop_share": np.arange(n + 1) / n,
        "value_share": np.concatenate([[0.0], s.cumsum().to_numpy() / total]),
    })


def gini(values, *, correction: bool = False) -> float:
    """Gini coefficient of a non-negative quantity over regions.

    Parameters
    ----------
    values : array-like
        Non-negative values; NaN dropped.
    correction : bool, default False
        Multiply by :math:`n/(n-1)` (the "sample" convention) so that full concentration in one
        region gives 1 for any n.

    Returns
    -------
    float
        0 = equal distribution; :math:`(n-1)/n` (or 1 with ``correction``) = all in one region.

    Notes
    -----
    Mean-absolute-difference form (population convention):
    :math:`G = \\frac{\\sum_i\\sum_j |x_i-x_j|}{2 n^2 \\bar x}`, computed via sorted values as
    :math:`G = \\frac{2\\sum_i i\\,x_{(i)}}{n\\sum_i x_i} - \\frac{n+1}{n}`.

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Cowell, F. (2011). *Measuring Inequality*, 3rd ed., §2.
    """
    s = np.sort(as_values(values).to_numpy())
    n = len(s)
    total = s.sum()
    if n == 0 or total <= 0:
        raise MethodError("Gini needs at least one positive value")
    ranks = np.arange(1, n + 1)
    g = 2.0 * np.sum(ranks * s) / (n * total) - (n + 1) / n
    if correction:
        if n < 2:
            raise MethodError("Gini with correction needs at least two regions")
        g *= n / (n - 1)
    return float(g)


def hhi(values, *, scale: float = 1.0) -> float:
    """Herfindahl–Hirschman index of regional shares.

    Parameters
    ----------
    values : array-like
        Non-negative values; NaN dropped.
    scale : float, default 1.0
        1 gives the index on [1/n, 1]; 10,000 gives the antitrust convention (shares in percent).

    Notes
    -----
    :math:`HHI = \\sum_i s_i^2`, :math:`s_i = x_i / \\sum_j x_j`.

    References
    ----------
    Hirschman, A. O. (1964). The paternity of an index. *AER* 54(5), 761. U.S. DOJ/FTC (2023) Merger
    Guidelines §2.1 (percent-share convention).
    """
    s = as_values(values)
    total = s.sum()
    if len(s) == 0 or total <= 0:
        raise MethodError("HHI needs at least one positive value")
    return float(((s / total) ** 2).sum() * scale)


def concentration_ratio(values, k: int = 3) -> float:
    """CR-k: share of the territory total held by its k largest regions.

    Notes
    -----
    :math:`CR_k = \\sum_{i=1}^{k} x_{[i]} / \\sum_j x_j` with :math:`x_{[1]}\\ge x_{[2]}\\ge\\dots`.
    With fewer than k regions the ratio is 1.

    References
    ----------
    Bain, J. S. (1951). Relation of profit rate to industry concentration. *QJE* 65(3), 293–324.
    """
    if int(k) < 1:
        raise MethodError(f"CR-k needs k >= 1, got {k!r}")
    s = as_values(values)
    total = s.sum()
    if len(s) == 0 or total <= 0:
        raise MethodError("CR-k needs at least one positive value")
    return float(s.nlargest(int(k)).sum() / total)


def concentration_table(long: pd.DataFrame, *, value: str = "value", by=("indicator_code", "year"),
                        k: int = 3, min_n: int = 1) -> pd.DataFrame:
    """Gini, HHI and CR-k for every group (e.g. indicator × year) of a long table.

    Parameters
    ----------
    long : DataFrame
        One row per region and group, with a ``value`` column.
    by : sequence of str
        Grouping columns.
    min_n : int
        Groups with fewer regions holding a value are left out: a Gini over a handful of the territory's
        regions describes the reporting regions, not the territory.

    Returns
    -------
    DataFrame
        ``by`` columns + ``n`` (regions with a value), ``gini``, ``hhi``, ``cr{k}``, ``top_share``.
        Groups with no positive value or fewer than ``min_n`` values are left out.
    """
    by = list(by)
    require_columns(long, [*by, value], where="concentration_table input")
    rows = []
    for key, grp in long.groupby(by, sort=True):
        v = grp[value].dropna()
        if len(v) < max(int(min_n), 1) or v.sum() <= 0:
            continue
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "n": int(len(v)), "gini": gini(v), "hhi": hhi(v),
                     f"cr{k}": concentration_ratio(v, k), "top_share": float(v.max() / v.sum())})
    return pd.DataFrame(rows, columns=[*by, "n", "gini", "hhi", f"cr{k}", "top_share"])
