"""Headline profile of a region's IP resources: value, rank, share, intensity, growth, invention share."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ._checks import safe_ratio
from .growth import cagr

# Patent totals and the invention-patent series whose ratio is the "invention share" (发明专利占比).
INVENTION_OF = {
    "patent_applications": "patent_applications_invention",
    "patent_grants": "patent_grants_invention",
    "valid_patents": "valid_patents_invention",
}


def headline_table(panel: pd.DataFrame, *, year: int, indicators, region: str | None = None, span: int = 5,
                   population: str = "population", gdp: str = "gdp", min_n: int = 1) -> pd.DataFrame:
    """Headline table of IP resources for the regions of one territory in one year.

    Parameters
    ----------
    panel : DataFrame
        Wide panel indexed by ``(region_code, year)`` holding ``indicators`` and, when available,
        ``population`` (万人) and ``gdp`` (亿元); other years are used for growth.
    year : int
        Reference year.
    indicators : sequence of str
        Indicator codes to profile (those absent from the panel are skipped).
    region : str, optional
        Keep only this region's rows (ranks and shares are still computed over the whole territory).
    span : int
        Window of the compound growth rate; if ``year - span`` is missing the earliest year in the
        window is used and recorded in ``cagr_start_year``.
    min_n : int
        Rank and share are left empty when fewer regions than this report the indicator (a "share of the
        territory" computed over one reporting region would read 100 %).

    Returns
    -------
    DataFrame
        One row per region × indicator: ``region_code, indicator_code, value, rank, n_regions, share,
        per_10k_pop, per_100m_gdp, cagr, cagr_start_year, invention_share``.

    Notes
    -----
    rank: 1 = largest among regions with a value (``min`` method for ties, as yearbooks print them);
    share :math:`= x_r / \\sum_{r'} x_{r'}` over members; per 10k people :math:`= x_r / P_r` with P in 万人;
    per 亿元 GDP :math:`= x_r / GDP_r`; CAGR :math:`(x_{t}/x_{t-s})^{1/s}-1`; invention share
    :math:`= x^{inv}_r / x_r` for patent totals.
    """
    if not isinstance(panel.index, pd.MultiIndex) or list(panel.index.names) != ["region_code", "year"]:
        raise DataError([Problem("panel must be indexed by (region_code, year)", value=list(panel.index.names))])
    years = panel.index.get_level_values("year")
    cur = panel[years == year].droplevel("year")
    rows = []
    for ind in indicators:
        if ind not in panel.columns:
            continue
        v = cur[ind].astype("float64")
        present = v.dropna()
        rank = present.rank(ascending=False, method="min").reindex(v.index)
        total = present.sum()
        comparable = len(present) >= max(int(min_n), 1)
        pop = cur[population] if population in cur.columns else pd.Series(np.nan, index=cur.index)
        g = cur[gdp] if gdp in cur.columns else pd.Series(np.nan, index=cur.index)
        hist = panel[ind].dropna()
        hist = hist[(hist.index.get_level_values("year") >= year - span) & (hist.index.get_level_values("year") <= year)]
        inv = INVENTION_OF.get(ind)
        for code in v.index:
            x = v.loc[code]
            h = hist.xs(code, level="region_code") if code in hist.index.get_level_values("region_code") else hist.iloc[0:0]
            start_year = int(h.index.min()) if len(h) and year in h.index else None
            rate = (cagr(h.loc[start_year], h.loc[year], year - start_year)
                    if start_year is not None and start_year < year else np.nan)
            inv_share = (float(safe_ratio(cur.loc[code, inv], x)) if inv and inv in cur.columns else np.nan)
            rows.append({
                "region_code": str(code), "indicator_code": ind, "value": x,
                "rank": rank.loc[code] if comparable else np.nan, "n_regions": int(len(present)),
                "share": x / total if total > 0 and comparable else np.nan,
                "per_10k_pop": float(safe_ratio(x, pop.loc[code])),
                "per_100m_gdp": float(safe_ratio(x, g.loc[code])),
                "cagr": rate, "cagr_start_year": start_year if start_year is not None and start_year < year else np.nan,
                "invention_share": inv_share,
            })
    out = pd.DataFrame(rows, columns=["region_code", "indicator_code", "value", "rank", "n_regions", "share",
                                      "per_10k_pop", "per_100m_gdp", "cagr", "cagr_start_year", "invention_share"])
    if region is not None:
        out = out[out["region_code"] == str(region)].reset_index(drop=True)
    return out
