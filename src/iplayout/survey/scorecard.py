"""Per-region scorecard: strengths and weaknesses against the territory median, and structural peers."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem


def _directed_minmax(matrix: pd.DataFrame, directions: pd.Series | None) -> pd.DataFrame:
    m = matrix.astype("float64")
    lo, hi = m.min(), m.max()
    span = (hi - lo).replace(0, np.nan)
    norm = (m - lo) / span
    if directions is not None:
        neg = [c for c in m.columns if directions.get(c, 1) < 0]
        norm[neg] = 1.0 - norm[neg]
    return norm


def strengths_weaknesses(matrix: pd.DataFrame, region: str, *, directions: pd.Series | None = None,
                         k: int = 3) -> pd.DataFrame:
    """Indicators on which a region is furthest above / below the territory median (normalised terms).

    Parameters
    ----------
    matrix : DataFrame
        Regions (index, codes) × indicators (columns) for one year.
    region : str
        Region code to describe.
    directions : Series, optional
        +1 (benefit) / −1 (cost) per indicator; cost indicators are flipped so "above" always means better.
    k : int
        Number of strengths and of weaknesses.

    Returns
    -------
    DataFrame
        ``indicator_code, value, normalised, median_normalised, deviation, kind`` with ``kind`` in
        {``strength``, ``weakness``}; strengths first (largest deviation first), then weaknesses (most negative
        first). Indicators without variation or without the region's value are skipped.

    Notes
    -----
    Min–max normalisation within the territory: :math:`z_{rj} = (x_{rj}-\\min_j)/(\\max_j-\\min_j)`, flipped
    for cost indicators; deviation :math:`= z_{rj} - \\mathrm{median}_{r'} z_{r'j}`.
    """
    region = str(region)
    if region not in matrix.index:
        raise DataError([Problem("region not in the territory matrix", column="region_code", value=region)])
    norm = _directed_minmax(matrix, directions)
    med = norm.median()
    dev = (norm.loc[region] - med).dropna()
    dev = dev[norm.loc[region].notna()]
    df = pd.DataFrame({"indicator_code": dev.index, "value": matrix.loc[region, dev.index].to_numpy(dtype="float64"),
                       "normalised": norm.loc[region, dev.index].to_numpy(), "median_normalised": med[dev.index].to_numpy(),
                       "deviation": dev.to_numpy()})
    df = df.sort_values(["deviation", "indicator_code"], ascending=[False, True], kind="mergesort")
    # positive and negative deviations are disjoint, so one indicator is never both
    strong = df[df["deviation"] > 0].head(int(k)).assign(kind="strength")
    weak = df[df["deviation"] < 0].iloc[::-1].head(int(k)).assign(kind="weakness")
    return pd.concat([strong, weak], ignore_index=True)


def nearest_peers(matrix: pd.DataFrame, region: str, *, k: int = 3) -> pd.DataFrame:
    """Regions most similar in structure to ``region`` (Euclidean distance on z-scores).

    Parameters
    ----------
    matrix : DataFrame
        Regions × indicators; columns with any missing value or no variation are dropped (recorded in
        the result's ``attrs['indicators']``) so every distance uses the same indicators.
    k : int
        Number of peers.

    Returns
    -------
    DataFrame
        ``region_code, distance`` sorted ascending (ties by code), excluding the region itself.

    Notes
    -----
    :math:`d(r,s) = \\sqrt{\\sum_j (z_{rj}-z_{sj})^2}`, :math:`z_{rj} = (x_{rj}-\\bar x_j)/s_j` (sample s.d.).
    Standardising first stops large-unit indicators (万元) from dominating counts.
    """
    region = str(region)
    if region not in matrix.index:
        raise DataError([Problem("region not in the territory matrix", column="region_code", value=region)])
    m = matrix.astype("float64").dropna(axis=1, how="any")
    sd = m.std(ddof=1)
    m = m.loc[:, sd > 0]
    z = (m - m.mean()) / m.std(ddof=1)
    dist = np.sqrt(((z - z.loc[region]) ** 2).sum(axis=1)).drop(region)
    out = pd.DataFrame({"region_code": dist.index.astype(str), "distance": dist.to_numpy()})
    out = out.sort_values(["distance", "region_code"], kind="mergesort").head(int(k)).reset_index(drop=True)
    out.attrs["indicators"] = list(m.columns)
    return out
