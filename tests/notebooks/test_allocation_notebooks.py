"""03_allocation notebooks and the allocation stage, for the national (real data) and Jiangsu (demo) territories."""
import json

import numpy as np
import pandas as pd
import pytest
from notebook_helpers import run_notebook

from iplayout.allocation import zones as zn
from iplayout.allocation.spec import load_zone_spec
from iplayout.config import default_db_path, notebooks_dir, params_dir
from iplayout.stages import load_stage, prepare_stage

CASES = [("320000", 2016), ("100000", 2022)]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stage_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("stages")
    for t, y in CASES:
        prepare_stage("allocation", db_path=default_db_path(), territory=t, year=y, out_dir=root)
    return root


@pytest.mark.parametrize("territory,year", CASES)
def test_stage_contract_and_reused_draws(stage_root, territory, year):
    res = load_stage("allocation", territory=territory, year=year, stage_dir=str(stage_root))
    z = res.table("zones")
    for col in ("region_code", "region_name", "zone", "zone_name", "zone_name_en", "high_ip", "high_innovation",
                "high_industry", "band", "probability", "borderline", "candidates"):
        assert col in z.columns, col
    assert z["region_code"].map(type).eq(str).all()
    p = res.table("zone_probabilities")
    assert np.allclose(p.groupby("region_code")["probability"].sum(), 1.0)
    # the probabilities are the evaluation's own draws, recounted here (not redrawn)
    ev = load_stage("evaluation", territory=territory, year=year, stage_dir=str(stage_root))
    draws = ev.table("subsystem_draws")
    assert draws["draw"].nunique() == 2000  # reps of both evaluation specs
    assert set(draws.columns) >= {"draw", "region_code", "U_ip", "U_innovation", "U_industry"}
    assert str(draws["U_ip"].dtype) == "float32"
    again = zn.zone_probabilities(draws, load_zone_spec(params_dir() / "allocation" / "zones.yaml"))
    pd.testing.assert_frame_equal(again.reset_index(drop=True), p.reset_index(drop=True))
    assert (z["borderline"] == (z["p_most_likely"] < 0.6)).all()
    assert (z.loc[z["borderline"], "candidates"].str.contains("/")).all()
    c = res.table("catalogue")
    for col in ("region_code", "industry_code", "action", "levers", "rule_id", "overridden", "rule_action",
                "override_reason", "lq_output", "ip_specialisation", "growth", "zone", "coupling_class", "ip_intensive"):
        assert col in c.columns, col
    assert set(res.table("rules").columns) >= {"rule_id", "description"}
    assert set(res.table("policy_gaps").columns) >= {"region_code", "industry_code", "action", "gap"}
    assert set(res.table("catalogue_missing").columns) == {"region_code", "industry_code", "reason"}
    # every entry of the catalogue comes from the survey's location quotient: one number everywhere
    sv = load_stage("survey", territory=territory, year=year, stage_dir=str(stage_root)).table("industry")
    m = c.merge(sv, on=["region_code", "industry_code"], suffixes=("", "_sv"))
    assert len(m) == len(c) and np.allclose(m["lq_output"], m["lq_output_sv"])


def _run(path, params, tmp_path):
    return run_notebook(path, params, tmp_path)[0]


@pytest.mark.parametrize("territory,year", CASES)
@pytest.mark.parametrize("name", ["zones", "catalogue", "policy"])
def test_allocation_notebook_runs(stage_root, tmp_path, territory, year, name):
    params = {"territory": territory, "year": year, "stage_dir": str(stage_root), "db_path": str(default_db_path())}
    text = _run(notebooks_dir() / "03_allocation" / f"{name}.ipynb", params, tmp_path)
    assert "本项目提出的方案" in text
    assert ("演示数据" in text) == (territory == "320000")
    res = load_stage("allocation", territory=territory, year=year, stage_dir=str(stage_root))
    if name == "zones":
        first = res.table("zones").iloc[0]
        assert f"{first['region_name']}" in text and "协同引领区" in text
    if name == "catalogue":
        n = len(res.table("catalogue"))
        assert f"导向目录共{n}个地区×产业条目" in text
        assert (stage_root / "allocation" / f"{territory}-{year}" / "catalogue.xlsx").exists()
    if name == "policy":
        assert "示例政策清单" in text and "国发〔2015〕71号" in text


def test_catalogue_per_industry(stage_root, tmp_path):
    params = {"territory": "320000", "year": 2016, "stage_dir": str(stage_root), "industry_code": "SEI01",
              "db_path": str(default_db_path())}
    text = _run(notebooks_dir() / "03_allocation" / "catalogue.ipynb", params, tmp_path)
    assert "新一代信息技术产业导向目录共13个地区×产业条目" in text
