"""Coupling coordination degree (耦合协调度) of n subsystems and the relative development degree."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError
from ..log import logger

#: The usual ten classes over D ∈ [0, 1] in steps of 0.1 (e.g. 廖重斌 1999 热带地理 19(2): 171–177).
CLASSES = ("极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调",
           "勉强协调", "初级协调", "中级协调", "良好协调", "优质协调")
CLASSES_EN = ("extreme imbalance", "serious imbalance", "moderate imbalance", "mild imbalance",
              "on the verge of imbalance", "barely coordinated", "primary coordination",
              "intermediate coordination", "good coordination", "high-quality coordination")


def coupling_array(x: np.ndarray, *, form: str = "standard", exponent: float | None = None) -> np.ndarray:
    """Coupling degree C for each row of ``x`` (rows × n subsystem scores ≥ 0); no logging.

    The numerical core shared by :func:`coupling_degree` and the Monte Carlo step, so both use
    exactly the same formula. See :func:`coupling_degree` for the conventions.
    """
    n = x.shape[1]
    if n < 2:
        raise MethodError("coupling needs at least 2 subsystems")
    zero = (x <= 0).any(axis=1)
    if form == "standard":
        s = x.sum(axis=1)
        gm = np.exp(np.log(np.where(x > 0, x, 1.0)).mean(axis=1))
        c = np.divide(n * gm, s, out=np.zeros_like(s), where=s > 0)
        if exponent is not None:
            # [ΠU / (ΣU/n)^n]^k = (n·(ΠU)^{1/n}/ΣU)^{n·k}
            c = c ** (n * float(exponent))
    elif form == "wang2021":
        if exponent is not None:
            raise MethodError("coupling: 'exponent' applies to the standard form only")
        mx = x.max(axis=1)
        diff = np.zeros(x.shape[0])
        for i in range(n):
            for j in range(i):
                diff += np.abs(x[:, i] - x[:, j])
        first = 1.0 - diff / (n * (n - 1) / 2)
        ratio = np.prod(np.divide(x, mx[:, None], out=np.zeros_like(x), where=mx[:, None] > 0), axis=1)
        c = np.sqrt(np.clip(first, 0, None) * ratio ** (1.0 / (n - 1)))
    else:
        raise MethodError(f"coupling: unknown form {form!r} (standard, wang2021)")
    return np.clip(np.where(zero, 0.0, c), 0.0, 1.0)


def coupling_degree(u: pd.DataFrame, *, form: str = "standard", exponent: float | None = None) -> pd.Series:
    """Coupling degree C of n subsystem scores per unit (rows of ``u``, values in [0, 1]).

    Parameters
    ----------
    form : {"standard", "wang2021"}
        ``standard``: ``C = n·(Π U_i)^{1/n} / Σ U_i`` (geometric over arithmetic mean; C ∈ [0, 1],
        C = 1 iff all U are equal). ``wang2021``: the modified C of Wang et al. (2021)
        ``C = √{[1 − Σ_{i>j} |U_i − U_j| / Σ_{m=1}^{n−1} m] · [Π_i (U_i / max U)]^{1/(n−1)}}``,
        which spreads C over [0, 1] instead of crowding it near 1.
    exponent : float, optional
        Standard form only: ``C = [Π U_i / (Σ U_i / n)^n]^k`` with ``k = exponent``; the default
        ``k = 1/n`` is the standard C above. 廖重斌 (1999) uses ``k = 2`` for two subsystems
        (``C = {f·g / [(f + g)/2]²}^k``, "调节系数 k ≥ 2").

    Notes
    -----
    A unit whose scores are all 0 gets C = 0 (the formula is 0/0); any exact 0 gives C = 0 in both
    forms and is logged as a warning.

    References
    ----------
    廖重斌 (1999) 环境与经济协调发展的定量评判及其分类体系. 热带地理 19(2): 171–177;
    王淑佳, 孔伟, 任亮, 等 (2021) 国内耦合协调度模型的误区及修正. 自然资源学报 36(3): 793–810.
    """
    x = u.to_numpy(float)
    if x.shape[1] < 2:
        raise MethodError("coupling needs at least 2 subsystems")
    if np.nanmin(x) < 0:
        raise MethodError("coupling needs non-negative subsystem scores (rescale them to [0, 1])")
    zero = (x == 0).any(axis=1)
    if zero.any():
        logger.warning("coupling: subsystem score exactly 0 for %s → C = 0", list(u.index[zero]))
    return pd.Series(coupling_array(x, form=form, exponent=exponent), index=u.index, name="C")


def coordination_level(u: pd.DataFrame, alpha: pd.Series) -> pd.Series:
    """Comprehensive coordination index ``T = Σ_i α_i U_i`` (α sums to 1)."""
    a = alpha.reindex(u.columns)
    if a.isna().any() or not np.isclose(a.sum(), 1.0):
        raise MethodError(f"coupling alpha must cover {list(u.columns)} and sum to 1, got {alpha.to_dict()}")
    return pd.Series(u.to_numpy(float) @ a.to_numpy(float), index=u.index, name="T")


def coupling_coordination(u: pd.DataFrame, alpha: pd.Series, *, form: str = "standard",
                          exponent: float | None = None) -> pd.DataFrame:
    """C, T and the coupling coordination degree ``D = √(C·T)``.

    References
    ----------
    廖重斌 (1999) 环境与经济协调发展的定量评判及其分类体系. 热带地理 19(2): 171–177;
    王淑佳 等 (2021) 自然资源学报 36(3): 793–810.
    """
    c = coupling_degree(u, form=form, exponent=exponent)
    t = coordination_level(u, alpha)
    return pd.DataFrame({"C": c, "T": t, "D": np.sqrt(c * t)})


def classify_d(d: pd.Series | np.ndarray, *, boundary: str = "left_closed") -> np.ndarray:
    """Index (0–9) of the coordination class of D.

    Notes
    -----
    Classes are tenths of [0, 1]. ``left_closed``: [0.0, 0.1), …, [0.9, 1.0] (D = 0.3 is 轻度失调);
    ``right_closed``: [0.0, 0.1], (0.1, 0.2], …, (0.9, 1.0] (D = 0.3 is 中度失调). Boundaries are
    compared after rounding D to 12 decimals so 0.3 computed as 0.30000000000000004 is not pushed
    across a boundary.
    """
    v = np.round(np.asarray(d, dtype=float), 12) * 10
    if boundary == "left_closed":
        k = np.floor(v)
    elif boundary == "right_closed":
        k = np.ceil(v) - 1
    else:
        raise MethodError(f"coupling: unknown boundary convention {boundary!r} (left_closed, right_closed)")
    return np.clip(k, 0, 9).astype(int)


def class_names(idx: np.ndarray, *, lang: str = "zh") -> np.ndarray:
    names = np.array(CLASSES if lang == "zh" else CLASSES_EN, dtype=object)
    return names[np.asarray(idx, dtype=int)]


def lagging_subsystem(u: pd.DataFrame) -> pd.Series:
    """Subsystem with the lowest score per unit (ties, after rounding to 12 decimals so that float
    noise does not pick a winner: the first in column order)."""
    return pd.Series(np.asarray(u.columns)[np.argmin(np.round(u.to_numpy(float), 12), axis=1)], index=u.index,
                     name="lagging", dtype=object).astype(str)


def rescale_panel(u: pd.DataFrame) -> pd.DataFrame:
    """Min–max rescaling of each subsystem score over the whole panel (optional step before coupling)."""
    lo, hi = u.min(), u.max()
    rng = (hi - lo).replace(0, np.nan)
    return ((u - lo) / rng).fillna(0.0)


def relative_development(u_a: pd.Series, u_b: pd.Series, *, lower: float = 0.9,
                         upper: float = 1.1, labels: tuple[str, str, str] = ("滞后", "同步", "超前")) -> pd.DataFrame:
    """Relative development degree ``E = U_a / U_b`` and its type.

    Notes
    -----
    ``E ≤ lower``: a lags b; ``lower < E < upper``: synchronous; ``E ≥ upper``: a leads b.
    ``U_b = 0`` gives E = +inf (leading) unless U_a is also 0 (synchronous).

    There is no standard threshold pair; 0.9 / 1.1 is a common choice in coupling-coordination
    studies and both are parameters (logged with the coupling step).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        e = u_a.to_numpy(float) / u_b.to_numpy(float)
    e = np.where((u_a.to_numpy(float) == 0) & (u_b.to_numpy(float) == 0), 1.0, e)
    kind = np.where(e <= lower, labels[0], np.where(e >= upper, labels[2], labels[1]))
    return pd.DataFrame({"E": e, "relative": kind.astype(str)}, index=u_a.index)
