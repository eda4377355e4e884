"""Data envelopment analysis (CCR and BCC, input or output orientation) via ``scipy.optimize.linprog``.

Used for "IP output per innovation input" efficiency: inputs such as R&D expenditure and R&D
personnel, outputs such as invention patent grants.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from ..errors import MethodError


def dea(inputs: pd.DataFrame, outputs: pd.DataFrame, *, model: str = "ccr",
        orientation: str = "input") -> pd.DataFrame:
    """Radial DEA efficiency of each decision-making unit (DMU).

    Parameters
    ----------
    inputs, outputs : pandas.DataFrame
        DMUs in rows (same index), strictly positive inputs and non-negative outputs.
    model : {"ccr", "bcc"}
        Constant (CCR) or variable (BCC, ``Σλ = 1``) returns to scale.
    orientation : {"input", "output"}
        Input: ``min θ s.t. Σ_j λ_j x_j ≤ θ x_o, Σ_j λ_j y_j ≥ y_o, λ ≥ 0``.
        Output: ``max φ s.t. Σ_j λ_j x_j ≤ x_o, Σ_j λ_j y_j ≥ φ y_o, λ ≥ 0``.

    Returns
    -------
    pandas.DataFrame
        ``efficiency`` (θ, or 1/φ for output orientation, so always in (0, 1]), ``phi`` (output
        orientation only, else NaN), ``efficient`` (efficiency ≥ 1 − 1e-9) and ``peers``
        (units with λ > 1e-9, ``;``-joined).

    Notes
    -----
    Envelopment (dual) form, solved with the HiGHS solver. Radial efficiency only: slacks are not
    reported, so a weakly efficient unit shows efficiency 1.

    References
    ----------
    Charnes A., Cooper W.W., Rhodes E. (1978) Measuring the efficiency of decision making units.
    *EJOR* 2: 429–444. Banker R.D., Charnes A., Cooper W.W. (1984) *Management Science* 30: 1078–1092.
    Cooper W.W., Seiford L.M., Tone K. (2007) *Data Envelopment Analysis*, 2nd ed., Springer, ch. 3–4.
    """
    if model not in ("ccr", "bcc"):
        raise MethodError(f"DEA: unknown model {model!r} (ccr, bcc)")
    if orientation not in ("input", "output"):
        raise MethodError(f"DEA: unknown orientation {orientation!r} (input, output)")
    if not inputs.index.equals(outputs.index):
        raise MethodError("DEA: inputs and outputs must have the same units")
    x = inputs.to_numpy(float).T  # m × n
    y = outputs.to_numpy(float).T  # s × n
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        raise MethodError("DEA: missing or infinite values")
    if (x <= 0).any() or (y < 0).any():
        bad = [f"unit {inputs.index[j]!r} input {inputs.columns[i]!r} = {x[i, j]:g}" for i, j in np.argwhere(x <= 0)]
        bad += [f"unit {outputs.index[j]!r} output {outputs.columns[i]!r} = {y[i, j]:g}" for i, j in np.argwhere(y < 0)]
        raise MethodError("DEA needs positive inputs and non-negative outputs: " + "; ".join(bad[:10]))
    m, n = x.shape
    s = y.shape[0]
    rows = []
    for o in range(n):
        # variables: [theta_or_phi, lambda_1..n]; minimise c·v
        if orientation == "input":
            c = np.r_[1.0, np.zeros(n)]
            a_in = np.c_[-x[:, o], x]          # Σλx − θ x_o ≤ 0
            a_out = np.c_[np.zeros(s), -y]     # −Σλy ≤ −y_o
            b = np.r_[np.zeros(m), -y[:, o]]
        else:
            c = np.r_[-1.0, np.zeros(n)]
            a_in = np.c_[np.zeros(m), x]       # Σλx ≤ x_o
            a_out = np.c_[y[:, o], -y]         # φ y_o − Σλy ≤ 0
            b = np.r_[x[:, o], np.zeros(s)]
        a_eq, b_eq = (np.r_[0.0, np.ones(n)][None, :], [1.0]) if model == "bcc" else (None, None)
        res = linprog(c, A_ub=np.r_[a_in, a_out], b_ub=b, A_eq=a_eq, b_eq=b_eq,
                      bounds=[(None, None)] + [(0, None)] * n, method="highs")
        if res.status != 0:
            raise MethodError(f"DEA LP failed for unit {inputs.index[o]!r}: {res.message}")
        v = res.x[0]
        eff = v if orientation == "input" else 1.0 / v
        lam = res.x[1:]
        peers = ";".join(str(inputs.index[j]) for j in np.flatnonzero(lam > 1e-9))
        rows.append((float(eff), float(v) if orientation == "output" else np.nan, bool(eff >= 1 - 1e-9), peers))
    return pd.DataFrame(rows, index=inputs.index, columns=["efficiency", "phi", "efficient", "peers"])
