"""Aggregation: Hwang & Yoon TOPSIS example, invariants, pymcdm cross-checks, obstacle degree."""
import numpy as np
import pandas as pd
import pytest
from pymcdm.methods import TOPSIS
from pymcdm.normalizations import minmax_normalization, vector_normalization

from iplayout.methods.scores import (SCORERS, get_score, obstacle_degree, score_geometric, score_topsis,
                                     score_weighted_sum)

# Hwang C.L., Yoon K. (1981) Multiple Attribute Decision Making, Springer, fighter-aircraft example
# (4 aircraft × 6 attributes: max speed, ferry range, max payload, acquisition cost (cost),
# reliability, manoeuvrability; qualitative ratings already on the interval scale).
AIRCRAFT = pd.DataFrame([[2.0, 1500, 20000, 5.5, 5, 9],
                         [2.5, 2700, 18000, 6.5, 3, 5],
                         [1.8, 2000, 21000, 4.5, 7, 7],
                         [2.2, 1800, 20000, 5.0, 5, 5]],
                        columns=["speed", "range", "payload", "cost", "reliability", "manoeuvrability"],
                        index=["A1", "A2", "A3", "A4"])
AIRCRAFT_W = pd.Series([0.2, 0.1, 0.1, 0.1, 0.2, 0.3], index=AIRCRAFT.columns)
AIRCRAFT_DIR = pd.Series([1, 1, 1, -1, 1, 1], index=AIRCRAFT.columns)


def test_topsis_hwang_yoon_1981_aircraft():
    # Published relative closeness C* = 0.643, 0.268, 0.613, 0.312 (Hwang & Yoon 1981, TOPSIS
    # example; intermediate values rounded in the book, hence the 1.5e-3 tolerance).
    c = score_topsis(AIRCRAFT, AIRCRAFT_W, x=AIRCRAFT, direction=AIRCRAFT_DIR)
    np.testing.assert_allclose(c, [0.643, 0.268, 0.613, 0.312], atol=1.5e-3)
    assert list(c.rank(ascending=False).astype(int)) == [1, 4, 2, 3]
    # full precision, cross-checked against pymcdm 1.x TOPSIS(vector_normalization)
    np.testing.assert_allclose(c, [0.643277, 0.268384, 0.613542, 0.312291], atol=5e-7)


@pytest.mark.parametrize("seed", range(5))
def test_topsis_matches_pymcdm_vector_and_minmax(seed):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(1, 100, size=(15, 6)), columns=list("abcdef"))
    w = pd.Series(rng.dirichlet(np.ones(6)), index=x.columns)
    d = pd.Series(rng.choice([-1, 1], size=6), index=x.columns)
    ours = score_topsis(x, w, x=x, direction=d)
    theirs = TOPSIS(vector_normalization)(x.to_numpy(), w.to_numpy(), d.to_numpy())
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    # minmax variant: z is the benefit-oriented min–max matrix
    lo, hi = x.min(), x.max()
    z = x.copy()
    for c in x.columns:
        z[c] = (x[c] - lo[c]) / (hi[c] - lo[c]) if d[c] > 0 else (hi[c] - x[c]) / (hi[c] - lo[c])
    ours_mm = score_topsis(z, w, norm="minmax")
    theirs_mm = TOPSIS(minmax_normalization)(x.to_numpy(), w.to_numpy(), d.to_numpy())
    np.testing.assert_allclose(ours_mm, theirs_mm, rtol=1e-10)


def test_topsis_invariant_to_positive_column_scaling():
    scaled = AIRCRAFT.copy()
    scaled["range"] *= 1.609  # miles → km
    scaled["cost"] *= 1e6
    a = score_topsis(AIRCRAFT, AIRCRAFT_W, x=AIRCRAFT, direction=AIRCRAFT_DIR)
    b = score_topsis(scaled, AIRCRAFT_W, x=scaled, direction=AIRCRAFT_DIR)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_weighted_sum_and_geometric():
    z = pd.DataFrame({"a": [0.5, 1.0], "b": [0.5, 0.25]})
    w = pd.Series([0.5, 0.5], index=["a", "b"])
    assert score_weighted_sum(z, w).tolist() == [50.0, 62.5]
    np.testing.assert_allclose(score_geometric(z, w), [50.0, 50.0])  # √(1 × 0.25) = 0.5
    z0 = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 1.0]})
    assert score_geometric(z0, w).tolist() == [0.0, 100.0]


def test_obstacle_degree_sums_to_one_and_zero_at_max():
    z = pd.DataFrame({"a": [0.2, 1.0], "b": [0.6, 1.0], "c": [1.0, 1.0]})
    w = pd.Series([0.5, 0.3, 0.2], index=list("abc"))
    ind, sub = obstacle_degree(z, w, pd.Series({"a": "ip", "b": "ip", "c": "ind"}))
    # unit 0: F·I = (0.4, 0.12, 0) → O = (0.769231, 0.230769, 0)
    np.testing.assert_allclose(ind.iloc[0], [0.4 / 0.52, 0.12 / 0.52, 0.0])
    assert ind.iloc[1].tolist() == [0.0, 0.0, 0.0]
    assert sub.loc[0, "ip"] == pytest.approx(1.0) and sub.loc[0, "ind"] == 0.0


def test_registry():
    import iplayout.methods.scores as mod
    for name, fn in SCORERS.items():
        assert fn is getattr(mod, f"score_{name}")
    with pytest.raises(Exception, match="unknown aggregation"):
        get_score("median", AIRCRAFT, AIRCRAFT_W)
