"""Industry-level IP density and location quotients (e.g. high-tech manufacturing by province)."""
from __future__ import annotations

import pandas as pd

from ._checks import as_values, require_columns, safe_ratio


def ip_density(df: pd.DataFrame, *, patents: str = "industry_patent_applications",
               revenue: str = "industry_revenue", enterprises: str = "industry_enterprises") -> pd.DataFrame:
    """IP density of an industry in each region.

    Parameters
    ----------
    df : DataFrame
        One row per region; ``revenue`` in 亿元, ``enterprises`` a count.

    Returns
    -------
    DataFrame
        ``per_100m_revenue`` (件/亿元 revenue) and ``per_enterprise`` (件/家).

    Notes
    -----
    :math:`d_{rev} = P/R`, :math:`d_{ent} = P/N`; NaN where the denominator is 0 or missing.
    """
    require_columns(df, [patents, revenue, enterprises], where="ip_density input")
    out = pd.DataFrame(index=df.index)
    out["per_100m_revenue"] = safe_ratio(df[patents], df[revenue])
    out["per_enterprise"] = safe_ratio(df[patents], df[enterprises])
    return out


def location_quotient(part, whole) -> pd.Series:
    """Location quotient of a part (one industry) in a whole (all activity) across regions.

    Parameters
    ----------
    part : Series
        The industry's quantity in each region (e.g. high-tech revenue, high-tech patent applications).
    whole : Series
        The reference quantity in the same regions (e.g. GDP, all patent applications).

    Returns
    -------
    Series
        :math:`LQ_r = (e_r / E_r) / (\\sum_r e_r / \\sum_r E_r)`; > 1 = the region is more specialised than
        the territory. Territory totals use only regions where both values are present.

    Notes
    -----
    Classic Florence/Isard location quotient; the territory is the sum of its member regions, not an
    external national figure, so the quotients are comparable within one report.

    References
    ----------
    Isard, W. (1960). *Methods of Regional Analysis*, ch. 7. Florence, P. S. (1939). Report on the location
    of industry. Political and Economic Planning.
    """
    e = as_values(part, name="part", allow_nan=True)
    E = as_values(whole, name="whole", allow_nan=True).reindex(e.index)
    ok = e.notna() & E.notna() & (E > 0)
    ratio_t = e[ok].sum() / E[ok].sum() if ok.any() else float("nan")
    lq = pd.Series(safe_ratio(e, E), index=e.index) / ratio_t
    return lq.where(ok)
