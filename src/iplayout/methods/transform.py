"""Indicator types (指标正向化): benefit, cost, middle (target) and interval indicators.

Middle and interval indicators are turned into bounded benefit scores in [0, 1]; benefit and
cost columns are left as they are (their direction is applied by the normalisation step).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError

TYPES = ("benefit", "cost", "middle", "interval")


def transform_middle(x: pd.Series, target: float) -> pd.Series:
    """Middle-type (中间型) indicator: the closer to ``target`` the better.

    Parameters
    ----------
    x : pandas.Series
        Raw values of one indicator.
    target : float
        Best value ``m``.

    Returns
    -------
    pandas.Series
        Scores in [0, 1]; 1 at the target.

    Notes
    -----
    ``x' = 1 − |x − m| / max_i |x_i − m|``. When every value equals ``m`` all scores are 1.

    References
    ----------
    司守奎, 孙兆亮. 数学建模算法与应用 (第2版). 国防工业出版社, 2015, §9.2 (TOPSIS, 指标属性同向化).
    """
    dev = (x - target).abs()
    m = dev.max()
    if not np.isfinite(m) or m == 0:
        return pd.Series(1.0, index=x.index, name=x.name)
    return 1.0 - dev / m


def transform_interval(x: pd.Series, lower: float, upper: float) -> pd.Series:
    """Interval-type (区间型) indicator: values inside ``[lower, upper]`` are best.

    Notes
    -----
    With ``M = max(a − min x, max x − b)``:
    ``x' = 1 − (a − x)/M`` for ``x < a``; ``1`` for ``a ≤ x ≤ b``; ``1 − (x − b)/M`` for ``x > b``.
    When all values lie inside the interval (``M ≤ 0``) every score is 1.

    References
    ----------
    司守奎, 孙兆亮. 数学建模算法与应用 (第2版). 国防工业出版社, 2015, §9.2.
    """
    if lower > upper:
        raise MethodError(f"interval indicator {x.name!r}: lower {lower} > upper {upper}")
    big_m = max(lower - x.min(), x.max() - upper)
    if not np.isfinite(big_m) or big_m <= 0:
        return pd.Series(1.0, index=x.index, name=x.name)
    out = pd.Series(1.0, index=x.index, name=x.name)
    below, above = x < lower, x > upper
    out[below] = 1.0 - (lower - x[below]) / big_m
    out[above] = 1.0 - (x[above] - upper) / big_m
    return out


def apply_types(table: pd.DataFrame, types: dict[str, dict]) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Apply each indicator's type to the raw table.

    Parameters
    ----------
    table : pandas.DataFrame
        Units in rows, indicators in columns (raw values).
    types : dict
        ``{column: {"type": ..., "target": ..., "lower": ..., "upper": ...}}``.

    Returns
    -------
    transformed : pandas.DataFrame
        Middle/interval columns replaced by their [0, 1] scores; others unchanged.
    direction : pandas.Series
        +1 for benefit-oriented columns (benefit, middle, interval), −1 for cost columns.
    bounded : pandas.Series
        True for columns already in [0, 1] after a middle/interval transform.
    """
    out = table.copy()
    direction = pd.Series(1, index=table.columns, dtype=int)
    bounded = pd.Series(False, index=table.columns, dtype=bool)
    for col in table.columns:
        t = types[col]
        kind = t["type"]
        if kind == "benefit":
            continue
        if kind == "cost":
            direction[col] = -1
        elif kind == "middle":
            out[col] = transform_middle(table[col].astype(float), float(t["target"]))
            bounded[col] = True
        elif kind == "interval":
            out[col] = transform_interval(table[col].astype(float), float(t["lower"]), float(t["upper"]))
            bounded[col] = True
        else:
            raise MethodError(f"indicator {col!r}: unknown type {kind!r} (allowed: {', '.join(TYPES)})")
    return out, direction, bounded
