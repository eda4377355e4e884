"""Class breaks: hand-computed bounds and the exact optimum of Fisher–Jenks checked by brute force."""
from itertools import combinations

import numpy as np
import pytest

from iplayout.explore.breaks import class_of, fixed_breaks, jenks_breaks, quantile_breaks


def test_quantile_breaks_type7_by_hand():
    # n = 10, p = 0.2: position (n − 1)p = 1.8 → 2 + 0.8 × (3 − 2) = 2.8, and so on
    assert quantile_breaks(range(1, 11), 5) == pytest.approx([2.8, 4.6, 6.4, 8.2, 10.0])
    assert quantile_breaks([np.nan, 4.0, 4.0, 4.0]) == [4.0]  # ties merge, NaN ignored
    assert quantile_breaks([]) == []


def test_jenks_three_obvious_groups():
    assert jenks_breaks([1, 2, 3, 10, 11, 12, 20, 21, 22], 3) == [3.0, 12.0, 22.0]
    assert jenks_breaks([5, 1, 9, 2], 2) == [2.0, 9.0]  # order of the input does not matter
    assert jenks_breaks([7, 7, 7], 5) == [7.0]  # fewer distinct values than classes


def _ssd(groups):
    return sum(((g - g.mean()) ** 2).sum() for g in groups)


@pytest.mark.parametrize("seed", range(5))
def test_jenks_is_the_minimum_over_all_partitions(seed):
    x = np.sort(np.random.default_rng(seed).lognormal(size=11))
    k = 4
    best = min(_ssd(np.split(x, list(c))) for c in combinations(range(1, len(x)), k - 1))
    bounds = jenks_breaks(x, k)
    cuts = [int(np.searchsorted(x, b, side="right")) for b in bounds[:-1]]
    assert len(bounds) == k and bounds[-1] == x[-1]
    assert _ssd(np.split(x, cuts)) == pytest.approx(best)


def test_fixed_breaks_and_class_lookup():
    assert fixed_breaks([0.0, 10.0, np.nan], 5) == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert fixed_breaks([3.0, 3.0]) == [3.0]
    b = [2.0, 4.0, 10.0]
    assert [class_of(v, b) for v in (0.5, 2.0, 2.1, 10.0, 99.0)] == [0, 0, 1, 2, 2]
    assert class_of(float("nan"), b) is None and class_of(1.0, []) is None
