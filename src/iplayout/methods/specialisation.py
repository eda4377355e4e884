"""Specialisation profiles of a group of regions: complementarity and a division of labour (分工).

Used for the 苏南国家自主创新示范区 plan: which member cities are specialised in which industries, how
different their profiles are (complementary cities gain more from co-operation), and which city leads,
co-operates in or supports each industry.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from ..errors import DataError, MethodError, Problem

ROLES = ("引领", "协同", "配套")
ROLE_EN = {"引领": "lead", "协同": "co-operate", "配套": "support"}
DEFAULT_RULES = {"lead_lq": 1.2, "lead_share": 0.25, "collab_lq": 1.0, "collab_share": 0.15}


def symmetric_lq(lq: pd.DataFrame) -> pd.DataFrame:
    """Revealed symmetric comparative advantage :math:`(LQ-1)/(LQ+1)`, in [−1, 1] (Laursen 2015).

    A raw LQ profile is all positive, so every pair of regions looks similar under cosine similarity; the
    symmetric form centres "no specialisation" at 0.
    """
    return (lq - 1.0) / (lq + 1.0)


def complementarity(profiles: pd.DataFrame, *, symmetric: bool = True) -> pd.DataFrame:
    """Complementarity index of every pair of regions: 1 − cosine similarity of their specialisation profiles.

    Parameters
    ----------
    profiles : DataFrame
        Regions × industries (location quotients or RTA); no missing values.
    symmetric : bool
        Use :func:`symmetric_lq` first (default).

    Returns
    -------
    DataFrame
        Square, symmetric, 0 on the diagonal; 0 = identical profiles, 1 = orthogonal, up to 2 = opposite
        (only with the symmetric form). NaN where a profile is all zero (no direction).

    Notes
    -----
    :math:`K_{ij} = 1 - \\frac{p_i \\cdot p_j}{\\lVert p_i \\rVert \\lVert p_j \\rVert}`
    (``scipy.spatial.distance.cdist(metric="cosine")``).
    """
    x = profiles.astype("float64")
    holes = [Problem("missing specialisation value", column=str(c), value=str(r))
             for c in x.columns for r in x.index[x[c].isna()]]
    if holes:
        raise DataError(holes)
    if symmetric:
        x = symmetric_lq(x)
    v = x.to_numpy()
    norms = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        k = cdist(v, v, metric="cosine") if len(v) else np.zeros((0, 0))
    k[norms == 0, :] = np.nan
    k[:, norms == 0] = np.nan
    np.fill_diagonal(k, 0.0)
    return pd.DataFrame(k, index=x.index.astype(str), columns=x.index.astype(str))


def division_of_labour(lq: pd.DataFrame, share: pd.DataFrame, rules: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Role of each region in each industry: 引领 (lead), 协同 (co-operate) or 配套 (support).

    Parameters
    ----------
    lq : DataFrame
        Regions × industries location quotients (output or patents).
    share : DataFrame
        Regions × industries: each region's share of the group's total in the industry (0–1).
    rules : mapping, optional
        Thresholds ``lead_lq, lead_share, collab_lq, collab_share`` (defaults :data:`DEFAULT_RULES`).

    Returns
    -------
    DataFrame
        ``region_code, industry_code, lq, share, role, rule`` (``rule`` states which test assigned it).

    Notes
    -----
    引领: :math:`LQ \\ge` lead_lq and share :math:`\\ge` lead_share; 协同: :math:`LQ \\ge` collab_lq or
    share :math:`\\ge` collab_share; otherwise 配套. Missing values give 配套 with the rule "无数据".
    This project's proposal, not an official rule.
    """
    r = {**DEFAULT_RULES, **(rules or {})}
    unknown = set(r) - set(DEFAULT_RULES)
    if unknown:
        raise MethodError(f"unknown division-of-labour rule keys {sorted(unknown)}; known {sorted(DEFAULT_RULES)}")
    rows = []
    for reg in lq.index:
        for ind in lq.columns:
            q, s = lq.loc[reg, ind], share.loc[reg, ind] if ind in share.columns and reg in share.index else np.nan
            if pd.isna(q) or pd.isna(s):
                role, why = "配套", "无数据"
            elif q >= r["lead_lq"] and s >= r["lead_share"]:
                role, why = "引领", f"区位熵≥{r['lead_lq']:g}且份额≥{r['lead_share']:.0%}"
            elif q >= r["collab_lq"] or s >= r["collab_share"]:
                role, why = "协同", f"区位熵≥{r['collab_lq']:g}或份额≥{r['collab_share']:.0%}"
            else:
                role, why = "配套", f"区位熵<{r['collab_lq']:g}且份额<{r['collab_share']:.0%}"
            rows.append({"region_code": str(reg), "industry_code": str(ind), "lq": float(q) if pd.notna(q) else np.nan,
                         "share": float(s) if pd.notna(s) else np.nan, "role": role, "rule": why})
    return pd.DataFrame(rows, columns=["region_code", "industry_code", "lq", "share", "role", "rule"])
