"""Quantified targets (量化目标): the annual growth a region needs to close a gap by a target year.

Pure functions; the regions stage decides which indicators, benchmarks (group leader, peer median) and
target year to use (``params/regions.yaml``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: status → reader-facing wording (Chinese)
STATUS_ZH = {
    "reached": "已达到",
    "needed": "需提速",
    "no_base": "基数为零或缺失，所需增速无定义",
    "no_target": "无比较基准",
    "no_time": "目标年份不晚于数据年份",
}
#: comparison of the needed rate with what the region achieved
HISTORY_ZH = {
    "reached": "已达到目标，无需额外增长",
    "within": "不高于本地区近年年均增速，按现有势头可实现",
    "above_trend": "高于本地区近年年均增速，但未超过其历史最高年增速，需明显加快",
    "beyond": "超过本地区有数据以来任何一年的增速，现有势头下难以实现",
    "unknown": "历史增速数据不足，无法比较",
    "undefined": "所需增速无定义",
}


def needed_growth(current, target, years) -> tuple[float, str]:
    """Annual growth rate needed to move from ``current`` to ``target`` in ``years`` years.

    Parameters
    ----------
    current : float
        Value in the data year (t).
    target : float
        Benchmark to reach (e.g. the group leader's value or the peer median).
    years : int
        :math:`T - t`, years from the data year to the target year.

    Returns
    -------
    (rate, status)
        ``rate`` as a fraction (0.12 = 12 % a year), NaN when undefined; ``status`` one of
        ``reached`` (gap already closed: rate 0), ``needed``, ``no_base`` (current zero, negative or missing:
        no growth rate turns zero into a positive target), ``no_target``, ``no_time`` (T ≤ t).

    Notes
    -----
    :math:`g = (\\text{target}/\\text{current})^{1/(T-t)} - 1` (compound growth; the same convention as CAGR).
    """
    cur = _num(current)
    tgt = _num(target)
    if tgt is None:
        return np.nan, "no_target"
    if cur is not None and cur >= tgt:
        return 0.0, "reached"
    if cur is None or cur <= 0:
        return np.nan, "no_base"
    if years is None or int(years) <= 0:
        return np.nan, "no_time"
    return float((tgt / cur) ** (1.0 / int(years)) - 1.0), "needed"


def growth_history(series: pd.Series, *, end_year: int, span: int = 5) -> dict:
    """A region's own past growth: CAGR over ``span`` years to ``end_year`` and its best year-on-year rate.

    Parameters
    ----------
    series : Series
        Values indexed by year (NaN and years after ``end_year`` are ignored).

    Returns
    -------
    dict
        ``cagr`` (fraction; NaN when the window has fewer than two positive years), ``cagr_start`` (first
        year used: ``end_year - span`` or, when missing, the earliest year in the window), ``best_yoy`` (the
        highest growth between two consecutive years with data, over the whole series), ``best_yoy_year``.

    Notes
    -----
    :math:`\\text{CAGR} = (x_{end}/x_{start})^{1/(end-start)} - 1`; :math:`g_t = x_t/x_{t-1} - 1` for
    consecutive years with :math:`x_{t-1} > 0`.
    """
    s = pd.Series(series, dtype="float64").dropna()
    s = s[(s.index <= end_year)].sort_index()
    out = {"cagr": np.nan, "cagr_start": None, "best_yoy": np.nan, "best_yoy_year": None}
    window = s[(s.index >= end_year - span) & (s > 0)]
    if end_year in window.index and len(window) >= 2:
        start = int(window.index.min())
        out["cagr"] = float((window.loc[end_year] / window.loc[start]) ** (1.0 / (end_year - start)) - 1.0)
        out["cagr_start"] = start
    years = np.asarray(s.index, dtype=int)
    vals = s.to_numpy()
    yoy = [(int(years[i]), vals[i] / vals[i - 1] - 1.0) for i in range(1, len(s))
           if years[i] - years[i - 1] == 1 and vals[i - 1] > 0]
    if yoy:
        year, rate = max(yoy, key=lambda t: (t[1], -t[0]))
        out["best_yoy"], out["best_yoy_year"] = float(rate), year
    return out


def compare_with_history(rate: float, status: str, *, cagr: float, best_yoy: float) -> str:
    """Classify a needed rate against the region's own record (keys of :data:`HISTORY_ZH`).

    Notes
    -----
    ``within``: :math:`g \\le` past CAGR; ``above_trend``: past CAGR < g ≤ best year-on-year rate;
    ``beyond``: g above every annual rate the region has achieved.
    """
    if status == "reached":
        return "reached"
    if status != "needed":
        return "undefined"
    if _num(best_yoy) is None and _num(cagr) is None:
        return "unknown"
    if _num(cagr) is not None and rate <= cagr:
        return "within"
    if _num(best_yoy) is not None and rate > best_yoy:
        return "beyond"
    return "above_trend"


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v
