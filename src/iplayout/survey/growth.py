"""Growth over time: compound annual growth rates and the regions that lead or lag."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError
from ._checks import require_columns


def cagr(start, end, years):
    """Compound annual growth rate.

    Parameters
    ----------
    start, end : float or array-like
        Values at the first and last year (same unit).
    years : float or array-like
        Number of years between them (e.g. 5 for 2017→2022).

    Returns
    -------
    float or ndarray
        :math:`(end/start)^{1/years} - 1`; NaN where start ≤ 0, end < 0 or a value is missing
        (a growth rate from zero is undefined).

    Notes
    -----
    Geometric-mean ("compound") convention, as in NBS 年均增长速度 computed from levels.

    References
    ----------
    国家统计局 (2019)《统计上常用的指标计算方法》: 平均增长速度（水平法）.
    """
    start = np.asarray(start, dtype="float64")
    end = np.asarray(end, dtype="float64")
    years = np.asarray(years, dtype="float64")
    if np.any(years <= 0):
        raise MethodError(f"CAGR needs a positive number of years, got {years!r}")
    ok = (start > 0) & (end >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ok, np.power(np.where(ok, end / np.where(start > 0, start, 1.0), 1.0), 1.0 / years) - 1.0,
                       np.nan)
    return float(out) if out.ndim == 0 else out


def cagr_table(long: pd.DataFrame, *, end_year: int, span: int = 5, value: str = "value",
               by=("region_code", "indicator_code")) -> pd.DataFrame:
    """CAGR over ``span`` years ending at ``end_year`` for every region × indicator of a long table.

    If the exact start year is missing the earliest available year within the window is used and the
    actual span recorded (``start_year``), so a reader sees which years the rate covers.

    Returns
    -------
    DataFrame
        ``by`` + ``start_year``, ``end_year``, ``start_value``, ``end_value``, ``years``, ``cagr``.
    """
    by = list(by)
    require_columns(long, [*by, "year", value], where="cagr_table input")
    d = long.dropna(subset=[value])
    d = d[(d["year"] >= end_year - span) & (d["year"] <= end_year)]
    rows = []
    for key, grp in d.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        g = grp.set_index("year")[value]
        if end_year not in g.index:
            continue
        start_year = int(g.index.min())
        yrs = end_year - start_year
        rate = cagr(g.loc[start_year], g.loc[end_year], yrs) if yrs > 0 else np.nan
        rows.append({**dict(zip(by, key)), "start_year": start_year, "end_year": int(end_year),
                     "start_value": float(g.loc[start_year]), "end_value": float(g.loc[end_year]),
                     "years": int(yrs), "cagr": rate})
    return pd.DataFrame(rows, columns=[*by, "start_year", "end_year", "start_value", "end_value", "years", "cagr"])


def leaders_laggards(rates: pd.Series, n: int = 3) -> pd.DataFrame:
    """The ``n`` fastest- and ``n`` slowest-growing regions.

    Parameters
    ----------
    rates : Series
        Growth rate indexed by region code; NaN ignored.

    Returns
    -------
    DataFrame
        Columns ``region_code``, ``cagr``, ``group`` (``leader`` / ``laggard``), ``rank`` (1 = fastest),
        leaders first. Ties are broken by region code so the result is deterministic.
    """
    r = rates.dropna().astype("float64")
    df = pd.DataFrame({"region_code": r.index.astype(str), "cagr": r.to_numpy()})
    df = df.sort_values(["cagr", "region_code"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    df["rank"] = np.arange(1, len(df) + 1)
    k = min(int(n), len(df) // 2) if len(df) > 1 else len(df)
    lead = df.head(k).assign(group="leader")
    lag = df.tail(k).iloc[::-1].assign(group="laggard") if len(df) > 1 else df.iloc[0:0].assign(group="laggard")
    return pd.concat([lead, lag], ignore_index=True)[["region_code", "cagr", "group", "rank"]]
