"""Coupling coordination: formulas, invariants, classes, boundary conventions."""
import numpy as np
import pandas as pd
import pytest

from iplayout.methods.coupling import (CLASSES, class_names, classify_d, coupling_coordination, coupling_degree,
                                       lagging_subsystem, relative_development)


def test_standard_two_subsystems_by_hand():
    # U = (0.2, 0.8): C = 2√(0.16)/1.0 = 0.8, T = 0.5, D = √0.4 (廖重斌 1999 form)
    u = pd.DataFrame({"ip": [0.2], "inn": [0.8]})
    r = coupling_coordination(u, pd.Series({"ip": 0.5, "inn": 0.5}))
    np.testing.assert_allclose(r.iloc[0], [0.8, 0.5, np.sqrt(0.4)], rtol=1e-12)


def test_wang2021_modified_c_two_and_three():
    # Wang et al. (2021) 自然资源学报 36(3) eq. for n = 2: C = √[(1 − (U2 − U1)) · U1/U2]
    u = pd.DataFrame({"a": [0.2], "b": [0.8]})
    assert coupling_degree(u, form="wang2021").iloc[0] == pytest.approx(np.sqrt(0.4 * 0.25))
    # n = 3, U = (0.3, 0.6, 0.9): Σ|Ui − Uj| = 0.3 + 0.6 + 0.3 = 1.2, Σm = 3;
    # Π(U/max) = (1/3)(2/3)(1) = 2/9 → C = √[(1 − 0.4) (2/9)^{1/2}]
    u3 = pd.DataFrame({"a": [0.3], "b": [0.6], "c": [0.9]})
    assert coupling_degree(u3, form="wang2021").iloc[0] == pytest.approx(np.sqrt(0.6 * np.sqrt(2 / 9)))


@pytest.mark.parametrize("form", ["standard", "wang2021"])
def test_c_bounds_and_equality(form):
    rng = np.random.default_rng(0)
    u = pd.DataFrame(rng.uniform(0.01, 1, size=(500, 3)), columns=list("abc"))
    c = coupling_degree(u, form=form)
    assert ((c >= 0) & (c <= 1)).all() and (c < 1 - 1e-9).all()
    eq = pd.DataFrame({"a": [0.3, 0.7], "b": [0.3, 0.7], "c": [0.3, 0.7]})
    np.testing.assert_allclose(coupling_degree(eq, form=form), [1.0, 1.0])


def test_zero_score_warns_and_gives_zero(caplog):
    u = pd.DataFrame({"a": [0.0, 0.5], "b": [0.4, 0.5]})
    with caplog.at_level("WARNING", logger="iplayout"):
        c = coupling_degree(u)
    assert c.tolist() == [0.0, 1.0]
    assert "exactly 0" in caplog.text


def test_class_boundaries():
    d = np.array([0.0, 0.05, 0.1, 0.3, 0.1 + 0.2, 0.95, 1.0])
    assert classify_d(d, boundary="left_closed").tolist() == [0, 0, 1, 3, 3, 9, 9]
    assert classify_d(d, boundary="right_closed").tolist() == [0, 0, 0, 2, 2, 9, 9]
    assert class_names(np.array([0, 5, 9])).tolist() == ["极度失调", "勉强协调", "优质协调"]
    assert len(CLASSES) == 10


def test_lagging_and_relative_development():
    u = pd.DataFrame({"ip": [0.2, 0.5, 0.9], "inn": [0.5, 0.5, 0.5]})
    assert lagging_subsystem(u).tolist() == ["ip", "ip", "inn"]  # tie → first column
    r = relative_development(u["ip"], u["inn"], lower=0.9, upper=1.1)
    assert r["relative"].tolist() == ["滞后", "同步", "超前"]
    np.testing.assert_allclose(r["E"], [0.4, 1.0, 1.8])
