"""The seeded demo generator's building blocks."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iplayout.config import data_dir
from iplayout.db.build import collect
from iplayout.db.demo import anchor_to_real, largest_remainder


@pytest.mark.parametrize("total, weights", [(10, [1, 1, 1]), (250290, [5.2, 0.1, 3.3, 9.9]), (0, [1, 2]),
                                            (7, [0, 0, 0]), (1, [0.5, 0.5])])
def test_largest_remainder_sums_exactly(total, weights):
    parts = largest_remainder(total, np.array(weights, dtype=float))
    assert parts.sum() == total and (parts >= 0).all() and parts.dtype.kind == "i"
    w = np.array(weights, dtype=float)
    if w.sum() > 0:  # quota property of Hamilton's method: each part is floor or ceil of its quota
        quota = total * w / w.sum()
        assert (parts >= np.floor(quota)).all() and (parts <= np.ceil(quota)).all()


def test_largest_remainder_textbook_case():
    # Balinski & Young's classic: quotas 4.5, 3.3, 2.2 of 10 seats → 5, 3, 2
    assert largest_remainder(10, np.array([45, 33, 22.0])).tolist() == [5, 3, 2]


def test_anchor_to_real_passes_through_real_share():
    years = [2015, 2016, 2017]
    w = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [1.0, 1.0, 1.0]}, index=years)
    totals = pd.Series([100.0, 100.0, 100.0], index=years)
    real = pd.DataFrame({"region_code": ["a"], "year": [2016], "value": [75.0]})
    out = anchor_to_real(w, real, totals)
    share = out.div(out.sum(axis=1), axis=0)
    assert share.loc[2016, "a"] == pytest.approx(0.75)
    assert share.loc[2015, "a"] == pytest.approx(0.75)  # flat outside anchors
    assert out["b"].tolist() == pytest.approx([0.25, 0.25, 0.25])  # the others share the rest


def test_every_real_city_fact_is_kept_unchanged(db):
    real = collect(data_dir(), demo=False)["observations"]
    cities = set(db.members("320000")["code"])
    real = real[real["region_code"].isin(cities)].set_index(["region_code", "year", "indicator_code", "industry_code"])
    stored = db.observations(territory="320000", industries=None).set_index(
        ["region_code", "year", "indicator_code", "industry_code"])
    joined = real.join(stored[["value", "is_demo"]].add_suffix("_db"))
    assert len(joined) == len(real) > 300
    assert (joined["value"] == joined["value_db"]).all() and not joined["is_demo_db"].any()
