"""Complementarity of specialisation profiles and the division of labour rule."""
import numpy as np
import pandas as pd
import pytest

from iplayout.methods.specialisation import complementarity, division_of_labour


def test_complementarity_hand_case():
    lq = pd.DataFrame({"X": [2.0, 0.5, 2.0], "Y": [0.5, 2.0, 0.5]}, index=["A", "B", "C"])
    k = complementarity(lq)  # symmetric: A = (1/3, −1/3), B = −A → cosine −1 → 2
    assert k.loc["A", "B"] == pytest.approx(2.0) and k.loc["A", "C"] == pytest.approx(0.0)
    raw = complementarity(lq, symmetric=False)  # A·B = 2, |A|² = 4.25 → 1 − 2/4.25
    assert raw.loc["A", "B"] == pytest.approx(1 - 2 / 4.25)
    assert np.allclose(k.to_numpy(), k.to_numpy().T)


def test_flat_profile_has_no_direction():
    lq = pd.DataFrame({"X": [1.0, 2.0], "Y": [1.0, 0.5]}, index=["A", "B"])
    k = complementarity(lq)
    assert np.isnan(k.loc["A", "B"]) and k.loc["A", "A"] == 0


def test_division_of_labour_rules():
    lq = pd.DataFrame({"X": [1.5, 1.05, 0.5, np.nan]}, index=["A", "B", "C", "D"])
    share = pd.DataFrame({"X": [0.5, 0.1, 0.4, 0.0]}, index=["A", "B", "C", "D"])
    roles = division_of_labour(lq, share).set_index("region_code")["role"].to_dict()
    assert roles == {"A": "引领", "B": "协同", "C": "协同", "D": "配套"}
    strict = division_of_labour(lq, share, {"collab_share": 0.5}).set_index("region_code")["role"]
    assert strict["C"] == "配套"
