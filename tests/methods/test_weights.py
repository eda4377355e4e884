"""Weighting family: golden values, invariants and cross-checks against pymcdm."""
import numpy as np
import pandas as pd
import pytest
from pymcdm import weights as pw

from iplayout.errors import MethodError
from iplayout.methods.normalise import normalise_minmax
from iplayout.methods.weights import (SAATY_RI, WEIGHTERS, ahp, combine_weights, get_weights, weights_ahp,
                                      weights_critic, weights_cv, weights_entropy, weights_equal, weights_pca)


def _rand(seed, n=12, k=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(0.5, 10, size=(n, k)), columns=[f"x{j}" for j in range(k)])


@pytest.mark.parametrize("name", ["entropy", "critic", "cv", "equal", "pca"])
def test_weights_sum_to_one_and_nonnegative(name):
    w = get_weights(name, _rand(3))
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert (w >= 0).all()


def test_entropy_closed_form_two_units():
    # Column (1, 2): p = (1/3, 2/3), e = −(1/3 ln 1/3 + 2/3 ln 2/3)/ln 2 = 0.9182958340544896
    # column (1, 3): p = (1/4, 3/4), e = 0.8112781244591328 (binary entropy, Shannon 1948)
    z = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 3.0]})
    e = np.array([0.9182958340544896, 0.8112781244591328])
    np.testing.assert_allclose(weights_entropy(z), (1 - e) / (1 - e).sum(), rtol=1e-12)


def test_entropy_constant_column_gets_zero_weight():
    z = _rand(1)
    z["const"] = 4.2
    w = weights_entropy(z)
    assert w["const"] == pytest.approx(0.0, abs=1e-15)
    # minmax turns a constant column into zeros: still weight 0 (p uniform by convention)
    zm = normalise_minmax(z, pd.Series(1, index=z.columns), pd.Series(False, index=z.columns))
    assert weights_entropy(zm)["const"] == 0.0


def test_entropy_zero_conventions_differ_and_are_named():
    z = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.2, 0.4, 1.0]})
    w0 = weights_entropy(z, zero="zero_log")
    ws = weights_entropy(z, zero="shift", shift=0.01)
    we = weights_entropy(z, zero="eps_shrink", eps=0.01)
    assert not np.allclose(w0, ws) and not np.allclose(w0, we)
    # zero_log: p_a = (0, 1/3, 2/3) → e_a = binary entropy of 1/3 over ln 3
    e_a = -(1 / 3 * np.log(1 / 3) + 2 / 3 * np.log(2 / 3)) / np.log(3)
    p_b = np.array([0.2, 0.4, 1.0]) / 1.6
    e_b = -(p_b * np.log(p_b)).sum() / np.log(3)
    np.testing.assert_allclose(w0, np.array([1 - e_a, 1 - e_b]) / (2 - e_a - e_b))
    with pytest.raises(MethodError, match="zero handling"):
        weights_entropy(z, zero="drop")


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_entropy_matches_pymcdm(seed):
    x = _rand(seed)  # strictly positive: pymcdm's sum normalisation = our p
    np.testing.assert_allclose(weights_entropy(x).to_numpy(), pw.entropy_weights(x.to_numpy()), rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_critic_matches_pymcdm(seed):
    x = _rand(seed)
    z = normalise_minmax(x, pd.Series(1, index=x.columns), pd.Series(False, index=x.columns))
    np.testing.assert_allclose(weights_critic(z).to_numpy(), pw.critic_weights(x.to_numpy()), rtol=1e-10)


def test_critic_formula_by_hand():
    # Three criteria, four alternatives; C_j = σ_j Σ_k (1 − r_jk) (Diakoulaki et al. 1995, eq. 6–7)
    z = pd.DataFrame({"a": [0.0, 1.0, 0.5, 0.2], "b": [1.0, 0.0, 0.4, 0.9], "c": [0.3, 0.3, 1.0, 0.0]})
    sd = z.std(ddof=1).to_numpy()
    r = np.corrcoef(z.to_numpy(), rowvar=False)
    c = sd * (1 - r).sum(axis=0)
    np.testing.assert_allclose(weights_critic(z), c / c.sum(), rtol=1e-12)


def test_cv_formula_and_pca_single_factor():
    z = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 8.0]})
    cv = z.std(ddof=1) / z.mean()
    np.testing.assert_allclose(weights_cv(z), cv / cv.sum())
    # two perfectly correlated indicators: one component, equal |loadings| → equal weights
    z2 = pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0], "b": [2.0, 4.0, 6.0, 10.0]})
    np.testing.assert_allclose(weights_pca(z2), [0.5, 0.5])


def test_saaty_random_index_table():
    # Saaty (1980) The Analytic Hierarchy Process, Table 1.7 (n = 1…10)
    assert [SAATY_RI[n] for n in range(1, 11)] == [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]


def test_ahp_consistent_matrix():
    # Consistent matrix a_ij = w_i / w_j with w = (0.6, 0.3, 0.1): λ_max = n, CR = 0 (Saaty 1977, Theorem)
    w = np.array([0.6, 0.3, 0.1])
    res = ahp(w[:, None] / w[None, :], ["a", "b", "c"])
    np.testing.assert_allclose(res.weights, w, rtol=1e-12)
    assert res.lambda_max == pytest.approx(3.0, abs=1e-12) and res.cr == pytest.approx(0.0, abs=1e-12)


def test_ahp_three_by_three_closed_form():
    # For a 3×3 reciprocal matrix (a12 = a, a13 = b, a23 = c): λ_max = 1 + t + 1/t, t = (b/(a c))^{1/3},
    # and the eigenvector equals the row geometric means (Saaty 1980, §3; Crawford & Williams 1985).
    a, b, c = 3.0, 5.0, 1.0
    m = [[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]]
    t = (b / (a * c)) ** (1 / 3)
    lam = 1 + t + 1 / t
    res = ahp(m, ["x", "y", "z"])
    assert res.lambda_max == pytest.approx(lam, rel=1e-12)
    assert res.cr == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-10)
    geo = ahp(m, ["x", "y", "z"], method="geometric")
    np.testing.assert_allclose(res.weights, geo.weights, rtol=1e-10)


def test_ahp_inconsistent_is_error_unless_overridden():
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]  # cyclic preferences: CR ≫ 0.1
    z = pd.DataFrame(np.ones((3, 3)), columns=["a", "b", "c"])
    with pytest.raises(MethodError, match="consistency ratio"):
        weights_ahp(z, matrix=m)
    assert weights_ahp(z, matrix=m, allow_inconsistent=True).sum() == pytest.approx(1.0)
    with pytest.raises(MethodError, match="reciprocal"):
        ahp([[1, 2], [2, 1]], ["a", "b"])


def test_combined_rules():
    s = pd.Series([0.5, 0.3, 0.2], index=list("abc"))
    o = pd.Series([0.2, 0.2, 0.6], index=list("abc"))
    np.testing.assert_allclose(combine_weights(s, o), (s * o) / (s * o).sum())
    np.testing.assert_allclose(combine_weights(s, o, rule="linear", alpha=0.25), 0.25 * s + 0.75 * o)


def test_equal_and_registry():
    assert weights_equal(_rand(0)).tolist() == [0.2] * 5
    import iplayout.methods.weights as mod
    for name, fn in WEIGHTERS.items():
        assert fn is getattr(mod, f"weights_{name}")


# --- published worked examples (data and weights as printed in the papers) -------------------------

def _frame(rows):
    m = np.array(rows, dtype=float)
    return pd.DataFrame(m, columns=[f"c{j + 1}" for j in range(m.shape[1])])


XU_2004 = _frame([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]])


def test_entropy_xu_2004():
    # Xu X. (2004) A note on the subjective and objective integrated approach to determine attribute
    # weights. EJOR 156(2): 530–532 — entropy weights on the raw matrix: 0.4630, 0.3992, 0.1378, 0.0000.
    np.testing.assert_allclose(weights_entropy(XU_2004), [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)


def test_entropy_zavadskas_podvezko_2016():
    # Zavadskas E.K., Podvezko V. (2016) Integrated determination of objective criteria weights in MCDM.
    # IJITDM 15(2): 267–283, entropy weights of the 4 × 4 example: 0.1146, 0.1981, 0.4185, 0.2689.
    x = _frame([[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]])
    np.testing.assert_allclose(weights_entropy(x), [0.1146, 0.1981, 0.4185, 0.2689], atol=5e-5)


def test_entropy_lee_chang_2018():
    # Lee H.C., Chang C.T. (2018) Comparative analysis of MCDM methods for ranking renewable energy
    # sources in Taiwan. RSER 92: 883–896, entropy weights of the 5 sources × 10 criteria table.
    x = _frame([[4550, 30, 6.74, 20, 15, 5, 85, 150, 0.87, 4.76],
                [3005, 60.86, 2.4, 35, 27, 4, 26, 200, 0.17, 4.51],
                [2040, 14.85, 1.7, 90, 25, 5, 26, 500, 0.27, 4.19],
                [3370, 99.4, 3.25, 25.3, 54, 3, 45, 222, 0.21, 3.78],
                [3920, 112.6, 4.93, 11.4, 71.7, 2, 50, 100, 0.25, 4.11]])
    np.testing.assert_allclose(weights_entropy(x), [0.026, 0.154, 0.089, 0.199, 0.115, 0.04, 0.08, 0.123, 0.172, 0.002],
                               atol=5e-4)


def test_cv_shuai_et_al_2012():
    # Shuai D. et al. (2012) A new angular method to determine the objective weights. CCDC 2012,
    # pp. 3889–3892 — coefficient-of-variation weights of Xu's matrix: 0.4258, 0.3610, 0.2121, 0.0011.
    np.testing.assert_allclose(weights_cv(XU_2004), [0.4258, 0.3610, 0.2121, 0.0011], atol=5e-5)


def test_critic_tus_aytac_adali_2019():
    # Tuş A., Aytaç Adalı E. (2019) The new combination with CRITIC and WASPAS methods for the time and
    # attendance software selection problem. OPSEARCH 56(2): 528–538 — CRITIC weights 0.157, 0.249,
    # 0.168, 0.121, 0.154, 0.151. They are reproduced with every column min–max normalised as benefit
    # (reversing the price column flips its correlations and gives different weights).
    x = _frame([[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3], [600, 4, 3, 1, 2, 2],
                [800, 2, 4, 3, 3, 4]])
    z = normalise_minmax(x, pd.Series(1, index=x.columns), pd.Series(False, index=x.columns))
    np.testing.assert_allclose(weights_critic(z), [0.157, 0.249, 0.168, 0.121, 0.154, 0.151], atol=5e-4)
