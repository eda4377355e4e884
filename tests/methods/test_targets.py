"""Needed growth to close a gap by a target year: hand cases."""
import math

import pandas as pd
import pytest

from iplayout.methods.targets import compare_with_history, growth_history, needed_growth


def test_needed_growth_formula():
    rate, status = needed_growth(2.0, 8.0, 2)  # (8/2)^(1/2) − 1 = 1
    assert status == "needed" and rate == pytest.approx(1.0)
    rate, _ = needed_growth(100.0, 121.0, 2)
    assert rate == pytest.approx(0.10)


def test_gap_already_closed():
    assert needed_growth(10.0, 5.0, 7) == (0.0, "reached")
    assert needed_growth(5.0, 5.0, 7) == (0.0, "reached")


@pytest.mark.parametrize("current", [0.0, -1.0, None, float("nan")])
def test_zero_or_missing_base_is_undefined(current):
    rate, status = needed_growth(current, 5.0, 7)
    assert math.isnan(rate) and status == "no_base"


def test_no_target_or_no_time():
    assert needed_growth(1.0, None, 3)[1] == "no_target"
    assert needed_growth(1.0, 2.0, 0)[1] == "no_time"


def test_growth_history_and_comparison():
    s = pd.Series({2013: 100.0, 2014: 110.0, 2015: 121.0, 2016: 133.1, 2017: 133.1, 2018: 146.41, 2019: 500.0})
    h = growth_history(s, end_year=2018, span=5)
    assert h["cagr"] == pytest.approx(1.4641 ** (1 / 5) - 1) and h["cagr_start"] == 2013
    assert h["best_yoy"] == pytest.approx(0.10) and h["best_yoy_year"] == 2014  # 2019 lies after end_year
    assert compare_with_history(0.05, "needed", cagr=h["cagr"], best_yoy=h["best_yoy"]) == "within"
    assert compare_with_history(0.09, "needed", cagr=h["cagr"], best_yoy=h["best_yoy"]) == "above_trend"
    assert compare_with_history(0.25, "needed", cagr=h["cagr"], best_yoy=h["best_yoy"]) == "beyond"
    assert compare_with_history(0.0, "reached", cagr=h["cagr"], best_yoy=h["best_yoy"]) == "reached"
    assert compare_with_history(math.nan, "no_base", cagr=0.1, best_yoy=0.1) == "undefined"
    assert compare_with_history(0.1, "needed", cagr=math.nan, best_yoy=math.nan) == "unknown"
