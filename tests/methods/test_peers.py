"""Structural peers: hand-computed distance (3 regions × 4 indicators, two dimensions) and the skewness ladder."""
import numpy as np
import pandas as pd
import pytest

from iplayout.errors import DataError, MethodError
from iplayout.methods.peers import (correct_skew, indicator_weights, nearest_peers, pairwise_long, skewness,
                                    structural_distance)

# equally spaced columns (skewness 0, so no transform) with sample sd chosen so the z-scores are −1, 0, 1
TABLE = pd.DataFrame({"i1": [1, 2, 3], "i2": [10, 30, 20], "i3": [0, 4, 2], "i4": [7, 5, 6]},
                     index=pd.Index(["A", "B", "C"], name="region_code"))
DIMS = {"D1": ["i1", "i2"], "D2": ["i3", "i4"]}


def test_distance_hand_computed():
    # z: A = (−1, −1, −1, 1), B = (0, 1, 1, −1), C = (1, 0, 0, 0); each indicator weighs 1/2 / 2 = 0.25
    # d(A,B) = 0.25·(1 + 4 + 4 + 4) = 3.25; d(A,C) = 0.25·(4 + 1 + 1 + 1) = 1.75; d(B,C) = 0.25·4 = 1.0
    dist, audit = structural_distance(TABLE, DIMS)
    assert dist.loc["A", "B"] == pytest.approx(3.25)
    assert dist.loc["A", "C"] == pytest.approx(1.75)
    assert dist.loc["B", "C"] == pytest.approx(1.0)
    assert np.allclose(dist.to_numpy(), dist.to_numpy().T) and np.allclose(np.diag(dist), 0)
    assert set(audit["transform"]) == {"none"} and audit["weight"].tolist() == [0.25] * 4


def test_dimension_weights_split_over_indicators():
    w = indicator_weights(DIMS, {"D1": 3, "D2": 1})
    assert w.to_dict() == {"i1": 0.375, "i2": 0.375, "i3": 0.125, "i4": 0.125}
    dist, _ = structural_distance(TABLE, DIMS, dimension_weights={"D1": 3, "D2": 1})
    assert dist.loc["A", "B"] == pytest.approx(0.375 * (1 + 4) + 0.125 * (4 + 4))  # 2.875


def test_nearest_peers_order_and_k():
    dist, _ = structural_distance(TABLE, DIMS)
    near = nearest_peers(dist, k=1)
    assert near.set_index("region_code")["peer_code"].to_dict() == {"A": "C", "B": "C", "C": "B"}
    long = pairwise_long(dist, k=1)
    assert len(long) == 6 and long["nearest"].sum() == 3
    with pytest.raises(MethodError):
        nearest_peers(dist, k=0)


@pytest.mark.parametrize("values, expected", [
    (np.arange(1, 7), "none"),                # symmetric
    (np.arange(1, 8) ** 3, "sqrt"),           # G1 1.16 → sqrt 0.38: the mildest rung under 1
    (np.arange(1, 8) ** 6, "cbrt"),           # G1 1.98 → sqrt 1.16 → cbrt 0.69
    (np.exp(2 * np.arange(1, 8)), "log"),     # G1 2.55 → sqrt 2.06 → cbrt 1.62 → log 0
    (400 - np.arange(1, 8) ** 3, "sqrt"),     # left skew: reflected, then the same rule
])
def test_skew_correction_picks_the_documented_rung(values, expected):
    y, rec = correct_skew(pd.Series(values, dtype=float), threshold=1.0)
    assert rec["transform"] == expected
    assert abs(rec["skew_after"]) <= 1.0
    assert abs(rec["skew_before"]) == pytest.approx(abs(skewness(values)))


def test_skew_correction_falls_back_to_smallest_skew():
    # 1,2,3,4,5,100: no rung reaches |G1| ≤ 1; log has the smallest (1.74)
    y, rec = correct_skew(pd.Series([1, 2, 3, 4, 5, 100], dtype=float), threshold=1.0)
    assert rec["transform"] == "log" and rec["skew_after"] == pytest.approx(1.739, abs=1e-3)
    # a single outlier among ties cannot be fixed by a monotone transform: keep the data as is
    _, rec = correct_skew(pd.Series([1, 1, 1, 1, 1, 1, 1000], dtype=float))
    assert rec["transform"] == "none"


def test_missing_value_is_located():
    t = TABLE.astype(float).copy()
    t.loc["B", "i3"] = np.nan
    with pytest.raises(DataError, match="i3"):
        structural_distance(t, DIMS)
