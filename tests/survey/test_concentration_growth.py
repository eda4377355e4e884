"""Golden numbers computed by hand (shown in comments) for concentration and growth measures."""
import math

import numpy as np
import pandas as pd
import pytest

from iplayout.errors import DataError, MethodError
from iplayout.survey import (cagr, cagr_table, concentration_ratio, concentration_table, gini, hhi,
                             leaders_laggards, lorenz_curve)


def test_gini_hand_example():
    # x = 1,2,3,4: sum|xi-xj| over ordered pairs = 2*(1+2+3+1+2+1) = 20; G = 20/(2*16*2.5) = 0.25
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert gini([4, 3, 2, 1]) == pytest.approx(0.25)  # order-free
    assert gini([1, 2, 3, 4], correction=True) == pytest.approx(0.25 * 4 / 3)


def test_gini_bounds():
    assert gini([5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)            # (n-1)/n
    assert gini([0, 0, 0, 10], correction=True) == pytest.approx(1.0)
    assert gini([2, 4, 6]) == pytest.approx(gini([20, 40, 60]))  # scale invariance


def test_hhi_and_cr3_hand_example():
    # shares .1 .2 .3 .4 -> HHI = .01+.04+.09+.16 = .30; CR3 = .9
    assert hhi([1, 2, 3, 4]) == pytest.approx(0.30)
    assert hhi([1, 2, 3, 4], scale=10_000) == pytest.approx(3000)
    assert concentration_ratio([1, 2, 3, 4], k=3) == pytest.approx(0.9)
    assert concentration_ratio([1, 2], k=3) == pytest.approx(1.0)


def test_lorenz_curve_points():
    lc = lorenz_curve(pd.Series([1, 2, 3, 4], index=list("abcd")))
    np.testing.assert_allclose(lc["pop_share"], [0, .25, .5, .75, 1])
    np.testing.assert_allclose(lc["value_share"], [0, .1, .3, .6, 1])
    assert lc["region"].tolist() == ["", "a", "b", "c", "d"]
    # area under the Lorenz curve (trapezoid) = (1 - G)/2
    area = np.trapezoid(lc["value_share"], lc["pop_share"])
    assert 1 - 2 * area == pytest.approx(gini([1, 2, 3, 4]))


def test_bad_inputs_raise_our_errors():
    with pytest.raises(DataError) as e:
        gini(pd.Series([1, -2], index=["320100", "320200"]))
    assert "320200" in str(e.value)
    with pytest.raises(MethodError):
        hhi([0, 0])
    with pytest.raises(MethodError):
        concentration_ratio([1, 2], k=0)


def test_concentration_table_groups():
    long = pd.DataFrame({"indicator_code": ["a"] * 4 + ["b"] * 2, "year": [2020] * 6,
                         "value": [1, 2, 3, 4, 5, np.nan]})
    t = concentration_table(long)
    a = t[t.indicator_code == "a"].iloc[0]
    assert a["n"] == 4 and a["gini"] == pytest.approx(0.25) and a["cr3"] == pytest.approx(0.9)
    assert t[t.indicator_code == "b"].iloc[0]["n"] == 1


def test_cagr_golden_and_edge_cases():
    # 100 -> 161.051 over 5 years is exactly 10 % a year (1.1**5 = 1.61051)
    assert cagr(100, 161.051, 5) == pytest.approx(0.10)
    # 江苏 patent grants 2010 138,382 -> 2015 250,290 (科技统计年鉴): (250290/138382)**(1/5)-1
    assert cagr(138382, 250290, 5) == pytest.approx((250290 / 138382) ** 0.2 - 1)
    assert math.isnan(cagr(0, 10, 5))
    np.testing.assert_allclose(cagr([100, 0], [121, 5], 2), [0.1, np.nan])
    with pytest.raises(MethodError):
        cagr(1, 2, 0)


def test_cagr_table_uses_available_window():
    long = pd.DataFrame({"region_code": ["r1"] * 3 + ["r2"] * 2, "indicator_code": "x",
                         "year": [2015, 2018, 2020, 2017, 2020], "value": [100, 130, 161.051, 10, 13.31]})
    t = cagr_table(long, end_year=2020, span=5).set_index("region_code")
    assert t.loc["r1", "cagr"] == pytest.approx(0.10) and t.loc["r1", "start_year"] == 2015
    assert t.loc["r2", "cagr"] == pytest.approx(0.10) and t.loc["r2", "years"] == 3


def test_leaders_laggards_deterministic():
    r = pd.Series({"a": 0.1, "b": 0.3, "c": -0.1, "d": 0.2, "e": np.nan, "f": 0.1})
    t = leaders_laggards(r, n=2)
    assert t[t.group == "leader"].region_code.tolist() == ["b", "d"]
    assert t[t.group == "laggard"].region_code.tolist() == ["c", "f"]


def test_concentration_table_min_n_drops_thin_groups():
    long = pd.DataFrame({"indicator_code": ["a"] * 4 + ["b"] * 2, "year": [2020] * 6, "value": [1, 2, 3, 4, 5, 6]})
    t = concentration_table(long, min_n=3)
    assert t["indicator_code"].tolist() == ["a"]
