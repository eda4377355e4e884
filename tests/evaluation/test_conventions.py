"""Named conventions added so published variants are expressible in the spec (one test each)."""
import numpy as np
import pandas as pd
import pytest

from iplayout.errors import MethodError, SpecError
from iplayout.evaluation import evaluate_table
from iplayout.evaluation.spec import parse_spec
from iplayout.methods.coupling import coupling_degree
from iplayout.methods.weights import ahp, weights_critic, weights_entropy

XU = pd.DataFrame({"id": ["A1", "A2", "A3", "A4"], "c1": [30, 19, 19, 68], "c2": [30, 54, 15, 70],
                   "c3": [38, 86, 85, 60], "c4": [29, 29, 28.9, 29]})
CODES = [{"code": c} for c in ("c1", "c2", "c3", "c4")]


def _spec(**kw):
    return {"indicators": CODES, "coupling": {"enabled": False}, **kw}


def test_entropy_eps_shrink_is_minmax_into_eps_interval():
    z = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 0.2, 0.4]})
    eps = 0.01
    w = weights_entropy(z, zero="eps_shrink", eps=eps)
    # eps_shrink rescales each column into [ε, 1 − ε]: a → (0.01, 0.5, 0.99), b → the same values
    shrunk = pd.DataFrame({"a": [0.01, 0.5, 0.99], "b": [0.01, 0.5, 0.99]})
    np.testing.assert_allclose(w, weights_entropy(shrunk), atol=1e-15)
    np.testing.assert_allclose(w, [0.5, 0.5], atol=1e-12)
    # eps_replace only moves the exact zeros
    np.testing.assert_allclose(weights_entropy(z, zero="eps_replace", eps=eps),
                               weights_entropy(z.replace(0.0, eps)), atol=1e-15)
    # bounded (middle/interval) columns: only exact 0 → ε and 1 → 1 − ε
    zb = pd.DataFrame({"m": [0.0, 0.3, 1.0], "b": [1.0, 2.0, 4.0]})
    wb = weights_entropy(zb, zero="eps_shrink", eps=eps, bounded=pd.Series({"m": True, "b": False}))
    ref = weights_entropy(pd.DataFrame({"m": [0.01, 0.3, 0.99], "b": [0.01, 0.01 + 0.98 / 3, 0.99]}))
    np.testing.assert_allclose(wb, ref, atol=1e-12)


def test_entropy_k_override():
    z = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 1.0, 1.0, 5.0]})
    p = z / z.sum()
    e = -(p * np.log(p)).sum() * 0.5  # k = 0.5 instead of 1/ln 4
    np.testing.assert_allclose(weights_entropy(z, k=0.5), (1 - e) / (1 - e).sum(), atol=1e-15)


def test_weights_on_raw_reproduces_xu_while_scoring_the_minmax_table():
    res = evaluate_table(XU, _spec(normalise={"method": "minmax"}, weights={"method": "entropy", "on": "raw"}))
    # Xu (2004) EJOR 156: 530–532, entropy on the raw matrix: 0.4630, 0.3992, 0.1378, 0.0000
    np.testing.assert_allclose(res.weights["weight"], [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)
    z = res.normalised.set_index("id")
    w = res.weights.set_index("indicator")["weight"]
    np.testing.assert_allclose(res.scores["score"], 100 * z[w.index].to_numpy() @ w.to_numpy(), atol=1e-12)


def test_critic_abs_correlation():
    rng = np.random.default_rng(3)
    z = pd.DataFrame(rng.random((8, 3)), columns=list("abc"))
    sd = z.std(ddof=1).to_numpy()
    r = np.abs(np.corrcoef(z.to_numpy(), rowvar=False))
    c = sd * (1 - r).sum(axis=0)
    np.testing.assert_allclose(weights_critic(z, corr="abs"), c / c.sum(), atol=1e-15)
    with pytest.raises(MethodError, match="correlation convention"):
        weights_critic(z, corr="spearman")


def test_ahp_arithmetic_and_mean_ratio():
    a = np.array([[1, 1 / 2, 4, 3, 3], [2, 1, 7, 5, 5], [1 / 4, 1 / 7, 1, 1 / 2, 1 / 3],
                  [1 / 3, 1 / 5, 2, 1, 1], [1 / 3, 1 / 5, 3, 1, 1]])
    r = ahp(a, list("abcde"), method="arithmetic", lambda_max="mean_ratio")
    w = (a / a.sum(axis=0)).mean(axis=1)  # 和积法: column-normalise, then row means
    np.testing.assert_allclose(r.weights, w / w.sum(), atol=1e-15)
    lam = np.mean(a @ w / w)
    assert r.lambda_max == pytest.approx(lam, abs=1e-12)
    assert r.ci == pytest.approx((lam - 5) / 4, abs=1e-12) and r.cr == pytest.approx(r.ci / 1.12, abs=1e-12)
    # the eigen method's mean ratio is the eigenvalue itself (A w = λ w)
    e1 = ahp(a, list("abcde"))
    e2 = ahp(a, list("abcde"), lambda_max="mean_ratio")
    assert e1.lambda_max == pytest.approx(e2.lambda_max, abs=1e-9)
    assert ahp(a, list("abcde"), ri=1.0).cr == pytest.approx(e1.ci, abs=1e-12)


def test_topsis_manhattan_distance():
    df = pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2.0, 4.0], "y": [3.0, 1.0, 2.0]})
    spec = {"indicators": [{"code": "x", "weight": 0.5}, {"code": "y", "weight": 0.5}], "weights": {"method": "fixed"},
            "normalise": {"method": "minmax"}, "coupling": {"enabled": False},
            "score": {"method": "topsis", "topsis_norm": "minmax", "topsis_distance": "manhattan"}}
    s = evaluate_table(df, spec).scores["score"].to_numpy()
    # z: x = (0, 1/3, 1), y = (1, 0, 1/2); d⁺ = Σ w|z − 1|, d⁻ = Σ w|z − 0|, closeness = d⁻/(d⁺ + d⁻)
    z = np.array([[0, 1], [1 / 3, 0], [1, 0.5]])
    dn, dp = 0.5 * z.sum(axis=1), 0.5 * (1 - z).sum(axis=1)
    np.testing.assert_allclose(s, dn / (dn + dp), atol=1e-15)


@pytest.mark.parametrize("ties, ranks", [("min", [1, 1, 3]), ("dense", [1, 1, 2]), ("max", [2, 2, 3]),
                                         ("average", [1.5, 1.5, 3.0]), ("first", [1, 2, 3])])
def test_rank_ties(ties, ranks):
    df = pd.DataFrame({"id": ["a", "b", "c"], "x": [0.1 + 0.2, 0.3, 0.1]})  # 0.1 + 0.2 ≠ 0.3 in binary
    spec = {"indicators": [{"code": "x"}], "normalise": {"method": "none"}, "weights": {"method": "equal"},
            "coupling": {"enabled": False}, "score": {"rank_ties": ties}}
    assert evaluate_table(df, spec).scores["rank"].tolist() == ranks


def test_coupling_exponent_liao_k2():
    u = pd.DataFrame({"f": [0.2, 0.5, 0.6], "g": [0.8, 0.5, 0.3]})
    # 廖重斌 (1999): C = {f·g / [(f + g)/2]²}^k with k = 2
    want = (u.f * u.g / ((u.f + u.g) / 2) ** 2) ** 2
    np.testing.assert_allclose(coupling_degree(u, exponent=2), want, atol=1e-15)
    np.testing.assert_allclose(coupling_degree(u, exponent=0.5), coupling_degree(u), atol=1e-15)
    with pytest.raises(SpecError, match="exponent"):
        parse_spec({"indicators": [{"code": "a", "subsystem": "s"}, {"code": "b", "subsystem": "t"}],
                    "subsystems": [{"code": "s"}, {"code": "t"}], "coupling": {"form": "wang2021", "exponent": 2}})


def test_coupling_exponent_reaches_engine_and_monte_carlo():
    df = pd.DataFrame({"id": list("abcd"), "u1": [0.2, 0.5, 0.6, 0.9], "u2": [0.8, 0.5, 0.3, 0.7]})
    spec = {"subsystems": [{"code": "s1"}, {"code": "s2"}], "normalise": {"method": "none"},
            "indicators": [{"code": "u1", "subsystem": "s1"}, {"code": "u2", "subsystem": "s2"}],
            "coupling": {"exponent": 2, "boundary": "left_closed"},
            "uncertainty": {"enabled": True, "reps": 20, "weights": {"method": "none"}, "sensitivity": False,
                            "loo": False}}
    res = evaluate_table(df, spec)
    s = res.scores
    c = (s.U_s1 * s.U_s2 / ((s.U_s1 + s.U_s2) / 2) ** 2) ** 2
    np.testing.assert_allclose(s.C, c, atol=1e-15)
    np.testing.assert_allclose(s.D, np.sqrt(c * (s.U_s1 + s.U_s2) / 2), atol=1e-15)
    # with the weights held fixed every replication must land in the nominal class
    for i, cls in enumerate(s["class"]):
        assert res.uncertainty.loc[i, f"p_{cls}"] == 1.0


def test_numeric_codes_in_yaml_become_strings():
    spec = parse_spec({"id_column": "code", "indicators": [{"code": 2016}, {"code": 2017}]})
    assert spec.codes == ["2016", "2017"]


def test_subsystem_weights_from_ahp():
    df = pd.DataFrame({"id": list("abcd"), "x1": [1.0, 2, 3, 4], "x2": [2.0, 1, 4, 3], "y1": [5.0, 3, 1, 2]})
    spec = {"subsystems": [{"code": "s"}, {"code": "t"}],
            "indicators": [{"code": "x1", "subsystem": "s"}, {"code": "x2", "subsystem": "s"},
                           {"code": "y1", "subsystem": "t"}],
            "weights": {"method": "equal", "subsystems": "ahp",
                        "ahp": {"_subsystems": {"matrix": [[1, 3], [1 / 3, 1]]}}},
            "coupling": {"enabled": False}}
    res = evaluate_table(df, spec)
    g = res.weights.set_index("indicator")["global_weight"]
    np.testing.assert_allclose(g[["x1", "x2", "y1"]], [0.375, 0.375, 0.25], atol=1e-12)
    assert res.step("weights")["ahp_consistency"]["_subsystems"]["cr"] == 0.0
    with pytest.raises(SpecError, match="_subsystems"):
        parse_spec({**spec, "weights": {"method": "equal", "subsystems": "ahp"}})


def test_minmax_range_normalisation():
    df = pd.DataFrame({"id": list("abcd"), "x": [1.0, 3.0, 5.0, 9.0], "c": [4.0, 2.0, 3.0, 1.0]})
    spec = {"indicators": [{"code": "x"}, {"code": "c", "type": "cost"}], "coupling": {"enabled": False},
            "normalise": {"method": "minmax_range", "range": [0.002, 1]}}
    z = evaluate_table(df, spec).normalised
    np.testing.assert_allclose(z["x"], 0.002 + 0.998 * np.array([0, 0.25, 0.5, 1.0]), atol=1e-15)
    np.testing.assert_allclose(z["c"], 0.002 + 0.998 * np.array([0, 2 / 3, 1 / 3, 1.0]), atol=1e-15)
    with pytest.raises(MethodError, match="must exceed"):
        evaluate_table(df, {**spec, "normalise": {"method": "minmax_range", "range": [1, 0]}})


def test_zero_subsystem_units_are_named_in_the_log():
    df = pd.DataFrame({"id": ["r1", "r2", "r3"], "a": [0.0, 1.0, 0.5], "b": [1.0, 0.5, 0.2]})
    spec = {"subsystems": [{"code": "s"}, {"code": "t"}], "normalise": {"method": "none"},
            "indicators": [{"code": "a", "subsystem": "s"}, {"code": "b", "subsystem": "t"}]}
    res = evaluate_table(df, spec)
    assert res.step("coupling")["zero_subsystem_units"] == ["r1"] and res.scores.loc[0, "C"] == 0.0


@pytest.mark.parametrize("cost", ["max_minus", "reciprocal"])
def test_topsis_cost_positivised_before_vector_normalisation(cost):
    df = pd.DataFrame({"id": list("abc"), "x": [3.0, 5.0, 4.0], "c": [2.0, 4.0, 8.0]})
    spec = {"indicators": [{"code": "x", "weight": 0.6}, {"code": "c", "type": "cost", "weight": 0.4}],
            "weights": {"method": "fixed"}, "coupling": {"enabled": False},
            "score": {"method": "topsis", "topsis_cost": cost}}
    s = evaluate_table(df, spec).scores["score"].to_numpy()
    c = np.array([2.0, 4.0, 8.0])
    pos_c = c.max() - c if cost == "max_minus" else 1 / c  # 正向化, then a benefit column
    m = np.c_[[3.0, 5.0, 4.0], pos_c]
    v = m / np.sqrt((m ** 2).sum(axis=0)) * [0.6, 0.4]
    dp = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    dn = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    np.testing.assert_allclose(s, dn / (dp + dn), atol=1e-15)
    ref = evaluate_table(df, {**spec, "score": {"method": "topsis"}}).scores["score"].to_numpy()
    assert not np.allclose(s, ref)  # the convention matters: vector normalisation is not affine-invariant


def test_entropy_eps_shrink_on_minmax_equals_entropy_of_the_eps_shrink_table():
    df = pd.DataFrame({"id": list("abcde"), "x": [1.0, 4, 2, 8, 3], "c": [5.0, 1, 2, 2, 9],
                       "m": [3.0, 5, 7, 9, 4]})
    ind = [{"code": "x"}, {"code": "c", "type": "cost"}, {"code": "m", "type": "middle", "target": 6}]
    a = evaluate_table(df, {"indicators": ind, "normalise": {"method": "minmax"},
                            "weights": {"entropy_zero": "eps_shrink", "entropy_eps": 0.02}})
    b = evaluate_table(df, {"indicators": ind, "normalise": {"method": "eps_shrink", "eps": 0.02},
                            "weights": {"entropy_zero": "zero_log"}})
    np.testing.assert_allclose(a.weights["weight"], b.weights["weight"], atol=1e-14)


def test_weights_scope_all_global_entropy_and_unrenormalised_subsystem_scores():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"id": [f"r{i}" for i in range(8)], **{c: rng.lognormal(size=8) for c in ("a", "b", "c", "d")}})
    spec = {"subsystems": [{"code": "s"}, {"code": "t"}],
            "indicators": [{"code": "a", "subsystem": "s"}, {"code": "b", "subsystem": "s"},
                           {"code": "c", "subsystem": "t"}, {"code": "d", "subsystem": "t"}],
            "weights": {"method": "entropy", "scope": "all"},
            "uncertainty": {"enabled": True, "reps": 20, "weights": {"method": "none"}, "sensitivity": False,
                            "loo": False}}
    res = evaluate_table(df, spec)
    z = res.normalised.set_index("id")[["a", "b", "c", "d"]]
    p = z / z.sum()
    e = -(p * np.log(p.where(p > 0, 1))).sum() / np.log(8)
    w = (1 - e) / (1 - e).sum()  # one entropy weighting over all four indicators
    g = res.weights.set_index("indicator")
    np.testing.assert_allclose(g.loc[list("abcd"), "global_weight"], w, atol=1e-14)
    np.testing.assert_allclose(g.groupby("subsystem")["weight"].sum(), [1.0, 1.0], atol=1e-14)
    s = res.scores
    np.testing.assert_allclose(s["U_s"], z[["a", "b"]].to_numpy() @ w[["a", "b"]].to_numpy(), atol=1e-14)
    np.testing.assert_allclose(s["U_t"], z[["c", "d"]].to_numpy() @ w[["c", "d"]].to_numpy(), atol=1e-14)
    np.testing.assert_allclose(s["score"], 100 * (s["U_s"] + s["U_t"]), atol=1e-12)
    assert res.step("score")["subsystem_weights"] == pytest.approx({"s": w[["a", "b"]].sum(), "t": w[["c", "d"]].sum()})
    for i, cls in enumerate(s["class"]):  # Monte Carlo uses the same (β-scaled) subsystem scores
        assert res.uncertainty.loc[i, f"p_{cls}"] == 1.0
    with pytest.raises(SpecError, match="scope all"):
        parse_spec({**spec, "subsystems": [{"code": "s", "weight": 1}, {"code": "t", "weight": 2}],
                    "weights": {"scope": "all", "subsystems": "fixed"}})
