"""Small fake stage results (evaluation, allocation, survey) in their output contracts, for fast regions tests."""
import pandas as pd
import pytest

from iplayout.stages.store import StageResult

JS = ["320100", "320200", "320300", "320400", "320500", "320600", "320700", "320800", "320900", "321000", "321100",
      "321200", "321300"]
DEMO = ["320100", "320200", "320400", "320500", "321100"]


@pytest.fixture(scope="session")
def fake_evaluation():
    lag = {c: ("industry" if c in ("320100", "321100") else "ip") for c in JS}
    scores = pd.DataFrame({"region_code": JS, "score": [90 - 5 * i for i in range(13)], "rank": range(1, 14),
                           "rank_p05": [max(1, i) for i in range(13)], "rank_p95": [min(13, i + 2) for i in range(13)],
                           "D": [0.9 - 0.05 * i for i in range(13)], "class": "中级协调",
                           "lagging": [lag[c] for c in JS], "U_ip": 0.5, "U_innovation": 0.5, "U_industry": 0.5})
    obstacles = pd.DataFrame([{"region_code": c, "level": "indicator", "code": code, "obstacle": ob}
                              for c in JS for code, ob in (("x1", 0.3), ("x2", 0.2), ("x3", 0.1), ("x4", 0.05))])
    return StageResult(stage="evaluation", territory="320000", year=2018, meta={"is_demo": True}, tables={
        "scores": scores, "obstacles": obstacles,
        "subsystems": pd.DataFrame({"code": ["ip", "innovation", "industry"],
                                    "name": ["知识产权创造与运用", "创新能力", "产业基础"]}),
        "indicators": pd.DataFrame({"code": ["x1", "x2", "x3", "x4"], "name": ["指标一", "指标二", "指标三", "指标四"]}),
        "sources": pd.DataFrame({"id": ["jiangsu_demo"]})})


@pytest.fixture(scope="session")
def fake_allocation():
    zones = pd.DataFrame({"region_code": JS, "region_name": "", "zone": ["A" if c in DEMO else "C" for c in JS],
                          "zone_name": ["知识产权高地" if c in DEMO else "培育区" for c in JS], "zone_name_en": "",
                          "high_ip": [c in DEMO for c in JS], "high_innovation": False, "high_industry": False,
                          "band": "", "probability": 0.8, "borderline": False, "candidates": ""})
    catalogue = pd.DataFrame({"region_code": ["320500", "320100"], "industry_code": ["SEI01", "SEI02"],
                              "action": ["重点布局", "优化布局"], "levers": ["专利导航、高价值专利培育", "专利运营"],
                              "rule_id": ["R1", "R2"], "overridden": False, "rule_action": ["重点布局", "优化布局"],
                              "override_reason": "", "lq_output": 1.3, "ip_specialisation": 1.1, "growth": 0.1,
                              "zone": "A", "coupling_class": "中级协调", "ip_intensive": True})
    return StageResult(stage="allocation", territory="320000", year=2018, meta={"is_demo": True}, tables={
        "zones": zones, "zone_probabilities": zones[["region_code", "zone", "probability"]], "catalogue": catalogue,
        "catalogue_missing": pd.DataFrame(columns=["region_code", "industry_code"]),
        "policy_gaps": pd.DataFrame({"region_code": ["320500"], "industry_code": ["SEI01"], "action": ["重点布局"],
                                     "gap": ["缺少专利导航专项政策"]}),
        "rules": pd.DataFrame({"rule_id": ["R1", "R2"], "description": ["高区位熵且高专利专业化", "中等"]})})


@pytest.fixture(scope="session")
def fake_survey():
    rows = []
    for i, c in enumerate(JS):
        for j, ind in enumerate(("SEI01", "SEI02")):
            lq = 1.5 if (c == "320500") == (ind == "SEI01") else 0.7
            rows.append({"region_code": c, "industry_code": ind, "output_value": 400.0 if c == "320500" else 100.0 + 10 * i + j,
                         "lq_output": lq, "lq_patents": lq * 0.9})
    return StageResult(stage="survey", territory="320000", year=2018, meta={"is_demo": True},
                       tables={"industry": pd.DataFrame(rows), "sources": pd.DataFrame({"id": ["jiangsu_demo"]})})


def _compute(inputs):
    from iplayout.config import params_dir
    from iplayout.db.api import open_db
    from iplayout.stages.regions import compute_regions

    with open_db() as db:
        return compute_regions(db, territory="320000", year=2018, params_dir=params_dir(), inputs=inputs)


@pytest.fixture(scope="session")
def regions_with_allocation(fake_evaluation, fake_allocation, fake_survey):
    """(tables, meta) of the regions stage for Jiangsu 2018 with the fake allocation."""
    return _compute({"evaluation": fake_evaluation, "allocation": fake_allocation, "survey": fake_survey})


@pytest.fixture(scope="session")
def regions_without_allocation(fake_evaluation, fake_survey):
    return _compute({"evaluation": fake_evaluation, "survey": fake_survey})
