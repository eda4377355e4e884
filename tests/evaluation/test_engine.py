"""Engine: end-to-end on plain DataFrames — replay, determinism, conventions, missing policy."""
import numpy as np
import pandas as pd
import pytest

from iplayout.errors import DataError, MethodError, SpecError
from iplayout.evaluation import evaluate_table
from iplayout.evaluation.spec import parse_spec
from iplayout.methods.normalise import normalise_minmax
from iplayout.methods.scores import score_topsis
from iplayout.methods.weights import weights_entropy

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "params" / "evaluation" / "examples"


def _equal_tables(a, b):
    ta, tb = a.to_tables(), b.to_tables()
    assert ta.keys() == tb.keys()
    for k in ta:
        pd.testing.assert_frame_equal(ta[k], tb[k], check_exact=True)


def test_replaying_the_logged_spec_reproduces_the_result(panel, panel_spec):
    res = evaluate_table(panel, panel_spec)
    again = evaluate_table(panel, parse_spec(res.log[0]["args"]))
    _equal_tables(res, again)
    assert not res.uncertainty.empty and not res.sensitivity.empty and not res.loo.empty


def test_one_changed_parameter_changes_the_result(panel, panel_spec):
    res = evaluate_table(panel, panel_spec)
    spec2 = dict(res.log[0]["args"])
    spec2["coupling"] = {**spec2["coupling"], "form": "wang2021"}
    res2 = evaluate_table(panel, spec2)
    assert not np.allclose(res.scores["C"], res2.scores["C"])
    np.testing.assert_allclose(res.scores["T"], res2.scores["T"])


def test_weights_within_subsystems_and_overall(panel, panel_spec):
    res = evaluate_table(panel, panel_spec)
    w = res.weights
    sums = w.groupby(["pool", "method", "subsystem"])["weight"].sum()
    np.testing.assert_allclose(sums, 1.0)
    np.testing.assert_allclose(w.groupby(["pool", "method"])["global_weight"].sum(), 1.0)
    s = res.scores
    # weighted sum with equal subsystem weights: score = 100 · mean(U)
    np.testing.assert_allclose(s["score"], 100 * s[["U_ip", "U_innovation", "U_industry"]].mean(axis=1))
    np.testing.assert_allclose(s["D"], np.sqrt(s["C"] * s["T"]))
    assert s.groupby("year")["rank"].apply(lambda r: sorted(r) == [1, 2, 3, 4, 5]).all()


def test_entropy_topsis_chain_equals_manual_composition():
    x = pd.read_csv(EXAMPLES / "hwang_yoon_aircraft.csv")
    spec = {"indicators": [{"code": c, "type": "cost" if c == "cost" else "benefit"} for c in x.columns[1:]],
            "normalise": {"method": "minmax"}, "weights": {"method": "entropy"}, "score": {"method": "topsis"}}
    res = evaluate_table(x, spec)
    cols = list(x.columns[1:])
    d = pd.Series([(-1 if c == "cost" else 1) for c in cols], index=cols)
    z = normalise_minmax(x[cols], d, pd.Series(False, index=cols))
    w = weights_entropy(z)
    np.testing.assert_allclose(res.scores["score"], score_topsis(z, w, x=x[cols], direction=d), rtol=1e-12)
    np.testing.assert_allclose(res.weights.set_index("indicator")["weight"][cols], w, rtol=1e-12)


def test_pool_year_normalises_each_year_separately(panel, panel_spec):
    spec = {**panel_spec, "normalise": {"method": "minmax", "pool": "year"}, "uncertainty": {"enabled": False}}
    res = evaluate_table(panel, spec)
    z = res.normalised
    for _, g in z.groupby("year"):
        assert g["patents_per_10k"].min() == 0.0 and g["patents_per_10k"].max() == 1.0
    assert set(res.weights["pool"]) == {"2016", "2017", "2018"}
    panel_res = evaluate_table(panel, {**spec, "normalise": {"method": "minmax", "pool": "panel"}})
    assert set(panel_res.weights["pool"]) == {"_all"}


def test_missing_value_policies(panel, panel_spec):
    spec = {**panel_spec, "uncertainty": {"enabled": False}}
    holed = panel.copy()
    holed.loc[3, "rd_intensity"] = np.nan
    with pytest.raises(DataError) as err:
        evaluate_table(holed, spec, source="t.csv")
    assert "line 5" in str(err.value) and "'rd_intensity'" in str(err.value)
    dropped = evaluate_table(holed, {**spec, "missing": "drop_unit"})
    assert len(dropped.scores) == 14 and dropped.step("missing")["dropped"] == ["R4/2016"]
    imputed = evaluate_table(holed, {**spec, "missing": "impute_median"})
    assert imputed.step("missing")["imputed"] == ["R4:rd_intensity"]
    assert len(imputed.scores) == 15


def test_bad_cells_and_columns_are_located(panel, panel_spec):
    spec = {**panel_spec, "uncertainty": {"enabled": False}}
    bad = panel.astype({"gdp_per_capita": object})
    bad.loc[0, "gdp_per_capita"] = "n/a"
    with pytest.raises(DataError, match=r"t.csv, line 2, column 'gdp_per_capita': not a number \(value 'n/a'\)"):
        evaluate_table(bad, spec, source="t.csv")
    with pytest.raises(DataError, match="column 'hightech_share'"):
        evaluate_table(panel.drop(columns="hightech_share"), spec, source="t.csv")
    with pytest.raises(DataError, match="duplicate unit"):
        evaluate_table(pd.concat([panel, panel.iloc[:1]]), spec)


def test_uncertainty_without_perturbation_collapses_to_nominal(panel, panel_spec):
    spec = {**panel_spec, "uncertainty": {"enabled": True, "reps": 50, "weights": {"method": "none"}}}
    s = evaluate_table(panel, spec).scores
    assert (s["rank_p05"] == s["rank"]).all() and (s["rank_p95"] == s["rank"]).all()


def test_uncertainty_tables(panel, panel_spec):
    res = evaluate_table(panel, panel_spec)
    u = res.uncertainty
    assert (u["rank_p05"] <= u["rank_p50"]).all() and (u["rank_p50"] <= u["rank_p95"]).all()
    pcols = [c for c in u.columns if c.startswith("p_") and c != "p_top_k"]
    assert len(pcols) == 10
    np.testing.assert_allclose(u[pcols].sum(axis=1), 1.0)
    # top-k probabilities sum to k per year (every replication has exactly k units with rank ≤ k, no ties)
    np.testing.assert_allclose(u.groupby("year")["p_top_k"].sum(), 2.0)
    assert set(res.sensitivity["input"]) == {"weights:ip", "weights:innovation", "weights:industry",
                                             "normalise", "aggregation"}
    assert len(res.loo) == 15 * 6


def test_to_tables_are_parquet_friendly(panel, panel_spec, tmp_path):
    tables = evaluate_table(panel, panel_spec).to_tables()
    for name, tab in tables.items():
        for c in tab.columns:
            if tab[c].dtype == object:
                assert tab[c].map(type).nunique() <= 1, (name, c)
        if not tab.empty:
            tab.to_parquet(tmp_path / f"{name}.parquet")
            pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), tab, check_dtype=False)


def test_ahp_and_combined_weights_from_spec(random_table):
    m = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
    base = {"indicators": [{"code": "x0", "subsystem": "a", "weight": 2}, {"code": "x1", "subsystem": "a", "weight": 1},
                           {"code": "x2", "subsystem": "a", "weight": 1},
                           {"code": "x3", "subsystem": "b"}, {"code": "x4", "subsystem": "b"}],
            "subsystems": [{"code": "a"}, {"code": "b"}],
            "weights": {"method": "ahp", "ahp": {"a": {"matrix": m},
                                                  "b": {"matrix": [[1, 2], [0.5, 1]]}}}}
    res = evaluate_table(random_table, base)
    w = res.weights.set_index("indicator")["weight"]
    assert w["x0"] > w["x1"] > w["x2"] and w["x3"] == pytest.approx(2 / 3)
    comb = {**base, "weights": {"method": "combined", "combined": {"subjective": "fixed", "objective": "entropy"}}}
    with pytest.raises(SpecError, match=r"without 'weight': \['x3', 'x4'\]"):
        evaluate_table(random_table, comb)
    comb["indicators"] = base["indicators"][:3] + [{"code": "x3", "subsystem": "b", "weight": 1},
                                                   {"code": "x4", "subsystem": "b", "weight": 3}]
    wc = evaluate_table(random_table, comb).weights.set_index("indicator")["weight"]
    assert wc[["x0", "x1", "x2"]].sum() == pytest.approx(1.0)
    bad = {**base, "weights": {"method": "ahp", "ahp": {"a": {"matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]},
                                                         "b": {"matrix": [[1, 2], [0.5, 1]]}}}}
    with pytest.raises(MethodError, match="consistency ratio"):
        evaluate_table(random_table, bad)


def test_zero_subsystem_score_warns_in_log(random_table, caplog):
    spec = {"indicators": [{"code": "x0", "subsystem": "a"}, {"code": "x1", "subsystem": "b"}],
            "subsystems": [{"code": "a"}, {"code": "b"}], "normalise": {"method": "minmax"}}
    with caplog.at_level("WARNING", logger="iplayout"):
        res = evaluate_table(random_table, spec)
    assert "exactly 0" in caplog.text
    assert res.step("coupling")["zero_subsystem_rows"]  # the rows are named in the log


def test_dea_step(random_table):
    spec = {"indicators": [{"code": "x0"}, {"code": "x1"}],
            "dea": {"inputs": ["x2", "x3"], "outputs": ["x4"], "model": "bcc"}}
    res = evaluate_table(random_table, spec)
    assert (res.scores["dea_efficiency"] <= 1 + 1e-9).all() and res.dea["efficient"].any()
    assert res.dea["peers"].str.fullmatch(r"32\d{4}(;32\d{4})*").all()  # peers named by unit id


def test_ahp_consistency_is_logged(random_table):
    a, b, c = 3.0, 5.0, 1.0
    spec = {"indicators": [{"code": "x0"}, {"code": "x1"}, {"code": "x2"}],
            "weights": {"method": "ahp", "ahp": {"_all": {"matrix": [[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]]}}}}
    res = evaluate_table(random_table, spec)
    t = (b / (a * c)) ** (1 / 3)
    cons = res.step("weights")["ahp_consistency"]["_all"]
    assert cons["lambda_max"] == pytest.approx(1 + t + 1 / t) and cons["ri"] == 0.58


def test_given_subsystem_scores_reproduce_coupling_by_hand(tmp_path):
    # When a study publishes its subsystem scores U, one indicator per subsystem with normalise: none
    # and equal weights passes U through unchanged, so C, T, D follow the published formula exactly.
    t = pd.DataFrame({"id": ["a", "b"], "u1": [0.2, 0.5], "u2": [0.8, 0.5]})
    spec = {"indicators": [{"code": "u1", "subsystem": "s1"}, {"code": "u2", "subsystem": "s2"}],
            "subsystems": [{"code": "s1"}, {"code": "s2"}], "normalise": {"method": "none"},
            "coupling": {"alpha": "fixed", "alpha_weights": {"s1": 0.4, "s2": 0.6}}}
    s = evaluate_table(t, spec).scores
    np.testing.assert_allclose(s["U_s1"], [0.2, 0.5])
    np.testing.assert_allclose(s["C"], [0.8, 1.0])
    np.testing.assert_allclose(s["T"], [0.4 * 0.2 + 0.6 * 0.8, 0.5])
    np.testing.assert_allclose(s["D"], np.sqrt(s["C"] * s["T"]))
    # D = √(0.8 · 0.56) = 0.6693 → [0.6, 0.7) 初级协调; D = √0.5 = 0.7071 → [0.7, 0.8) 中级协调
    assert s["class"].tolist() == ["初级协调", "中级协调"]


@pytest.mark.parametrize("variant", [
    {"normalise": {"method": "minmax", "pool": "year"}, "score": {"method": "topsis"}},
    {"normalise": {"method": "eps_shrink"}, "score": {"method": "geometric"},
     "coupling": {"form": "wang2021", "alpha": "entropy", "boundary": "right_closed"}},
    {"normalise": {"method": "zscore"}, "weights": {"method": "critic"}, "coupling": {"rescale": True}},
    {"normalise": {"method": "minmax"}, "score": {"method": "topsis", "topsis_norm": "minmax"},
     "weights": {"method": "critic", "compare": ["cv", "pca", "equal"]}},
    {"treatment": {"method": "coinr"}, "weights": {"method": "pca", "subsystems": "fixed"}},
])
def test_convention_variants_run_and_replay(panel, panel_spec, variant):
    spec = {**panel_spec, **variant,
            "uncertainty": {"enabled": True, "reps": 60, "sensitivity_n": 16, "normalise": ["minmax"]}}
    if variant.get("weights", {}).get("subsystems") == "fixed":
        spec["subsystems"] = [{**s, "weight": w} for s, w in zip(panel_spec["subsystems"], (2, 1, 1))]
    res = evaluate_table(panel, spec)
    s = res.scores
    assert s["D"].between(0, 1).all() and s["C"].between(0, 1).all()
    assert s.groupby("year")["rank"].apply(lambda r: sorted(r) == list(range(1, 6))).all()
    _equal_tables(res, evaluate_table(panel, res.log[0]["args"]))


def test_impute_median_refuses_a_whole_missing_year(panel, panel_spec):
    holed = panel.copy()
    holed.loc[holed.year == 2016, "rd_intensity"] = np.nan
    spec = {**panel_spec, "missing": "impute_median", "uncertainty": {"enabled": False}}
    with pytest.raises(DataError, match=r"column 'rd_intensity': no value at all in year 2016"):
        evaluate_table(holed, spec)


def test_interpolate_interior_only():
    from iplayout.evaluation.engine import interpolate_interior
    y = np.array([2014, 2015, 2016, 2017, 2018], float)
    v = np.array([np.nan, 10.0, np.nan, np.nan, 16.0])
    np.testing.assert_allclose(interpolate_interior(y, v), [np.nan, 10, 12, 14, 16])  # no extrapolation


def test_interpolate_median_fills_a_whole_year_between_observed_years(panel, panel_spec):
    holed = panel.copy()
    holed.loc[holed.year == 2017, "rd_intensity"] = np.nan
    spec = {**panel_spec, "missing": "interpolate_median", "uncertainty": {"enabled": False}}
    res = evaluate_table(holed, spec)
    got = res.step("missing")
    assert len(got["interpolated"]) == 5 and got["imputed"] == []
    # same result as filling 2017 by hand with the mean of 2016 and 2018
    by_hand = panel.copy()
    for rid in by_hand.id.unique():
        v = by_hand[by_hand.id == rid].set_index("year")["rd_intensity"]
        by_hand.loc[(by_hand.id == rid) & (by_hand.year == 2017), "rd_intensity"] = (v[2016] + v[2018]) / 2
    ref = evaluate_table(by_hand, {**spec, "missing": "error"})
    pd.testing.assert_frame_equal(res.scores, ref.scores)
