"""Regression, location quotient, density, headline profile and scorecard on small hand-built tables."""
import numpy as np
import pandas as pd
import pytest

from iplayout.errors import DataError, MethodError
from iplayout.survey import (fit_output_on_input, headline_table, ip_density, location_quotient, nearest_peers,
                             productivity_ratios, strengths_weaknesses)


def test_productivity_ratios_units():
    df = pd.DataFrame({"patent_grants": [250290.0], "rd_expenditure": [18_012_000.0], "rd_personnel_fte": [0.0]},
                      index=["320000"])
    out = productivity_ratios(df)
    # 江苏 2015: 250,290 grants / 1,801.2 亿元 R&D = 138.96 件/亿元
    assert out.loc["320000", "per_100m_rd"] == pytest.approx(250290 / 1801.2)
    assert np.isnan(out.loc["320000", "per_100_fte"])


def test_regression_recovers_known_elasticity_and_flags_outlier():
    x = np.array([1, 2, 4, 8, 16, 32, 64, 128], dtype=float)
    y = 3.0 * x ** 0.8
    y[5] *= 6  # one region far above the line
    df = pd.DataFrame({"rd": x, "pat": y}, index=[f"r{i}" for i in range(8)])
    res = fit_output_on_input(df, x="rd", y="pat")
    assert res.stats["n"] == 8
    assert res.points.loc["r5", "outlier"]
    assert res.points["outlier"].sum() <= 2
    clean = fit_output_on_input(pd.DataFrame({"rd": x, "pat": 3.0 * x ** 0.8}, index=df.index), x="rd", y="pat")
    assert clean.stats["elasticity"] == pytest.approx(0.8)
    assert clean.stats["r2"] == pytest.approx(1.0)
    # band brackets the fit and spans the observed x range
    assert (res.band["ci_low"] <= res.band["fit"] + 1e-9).all() and (res.band["fit"] <= res.band["ci_high"] + 1e-9).all()
    assert res.band["x"].iloc[0] == pytest.approx(1) and res.band["x"].iloc[-1] == pytest.approx(128)


def test_regression_matches_numpy_polyfit_in_levels():
    rng = np.random.default_rng(7)
    x = rng.uniform(1, 10, 20)
    y = 2 + 0.5 * x + rng.normal(0, 0.3, 20)
    res = fit_output_on_input(pd.DataFrame({"x": x, "y": y}), x="x", y="y", log=False)
    slope, icpt = np.polyfit(x, y, 1)
    assert res.coefficients.set_index("term").loc["slope", "estimate"] == pytest.approx(slope)
    assert res.coefficients.set_index("term").loc["intercept", "estimate"] == pytest.approx(icpt)


def test_regression_needs_data():
    with pytest.raises(MethodError):
        fit_output_on_input(pd.DataFrame({"x": [1, 2, 0], "y": [1, 2, 3]}), x="x", y="y")


def test_location_quotient_hand_example():
    # region a: 20 of 100 in the industry; territory: 30 of 300 -> LQ_a = 0.2/0.1 = 2; b: 10/200 / 0.1 = 0.5
    lq = location_quotient(pd.Series({"a": 20.0, "b": 10.0, "c": np.nan}), pd.Series({"a": 100.0, "b": 200.0, "c": 50.0}))
    assert lq["a"] == pytest.approx(2.0) and lq["b"] == pytest.approx(0.5) and np.isnan(lq["c"])
    # invariance: the whole-weighted mean of LQ over regions is 1
    w = pd.Series({"a": 100.0, "b": 200.0})
    assert (lq[["a", "b"]] * w / w.sum()).sum() == pytest.approx(1.0)


def test_ip_density():
    df = pd.DataFrame({"industry_patent_applications": [100.0, 50.0], "industry_revenue": [50.0, 0.0],
                       "industry_enterprises": [20.0, 10.0]}, index=["a", "b"])
    out = ip_density(df)
    assert out.loc["a", "per_100m_revenue"] == 2.0 and out.loc["a", "per_enterprise"] == 5.0
    assert np.isnan(out.loc["b", "per_100m_revenue"])


def _panel():
    idx = pd.MultiIndex.from_product([["a", "b", "c"], [2010, 2015]], names=["region_code", "year"])
    return pd.DataFrame({
        "patent_grants": [100, 161.051, 50, 60, 10, 30],
        "patent_grants_invention": [10, 40.26275, 5, 6, 1, 3],
        "population": [1000, 1000, 500, 500, 100, 100],
        "gdp": [5000, 8000, 1000, 1200, 200, 300],
    }, index=idx)


def test_headline_table_values():
    t = headline_table(_panel(), year=2015, indicators=["patent_grants", "not_there"], region="a")
    row = t.iloc[0]
    assert len(t) == 1 and row["indicator_code"] == "patent_grants"
    assert row["rank"] == 1 and row["n_regions"] == 3
    assert row["share"] == pytest.approx(161.051 / 251.051)
    assert row["per_10k_pop"] == pytest.approx(0.161051)
    assert row["per_100m_gdp"] == pytest.approx(161.051 / 8000)
    assert row["cagr"] == pytest.approx(0.10) and row["cagr_start_year"] == 2010
    assert row["invention_share"] == pytest.approx(0.25)


def test_headline_table_requires_index():
    with pytest.raises(DataError):
        headline_table(_panel().reset_index(), year=2015, indicators=["patent_grants"])


def test_strengths_weaknesses_and_peers():
    m = pd.DataFrame({"x1": [1, 2, 3, 10], "x2": [10, 8, 6, 1], "x3": [5, 5, 6, 5]}, index=["a", "b", "c", "d"])
    sw = strengths_weaknesses(m, "d", k=1)
    # d: x1 norm 1 vs median .167 -> +.833 strength; x2 norm 0 vs median .611 -> weakness
    assert sw.iloc[0]["indicator_code"] == "x1" and sw.iloc[0]["kind"] == "strength"
    assert sw.iloc[0]["deviation"] == pytest.approx(1 - (1 / 9 + 2 / 9) / 2)
    assert sw.iloc[-1]["indicator_code"] == "x2" and sw.iloc[-1]["kind"] == "weakness"
    # a cost direction flips the reading of x2
    sw2 = strengths_weaknesses(m, "d", k=2, directions=pd.Series({"x2": -1}))
    assert set(sw2[sw2.kind == "strength"].indicator_code) == {"x1", "x2"}
    peers = nearest_peers(m, "a", k=2)
    assert peers.region_code.tolist()[0] == "b"
    with pytest.raises(DataError):
        nearest_peers(m, "zz")


def test_headline_table_min_n_blanks_rank_and_share():
    panel = _panel()
    panel.loc[("b", 2015), "patent_grants"] = np.nan
    panel.loc[("c", 2015), "patent_grants"] = np.nan
    row = headline_table(panel, year=2015, indicators=["patent_grants"], region="a", min_n=2).iloc[0]
    assert np.isnan(row["rank"]) and np.isnan(row["share"]) and row["n_regions"] == 1
    assert row["value"] == pytest.approx(161.051)  # the value itself is still reported
