"""Input checks shared by the survey functions (raise our own errors, never ``assert``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem


def as_values(values, *, name: str = "values", allow_nan: bool = False) -> pd.Series:
    """Return ``values`` as a float Series; reject negatives (counts and money cannot be negative).

    NaN is dropped unless ``allow_nan``; a negative value raises :class:`DataError` naming its label.
    """
    s = pd.Series(values, dtype="float64") if not isinstance(values, pd.Series) else values.astype("float64")
    if not allow_nan:
        s = s.dropna()
    neg = s[s < 0]
    if len(neg):
        raise DataError([Problem("negative value where a count or amount is expected", column=name, line=None,
                                 value=(str(k), float(v))) for k, v in neg.items()])
    return s


def require_columns(df: pd.DataFrame, columns, *, where: str) -> None:
    """Raise DataError naming every column of ``columns`` missing from ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError([Problem(f"missing column in {where}", column=c) for c in missing])


def safe_ratio(num, den):
    """num / den with NaN (not inf) where the denominator is zero or missing."""
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((den > 0) & np.isfinite(den), num / np.where(den == 0, 1.0, den), np.nan)
    return out
