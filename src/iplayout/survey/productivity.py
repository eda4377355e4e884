"""IP productivity: patents per unit of R&D input and the regression of IP output on R&D input."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import MethodError
from ._checks import require_columns, safe_ratio


def productivity_ratios(df: pd.DataFrame, *, output: str = "patent_grants", rd_expenditure: str = "rd_expenditure",
                        rd_personnel: str = "rd_personnel_fte") -> pd.DataFrame:
    """Patents per 亿元 of R&D expenditure and per 100 R&D person-years.

    Parameters
    ----------
    df : DataFrame
        One row per region; ``rd_expenditure`` in 万元 (as the yearbooks publish it), ``rd_personnel``
        in 人年 (full-time equivalent).

    Returns
    -------
    DataFrame
        Same index with ``per_100m_rd`` (件/亿元 R&D) and ``per_100_fte`` (件/百人年).

    Notes
    -----
    :math:`p_{rd} = y / (E/10^4)` with E in 万元 (10⁴ 万元 = 1 亿元); :math:`p_{fte} = 100\\,y / L`.
    A zero or missing denominator gives NaN, not infinity.
    """
    require_columns(df, [output, rd_expenditure, rd_personnel], where="productivity_ratios input")
    out = pd.DataFrame(index=df.index)
    out["per_100m_rd"] = safe_ratio(df[output], df[rd_expenditure] / 1e4)
    out["per_100_fte"] = safe_ratio(100.0 * df[output], df[rd_personnel])
    return out


@dataclass
class RegressionResult:
    """Fitted OLS of IP output on R&D input across regions.

    Attributes
    ----------
    coefficients : DataFrame  ``term, estimate, std_error, t, p_value, ci_low, ci_high``
    points : DataFrame        per region: ``x, y, fitted, resid_student, cooks_d, leverage, outlier``
    band : DataFrame          ``x, fit, ci_low, ci_high`` on a grid (original units) for the chart
    stats : dict              ``n, r2, adj_r2, elasticity, alpha, log, outlier_rule``
    """

    coefficients: pd.DataFrame
    points: pd.DataFrame
    band: pd.DataFrame
    stats: dict = field(default_factory=dict)


def fit_output_on_input(df: pd.DataFrame, *, x: str, y: str, log: bool = True, alpha: float = 0.05,
                        student_cut: float = 2.0, cooks_cut: float | None = None, grid: int = 60) -> RegressionResult:
    """OLS of IP output ``y`` on R&D input ``x`` across the regions of a territory.

    Parameters
    ----------
    df : DataFrame
        One row per region (index = region code) with columns ``x`` and ``y``; rows with a missing or
        (when ``log``) non-positive value are left out.
    log : bool, default True
        Fit :math:`\\ln y = a + b \\ln x` (slope = elasticity of IP output to R&D input); else levels.
    alpha : float
        1 − confidence level of the band for the mean fit.
    student_cut : float
        |externally studentized residual| above which a region is flagged as an outlier.
    cooks_cut : float, optional
        Cook's distance threshold; default :math:`4/n` (Bollen & Jackman 1990).

    Returns
    -------
    RegressionResult

    Notes
    -----
    Ordinary least squares (statsmodels ``OLS``); influence from ``get_influence()``: externally
    studentized residuals :math:`t_i = e_i / (s_{(i)}\\sqrt{1-h_{ii}})` and Cook's distance
    :math:`D_i = \\frac{e_i^2}{p s^2} \\frac{h_{ii}}{(1-h_{ii})^2}`. A region is an outlier when
    :math:`|t_i| > ` ``student_cut`` or :math:`D_i >` ``cooks_cut``. The band is the (1−α) confidence
    interval of the mean prediction, back-transformed with exp when ``log`` (a median, not mean, curve).

    References
    ----------
    Cook, R. D. (1977). Detection of influential observation in linear regression. *Technometrics*
    19(1), 15–18. Bollen, K. A., & Jackman, R. W. (1990). Regression diagnostics. In *Modern Methods
    of Data Analysis*, 257–291. Griliches, Z. (1990). Patent statistics as economic indicators. *JEL* 28(4).
    """
    # local, and the model module only: ``statsmodels.api`` imports every sub-package (≈ 2 s, most of a
    # stage preparation's serial start); the regression module alone ≈ 1 s less
    from statsmodels.regression.linear_model import OLS  # noqa: PLC0415

    require_columns(df, [x, y], where="fit_output_on_input input")
    d = df[[x, y]].astype("float64").dropna()
    if log:
        d = d[(d[x] > 0) & (d[y] > 0)]
    n = len(d)
    if n < 4:
        raise MethodError(f"regression of {y} on {x} needs at least 4 regions with data, got {n}")
    xv = np.log(d[x].to_numpy()) if log else d[x].to_numpy()
    yv = np.log(d[y].to_numpy()) if log else d[y].to_numpy()
    def with_constant(v):  # as sm.add_constant(v, has_constant="add"): the intercept column first
        return np.column_stack([np.ones_like(v), v])

    model = OLS(yv, with_constant(xv)).fit()
    infl = model.get_influence()
    stud = infl.resid_studentized_external
    cooks = infl.cooks_distance[0]
    cut = 4.0 / n if cooks_cut is None else float(cooks_cut)
    ci = model.conf_int(alpha)
    coefficients = pd.DataFrame({
        "term": ["intercept", "slope"], "estimate": model.params, "std_error": model.bse,
        "t": model.tvalues, "p_value": model.pvalues, "ci_low": ci[:, 0], "ci_high": ci[:, 1],
    })
    fitted = model.fittedvalues
    points = pd.DataFrame({
        "x": d[x].to_numpy(), "y": d[y].to_numpy(),
        "fitted": np.exp(fitted) if log else fitted,
        "resid_student": stud, "cooks_d": cooks, "leverage": infl.hat_matrix_diag,
    }, index=d.index)
    points["outlier"] = (np.abs(stud) > student_cut) | (cooks > cut)
    gx = np.linspace(xv.min(), xv.max(), grid)
    pred = model.get_prediction(with_constant(gx)).summary_frame(alpha=alpha)
    back = np.exp if log else (lambda v: v)
    band = pd.DataFrame({"x": back(gx), "fit": back(pred["mean"].to_numpy()),
                         "ci_low": back(pred["mean_ci_lower"].to_numpy()),
                         "ci_high": back(pred["mean_ci_upper"].to_numpy())})
    stats = {"n": int(n), "r2": float(model.rsquared), "adj_r2": float(model.rsquared_adj),
             "elasticity": float(model.params[1]), "alpha": float(alpha), "log": bool(log),
             "outlier_rule": f"|studentized residual| > {student_cut:g} or Cook's D > {cut:.3g}",
             "x": x, "y": y}
    return RegressionResult(coefficients=coefficients.reset_index(drop=True), points=points, band=band, stats=stats)
