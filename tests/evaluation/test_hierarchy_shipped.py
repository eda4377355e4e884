"""Shipped index hierarchies on the bundled database: the three-level siblings of pilot.yaml and
jiangsu_cities.yaml, and the 创造/运用/保护/环境 example on the national panel (the project's proposal)."""
from pathlib import Path

import numpy as np
import pytest

from iplayout.evaluation import load_spec

PARAMS = Path(__file__).resolve().parents[2] / "params" / "evaluation"
CASES = [("pilot_3level.yaml", "100000", 2018, ["ip", "innovation", "industry"]),
         ("jiangsu_cities_3level.yaml", "320000", 2018, ["ip", "innovation", "industry"]),
         ("examples/ip_strength_national.yaml", "100000", 2022, ["creation", "use", "protection", "environment"])]


@pytest.fixture(scope="module")
def db():
    import iplayout
    with iplayout.open_db() as d:
        yield d


def _light(path):
    spec = load_spec(PARAMS / path)
    return spec.model_copy(update={"uncertainty": spec.uncertainty.model_copy(update={"enabled": False})})


@pytest.mark.parametrize("path,territory,year,subs", CASES, ids=[c[0] for c in CASES])
def test_shipped_hierarchy_keeps_the_interface(db, path, territory, year, subs):
    from iplayout.evaluation.from_db import evaluate
    res = evaluate(db, _light(path), territory, year)
    s = res.scores
    assert [c for c in s.columns if c.startswith("U_")] == [f"U_{g}" for g in subs]
    assert {"C", "T", "D", "class", "lagging", "score", "rank"} <= set(s.columns)
    assert s["score"].notna().all() and sorted(s["rank"]) == list(range(1, len(s) + 1))
    assert set(res.tree["level"]) == {"目标层", "准则层", "子准则层", "指标层"}
    ls = res.level_scores
    for g in subs:  # the criteria scores of the level table are the U_* of the scores table
        np.testing.assert_array_equal(ls[ls.node == g]["score"].to_numpy(), s[f"U_{g}"].to_numpy())
    gw = res.tree[res.tree.kind == "indicator"]["global_weight"]
    assert gw.sum() == pytest.approx(1.0, abs=1e-12)


def test_ip_strength_example_is_labelled_a_proposal_and_keeps_the_gap(db):
    from iplayout.evaluation.from_db import evaluate
    text = (PARAMS / "examples" / "ip_strength_national.yaml").read_text(encoding="utf-8")
    assert "本项目提出的示例指标体系" in text and "this project's proposal" in text
    res = evaluate(db, _light("examples/ip_strength_national.yaml"), "100000", 2022)
    assert res.spec.name.endswith("（省级示例，本项目提出的示例指标体系）")
    assert res.step("missing")["policy"] == "available" and res.step("missing")["missing_cells"]
    cr = res.step("weights")["ahp_consistency"]["ip_strength"]["cr"]
    assert 0 <= cr < 0.1
    w = res.tree.set_index("node")["weight"]
    assert w["creation"] == pytest.approx(w["use"]) and w["creation"] > w["protection"] > w["environment"]
