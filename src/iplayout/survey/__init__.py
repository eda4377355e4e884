"""Descriptive analytics for the resource survey (资源调查): pure functions on pandas objects.

No database, no files: stages read the database and pass plain Series/DataFrames here.
"""
from .concentration import concentration_ratio, concentration_table, gini, hhi, lorenz_curve
from .growth import cagr, cagr_table, leaders_laggards
from .industry import ip_density, location_quotient
from .productivity import RegressionResult, fit_output_on_input, productivity_ratios
from .profile import headline_table
from .scorecard import nearest_peers, strengths_weaknesses

__all__ = [
    "RegressionResult",
    "cagr",
    "cagr_table",
    "concentration_ratio",
    "concentration_table",
    "fit_output_on_input",
    "gini",
    "headline_table",
    "hhi",
    "ip_density",
    "leaders_laggards",
    "location_quotient",
    "lorenz_curve",
    "nearest_peers",
    "productivity_ratios",
    "strengths_weaknesses",
]
