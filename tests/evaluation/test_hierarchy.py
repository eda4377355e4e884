"""Index hierarchies (目标层 → 准则层 → 子准则层 → 指标层) through ``iplayout evaluate``.

The three-level case in ``hierarchy/three_level.{yaml,csv}`` is recomputed here by hand with numpy,
step by step and independently of the engine: min–max (x4 a cost indicator), entropy weights
within each sub-criterion over the units with every indicator of it present, the missing x3 of u2
dropping out of A2 (its weight renormalised over x4), equal weights in A, entropy weights in B from
the sub-criteria scores, AHP at the goal (principal eigenvector), contributions w·S_child/S_parent.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from iplayout.cli import main

HERE = Path(__file__).resolve().parent / "hierarchy"
TOL = 1e-9


def _entropy(m: np.ndarray) -> np.ndarray:
    """Entropy weights of the columns of m (rows = units, all present), 0·ln 0 = 0, k = 1/ln n."""
    p = m / m.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(m.shape[0])
    return (1 - e) / (1 - e).sum()


def _hand():
    raw = pd.read_csv(HERE / "three_level.csv", index_col="id")
    z = (raw - raw.min()) / (raw.max() - raw.min())               # benefit: (x − min)/(max − min)
    z["x4"] = (raw["x4"].max() - raw["x4"]) / (raw["x4"].max() - raw["x4"].min())   # cost
    w, s = {}, {}
    for g, cols in {"A1": ["x1", "x2"], "A2": ["x3", "x4"], "B1": ["x5", "x6"], "B2": ["x7", "x8"]}.items():
        complete = z[cols].dropna()                               # A2: u2 (x3 missing) left out
        w[g] = pd.Series(_entropy(complete.to_numpy()), index=cols)
        present = z[cols].notna()
        ww = present * w[g]                                       # renormalise over present children
        s[g] = (z[cols].fillna(0) * ww).sum(axis=1) / ww.sum(axis=1)
    w["A"] = pd.Series([0.5, 0.5], index=["A1", "A2"])
    s["A"] = 0.5 * s["A1"] + 0.5 * s["A2"]
    w["B"] = pd.Series(_entropy(np.c_[s["B1"], s["B2"]]), index=["B1", "B2"])
    s["B"] = w["B"]["B1"] * s["B1"] + w["B"]["B2"] * s["B2"]
    vals, vecs = np.linalg.eig(np.array([[1, 2], [0.5, 1]]))
    v = np.abs(vecs[:, np.argmax(vals.real)].real)
    w["index"] = pd.Series(v / v.sum(), index=["A", "B"])
    s["index"] = w["index"]["A"] * s["A"] + w["index"]["B"] * s["B"]
    return z, w, s


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("three")
    code = main(["evaluate", str(HERE / "three_level.csv"), "--spec", str(HERE / "three_level.yaml"),
                 "-o", str(out / "s.csv"), "--tables", str(out / "t")])
    assert code == 0
    read = lambda p: pd.read_csv(p, dtype={"id": str})  # noqa: E731
    return {"scores": read(out / "s.csv"), "weights": read(out / "s.weights.csv"),
            **{t: read(out / "t" / f"{t}.csv") for t in ("level_scores", "contributions", "tree", "obstacles",
                                                         "level_weights")},
            "ahp": read(out / "s.ahp.csv")}


def test_hand_computed_scores_and_interface(run):
    z, w, s = _hand()
    sc = run["scores"].set_index("id")
    assert list(sc.columns[:2]) == ["U_A", "U_B"] and {"C", "T", "D", "class", "lagging", "rank"} <= set(sc.columns)
    np.testing.assert_allclose(sc["U_A"], s["A"][sc.index], rtol=0, atol=TOL)
    np.testing.assert_allclose(sc["U_B"], s["B"][sc.index], rtol=0, atol=TOL)
    np.testing.assert_allclose(sc["score"], 100 * s["index"][sc.index], rtol=0, atol=TOL)
    assert sc["rank"].tolist() == (-s["index"]).rank(method="min").astype(int)[sc.index].tolist()
    c = 2 * np.sqrt(s["A"] * s["B"]) / (s["A"] + s["B"])          # C for two subsystems, T = (U_A + U_B)/2
    np.testing.assert_allclose(sc["D"], np.sqrt(c * (s["A"] + s["B"]) / 2)[sc.index], rtol=0, atol=TOL)


def test_every_level_scores_and_ranks(run):
    _, _, s = _hand()
    ls = run["level_scores"]
    assert ls["node"].drop_duplicates().tolist() == ["index", "A", "A1", "A2", "B", "B1", "B2"]
    assert dict(zip(ls["node"], ls["level"])) == {"index": "目标层", "A": "准则层", "B": "准则层", "A1": "子准则层",
                                                  "A2": "子准则层", "B1": "子准则层", "B2": "子准则层"}
    for g, grp in ls.groupby("node"):
        got = grp.set_index("id")
        want = s[g][got.index] * (100 if g == "index" else 1)
        np.testing.assert_allclose(got["score"], want, rtol=0, atol=TOL, err_msg=g)
        assert got["rank"].tolist() == (-want).rank(method="min").astype(int).tolist(), g


def test_contributions_are_weight_times_child_over_parent(run):
    z, w, s = _hand()
    ct = run["contributions"]
    # the missing x3 of u2: weight 0 in A2, x4 carries A2 alone
    a2 = ct[(ct.parent == "A2") & (ct.id == "u2")].set_index("node")
    assert a2.loc["x3", "weight"] == 0 and a2.loc["x4", "weight"] == pytest.approx(1, abs=TOL)
    row = ct[(ct.parent == "index") & (ct.node == "A")].set_index("id")
    want = w["index"]["A"] * s["A"] / s["index"]
    np.testing.assert_allclose(row["contribution"], want[row.index], rtol=0, atol=TOL)
    row = ct[(ct.parent == "B") & (ct.node == "B2")].set_index("id")
    np.testing.assert_allclose(row["contribution"], (w["B"]["B2"] * s["B2"] / s["B"])[row.index], rtol=0, atol=TOL)
    row = ct[(ct.parent == "A1") & (ct.node == "x2")].set_index("id")
    np.testing.assert_allclose(row["contribution"], (w["A1"]["x2"] * z["x2"] / s["A1"])[row.index], rtol=0, atol=TOL)
    sums = ct.groupby(["id", "parent"])["contribution"].sum()   # weighted sums: contributions add up to 1
    np.testing.assert_allclose(sums.dropna(), 1.0, rtol=0, atol=TOL)


def test_weights_at_every_level_and_ahp_report(run):
    _, w, _ = _hand()
    lw = run["level_weights"].set_index("node")
    for g in ("A1", "A2", "B1", "B2", "A", "B", "index"):
        for child, val in w[g].items():
            assert lw.loc[child, "weight"] == pytest.approx(val, abs=TOL), (g, child)
    tw = run["weights"].set_index("indicator")
    assert tw.loc["x6", "global_weight"] == pytest.approx(w["index"]["B"] * w["B"]["B1"] * w["B1"]["x6"], abs=TOL)
    assert tw.loc["x6", "subsystem"] == "B" and tw.loc["x6", "group"] == "B1"
    tree = run["tree"]
    assert tree["node"].tolist()[:4] == ["index", "A", "A1", "x1"]
    assert tree.set_index("node").loc["B", "weighting"] == "entropy"
    assert run["ahp"].set_index("subsystem").loc["index", "cr"] == pytest.approx(0, abs=1e-12)


def test_obstacles_sum_to_one_per_level(run):
    ob = run["obstacles"]
    for level, grp in ob.groupby("depth"):
        np.testing.assert_allclose(grp.groupby("id")["obstacle"].sum(), 1.0, atol=1e-12, err_msg=str(level))
    assert set(ob["level"]) == {"indicator", "subsystem", "group"}


def _spec():
    return yaml.safe_load((HERE / "three_level.yaml").read_text(encoding="utf-8"))


def _evaluate(spec):
    from iplayout.evaluation import evaluate_table
    table = pd.read_csv(HERE / "three_level.csv", dtype={"id": str})
    return evaluate_table(table, spec)


def test_minimum_share_makes_the_score_missing_upwards():
    spec = _spec()
    spec["groups"][3]["availability"] = {"min_share": 0.75}      # A2 needs both of its two indicators
    res = _evaluate(spec)
    ls = res.level_scores.set_index(["node", "id"])["score"]
    assert np.isnan(ls[("A2", "u2")])
    z, w, s = _hand()
    assert ls[("A", "u2")] == pytest.approx(s["A1"]["u2"], abs=TOL)   # A = A1 alone for u2 (renormalised)
    assert res.step("availability")["missing_scores"] == {"A2": ["u2"]}
    spec["groups"][0]["availability"] = {"min_share": 1.0}       # …and A needs both sub-criteria: missing upwards
    res = _evaluate(spec)
    ls = res.level_scores.set_index(["node", "id"])
    assert np.isnan(ls.loc[("A", "u2"), "score"]) and pd.isna(ls.loc[("A", "u2"), "rank"])
    assert res.scores.set_index("id").loc["u2", "score"] == pytest.approx(100 * s["B"]["u2"], abs=1e-7)


def test_share_by_weight():
    spec = _spec()
    spec["groups"][3]["availability"] = {"min_share": 0.5, "by": "weight"}
    res = _evaluate(spec)
    w_x3 = res.level_weights.set_index("node").loc["x3", "weight"]
    missing = np.isnan(res.level_scores.set_index(["node", "id"]).loc[("A2", "u2"), "score"])
    assert missing == (1 - w_x3 < 0.5)


def test_monte_carlo_every_level_deterministic_and_nominal_without_noise():
    spec = _spec()
    spec["uncertainty"] = {"enabled": True, "reps": 200, "seed": 5, "weights": {"method": "none"}, "sensitivity_n": 16}
    res = _evaluate(spec)
    lu, ls = res.level_uncertainty, res.level_scores
    assert lu["node"].drop_duplicates().tolist() == ls["node"].drop_duplicates().tolist()
    m = lu.merge(ls, on=["id", "node"])
    assert (m["rank_p05"] == m["rank"]).all() and (m["rank_p95"] == m["rank"]).all()
    spec["uncertainty"]["weights"] = {"method": "dirichlet", "concentration": 20}
    a, b = _evaluate(spec), _evaluate(spec)
    pd.testing.assert_frame_equal(a.level_uncertainty, b.level_uncertainty)
    assert (a.level_uncertainty["rank_p05"] <= a.level_uncertainty["rank_p95"]).all()
    assert {"weights:index", "weights:A", "weights:B1"} <= set(a.sensitivity["input"])
    assert set(a.sensitivity["node"]) == {"index", "A", "B", "A1", "A2", "B1", "B2"}
    assert len(a.loo) == 8 * 6


def test_two_level_restated_as_hierarchy_gives_the_same_numbers(panel, panel_spec):
    from iplayout.evaluation import evaluate_table
    old = evaluate_table(panel, panel_spec)
    spec = dict(panel_spec)
    spec["groups"] = [{"code": s["code"], "name": s.get("name", "")} for s in spec.pop("subsystems")]
    spec["indicators"] = [{**{k: v for k, v in i.items() if k != "subsystem"}, "group": i["subsystem"]}
                          for i in spec["indicators"]]
    spec["uncertainty"] = {"enabled": False}
    new = evaluate_table(panel, spec)
    for c in ("U_ip", "U_innovation", "U_industry", "C", "T", "D", "score"):
        np.testing.assert_allclose(new.scores[c], old.scores[c], rtol=0, atol=1e-12, err_msg=c)
    assert new.scores["class"].tolist() == old.scores["class"].tolist()
    assert new.scores["rank"].tolist() == old.scores["rank"].tolist()


@pytest.mark.parametrize("edit,message", [
    (lambda s: s["groups"].append({"code": "x1"}), "unique across levels"),
    (lambda s: s["groups"].append({"code": "C", "parent": "Z"}), "parent 'Z' is not a declared group"),
    (lambda s: s["indicators"][0].update(group="A"), "contains groups"),
    (lambda s: s["groups"][0].update(parent="A1"), "cycle"),
    (lambda s: s["groups"][0].update(aggregation="topsis"), "aggregation"),
    (lambda s: s.update(coupling_level=3), "coupling_level 3"),
    (lambda s: s["groups"][1].update(weighting="ahp"), "weights.ahp.B"),
    (lambda s: s["groups"][1].update(weighting="fixed"), "without 'weight'"),
    (lambda s: s.update(subsystems=[{"code": "A"}]), "not both"),
])
def test_hierarchy_errors_are_named(edit, message):
    from iplayout.errors import SpecError
    from iplayout.evaluation import parse_spec
    spec = _spec()
    edit(spec)
    with pytest.raises(SpecError, match=message):
        parse_spec(spec)


def test_treatment_uses_the_values_present_and_keeps_the_gap():
    from scipy import stats
    spec = _spec()
    spec["treatment"] = {"method": "coinr"}
    table = pd.read_csv(HERE / "three_level.csv", dtype={"id": str})
    table.loc[0, "x3"] = 300.0                                    # an outlier in the column with the gap
    from iplayout.evaluation import evaluate_table
    res = evaluate_table(table, spec)
    audit = res.treatment.set_index("indicator")
    present = table["x3"].dropna().to_numpy()
    assert audit.loc["x3", "skew_before"] == pytest.approx(stats.skew(present, bias=False))
    assert audit.loc["x3", "action"] == "winsorise"
    assert np.isnan(res.normalised.set_index("id").loc["u2", "x3"])


def test_coupling_level_names_the_subsystems():
    spec = _spec()
    spec["coupling_level"] = 2
    spec["coupling"] = {"relative": {"a": "A1", "b": "B2"}}
    res = _evaluate(spec)
    _, _, s = _hand()
    u = [c for c in res.scores.columns if c.startswith("U_")]
    assert u == ["U_A1", "U_A2", "U_B1", "U_B2"]
    sc = res.scores.set_index("id")
    np.testing.assert_allclose(sc["U_B2"], s["B2"][sc.index], rtol=0, atol=TOL)
    want_lag = pd.DataFrame({g: s[g] for g in ("A1", "A2", "B1", "B2")}).idxmin(axis=1)
    assert sc["lagging"].tolist() == want_lag[sc.index].tolist()
    assert sc["E"].to_numpy() == pytest.approx((s["A1"] / s["B2"])[sc.index].to_numpy())
    with pytest.raises(Exception, match="unknown subsystem 'A'"):
        _evaluate({**spec, "coupling": {"relative": {"a": "A", "b": "B2"}}})
