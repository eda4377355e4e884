"""Normalisation family ``normalise_*``: one signature, chosen by name.

Every function takes the type-transformed table ``x`` (units × indicators), the column
``direction`` (+1 benefit, −1 cost) and ``bounded`` (True for columns already in [0, 1] after a
middle/interval transform) plus named convention parameters, and returns a benefit-oriented
table (higher is better for every column).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import MethodError


def _range(x: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    lo, hi = x.min(), x.max()
    return lo, hi, hi - lo


def normalise_minmax(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series, *,
                     bounded_policy: str = "keep", constant_value: float = 0.0) -> pd.DataFrame:
    """Min–max normalisation to [0, 1] (极差标准化), cost columns reversed.

    Notes
    -----
    Benefit: ``(x − min)/(max − min)``; cost: ``(max − x)/(max − min)``.
    Bounded columns (middle/interval scores) are kept as they are when ``bounded_policy='keep'``
    and rescaled like benefit columns when ``'rescale'``. A constant column (max = min) carries
    no information and is set to ``constant_value``.

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §5 (min–max).
    """
    out = x.astype(float).copy()
    lo, hi, rng = _range(out)
    for c in out.columns:
        if bounded[c] and bounded_policy == "keep":
            continue
        if not np.isfinite(rng[c]) or rng[c] == 0:
            out[c] = constant_value
        elif direction[c] < 0:
            out[c] = (hi[c] - out[c]) / rng[c]
        else:
            out[c] = (out[c] - lo[c]) / rng[c]
    return out


def normalise_eps_shrink(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series, *,
                         eps: float = 0.01, constant_value: float = 0.5) -> pd.DataFrame:
    """Min–max into [ε, 1 − ε] so that logarithms (entropy, geometric mean) stay finite.

    Notes
    -----
    Benefit/cost columns: ``ε + (1 − 2ε)·minmax(x)``. Bounded columns (already in [0, 1] after a
    middle/interval transform) are not rescaled: only exact 0 → ε and exact 1 → 1 − ε.
    Constant columns become ``constant_value`` (default 0.5, inside the interval).

    References
    ----------
    Common practice in Chinese entropy-weight studies (平移 / 非负化处理), e.g. 郭显光 (1998)
    熵值法及其在综合评价中的应用, 财贸研究 (5): 56–60.
    """
    if not 0 < eps < 0.5:
        raise MethodError(f"eps_shrink: eps must be in (0, 0.5), got {eps}")
    base = normalise_minmax(x, direction, bounded, bounded_policy="keep", constant_value=np.nan)
    out = base.copy()
    for c in out.columns:
        if bounded[c]:
            col = base[c].copy()
            col[col == 0] = eps
            col[col == 1] = 1 - eps
            out[c] = col
        elif base[c].isna().all():
            out[c] = constant_value
        else:
            out[c] = eps + (1 - 2 * eps) * base[c]
    return out


def normalise_minmax_range(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series, *,
                           lower: float = 0.0, upper: float = 1.0, bounded_policy: str = "keep",
                           constant_value: float | None = None) -> pd.DataFrame:
    """Min–max rescaled into ``[lower, upper]`` (e.g. ``0.002 + 0.998·minmax`` or ``0.1 + 0.9·minmax``).

    Notes
    -----
    ``z = L + (U − L)·minmax(x)`` with cost columns reversed inside ``minmax``. Chinese entropy
    studies use this to keep every value positive before ``ln``: ``[0.002, 1]`` ("0.998·x' + 0.002")
    and ``[0.1, 1]`` are common. Bounded (middle/interval) columns follow ``bounded_policy`` like
    :func:`normalise_minmax`; a constant column becomes ``constant_value`` (default ``L``).

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §5 (min–max, rescaled range).
    """
    if not upper > lower:
        raise MethodError(f"minmax_range: upper {upper} must exceed lower {lower}")
    base = normalise_minmax(x, direction, bounded, bounded_policy=bounded_policy, constant_value=np.nan)
    out = lower + (upper - lower) * base
    for c in out.columns:
        if bounded[c] and bounded_policy == "keep":
            out[c] = base[c]
        elif base[c].isna().all():
            out[c] = lower if constant_value is None else constant_value
    return out


def normalise_zscore(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series, *,
                     ddof: int = 1) -> pd.DataFrame:
    """Z-score standardisation ``(x − mean)/sd`` (sd with ``ddof``), sign flipped for cost columns.

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §5 (standardisation).
    """
    out = x.astype(float).copy()
    mean, sd = out.mean(), out.std(ddof=ddof)
    for c in out.columns:
        if not np.isfinite(sd[c]) or sd[c] == 0:
            out[c] = 0.0
        else:
            out[c] = direction[c] * (out[c] - mean[c]) / sd[c]
    return out


def normalise_goalposts(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series, *,
                        goalposts: dict[str, tuple[float, float]] | None = None,
                        clip: bool = True) -> pd.DataFrame:
    """Distance between fixed goalposts (lower, upper), clipped to [0, 1].

    Notes
    -----
    Benefit: ``(x − L)/(U − L)``; cost: ``(U − x)/(U − L)``. Goalposts make scores comparable over
    time because they do not move with the data.

    References
    ----------
    UNDP Human Development Report technical notes (goalposts); COINr ``n_goalposts``.
    """
    goalposts = goalposts or {}
    out = x.astype(float).copy()
    for c in out.columns:
        if c not in goalposts:
            raise MethodError(f"normalise_goalposts: indicator {c!r} has no goalposts")
        lo, hi = (float(v) for v in goalposts[c])
        if hi <= lo:
            raise MethodError(f"normalise_goalposts: indicator {c!r} goalposts {lo}, {hi} not increasing")
        v = (out[c] - lo) / (hi - lo) if direction[c] > 0 else (hi - out[c]) / (hi - lo)
        out[c] = v.clip(0, 1) if clip else v
    return out


def normalise_vector(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series) -> pd.DataFrame:
    """Vector normalisation ``x/√Σx²`` (TOPSIS convention of Hwang & Yoon 1981).

    Cost columns are not reversed here (TOPSIS handles direction through the ideal point);
    use this method only with benefit/middle/interval indicators outside TOPSIS.
    """
    if (direction < 0).any():
        raise MethodError("normalise_vector keeps cost columns as they are; use it through score_topsis")
    norm = np.sqrt((x.astype(float) ** 2).sum())
    return x.astype(float) / norm.replace(0, np.nan)


def normalise_sum(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series) -> pd.DataFrame:
    """Proportion of the column total ``x/Σx`` (for benefit columns of non-negative data)."""
    if (direction < 0).any():
        raise MethodError("normalise_sum cannot reverse cost columns; declare them as middle/interval or use minmax")
    return x.astype(float) / x.astype(float).sum().replace(0, np.nan)


def normalise_none(x: pd.DataFrame, direction: pd.Series, bounded: pd.Series) -> pd.DataFrame:
    """Identity (raw values used as scores); only for benefit-oriented columns."""
    if (direction < 0).any():
        raise MethodError("normalise_none cannot reverse cost columns")
    return x.astype(float).copy()


NORMALISERS: dict[str, Callable[..., pd.DataFrame]] = {
    "minmax": normalise_minmax,
    "eps_shrink": normalise_eps_shrink,
    "minmax_range": normalise_minmax_range,
    "zscore": normalise_zscore,
    "goalposts": normalise_goalposts,
    "vector": normalise_vector,
    "sum": normalise_sum,
    "none": normalise_none,
}


def normalise(name: str, x: pd.DataFrame, direction: pd.Series, bounded: pd.Series, **params) -> pd.DataFrame:
    """Dispatch to ``normalise_<name>``; unknown names raise :class:`MethodError`."""
    try:
        fn = NORMALISERS[name]
    except KeyError:
        raise MethodError(f"unknown normalisation {name!r} (allowed: {', '.join(NORMALISERS)})") from None
    return fn(x, direction, bounded, **params)
