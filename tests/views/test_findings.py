"""主要发现、问题与建议: rules on a hand-made fixture, every sentence with its number, advice naming its finding."""
import pandas as pd

from iplayout.views.findings import (evaluation_findings, findings_markdown, industry_findings, recommendations,
                                     survey_findings)

NAMES = {"A": "甲市", "B": "乙市", "C": "丙市", "D": "丁市"}
SUBS = {"ip": "知识产权创造与运用", "innovation": "创新能力"}


def _scores():
    return pd.DataFrame({"region_code": list("ABCD"), "score": [80.0, 60.0, 40.0, 20.0], "rank": [1, 2, 3, 4],
                         "U_ip": [0.6, 0.4, 0.3, 0.1], "U_innovation": [0.9, 0.7, 0.5, 0.3], "D": [0.8, 0.7, 0.6, 0.4],
                         "class": ["良好协调", "中级协调", "初级协调", "濒临失调"], "lagging": ["ip"] * 3 + ["innovation"]})


def _obstacles():
    return pd.DataFrame({"region_code": list("AABB"), "level": "indicator", "code": ["x", "y", "x", "y"],
                         "obstacle": [0.173, 0.10, 0.30, 0.20]})


def _trend():
    return pd.DataFrame({"region_code": list("ABCD") * 2, "year": [2016] * 4 + [2018] * 4,
                         "D": [0.7, 0.65, 0.55, 0.45, 0.8, 0.7, 0.6, 0.4]})


def test_evaluation_rules_and_numbers():
    f = evaluation_findings(_scores(), _obstacles(), _trend(), subsystem_names=SUBS, indicator_names={"x": "指标X"},
                            names=NAMES, year=2018, k=1)
    rules = [x.rule for x in f]
    assert rules == ["leaders_laggards", "subsystem_gap", "fastest_slowest", "obstacles"]
    assert "甲市（80.0）" in f[0].text and "丁市（20.0）" in f[0].text and f[0].value == 60.0
    # subsystem means: ip 0.35, innovation 0.6 → gap 0.25; 3 of 4 regions lag in ip
    assert "创新能力最高（0.600）" in f[1].text and "知识产权创造与运用最低（0.350）" in f[1].text
    assert "3个地区（共4个）" in f[1].text and abs(f[1].value - 0.25) < 1e-12
    assert "甲市（+0.100）" in f[2].text and "丁市（-0.050）" in f[2].text  # fastest and slowest D change
    assert "指标X（障碍度23.6%）" in f[3].text  # mean of 17.3 % and 30 % = 23.65 % (float 0.2365 → 23.6)


def test_region_findings_name_its_lagging_subsystem_and_obstacles():
    f = evaluation_findings(_scores(), _obstacles(), _trend(), subsystem_names=SUBS,
                            indicator_names={"x": "指标X", "y": "指标Y"}, names=NAMES, year=2018, region="A")
    assert f[0].rule == "position" and "甲市综合得分80.0，居第1位（共4个地区）" in f[0].text
    assert "甲市的滞后子系统为知识产权创造与运用" in f[-1].text and "指标X（障碍度17.3%）" in f[-1].text


def test_recommendations_name_the_finding_they_answer():
    f = evaluation_findings(_scores(), _obstacles(), _trend(), subsystem_names=SUBS, indicator_names={},
                            names=NAMES, year=2018)
    recs = recommendations(f)
    assert [r.answers for r in recs] == [1, 2, 3, 4]
    md = findings_markdown(f, is_demo=True)
    assert md.startswith("**主要发现与问题**") and "（针对发现2）" in md and "演示" in md


def test_survey_and_industry_rules():
    profile = pd.DataFrame({"region_code": list("ABCD") * 2, "indicator_code": ["patent_grants"] * 4 + ["rd_expenditure"] * 4,
                            "value": [400.0, 300, 200, 100, 9, 8, 7, 6], "share": [0.4, 0.3, 0.2, 0.1] + [None] * 4,
                            "rank": [1, 2, 3, 4, 2, 1, 3, 4]})
    growth = pd.DataFrame({"region_code": list("ABCD"), "indicator_code": "patent_grants", "cagr": [0.1, 0.2, 0.05, -0.02],
                           "start_year": 2013})
    conc = pd.DataFrame({"indicator_code": "patent_grants", "year": [2013, 2018], "gini": [0.2, 0.3], "cr3": [0.8, 0.9]})
    f = survey_findings(profile, growth, conc, names=NAMES, indicator_names={"patent_grants": "专利授权量"},
                        year=2018, region="A", k=1)
    assert [x.rule for x in f] == ["leaders_laggards", "concentration", "fastest_slowest", "input_output_gap"]
    assert "甲市（400件，占40.0%）" in f[0].text and "较2013年（0.200）上升" in f[1].text
    assert "乙市（20.0%）" in f[2].text and "丁市（-2.0%）" in f[2].text
    assert "居第1位、R&D经费居第2位" in f[3].text and "高于" in f[3].text
    ind = pd.DataFrame({"region_code": list("AB"), "year": 2018, "industry_patent_applications": [30.0, 10.0],
                        "lq_patents": [1.3, 0.7], "per_100m_revenue": [2.0, 1.0]})
    g = industry_findings(ind, names=NAMES, industry_name="新材料")
    assert "甲市（30件，占75.0%）" in g[0].text and "最高为甲市（1.30）" in g[1].text


def test_industry_rules_compare_the_ip_with_the_industrial_base():
    ind = pd.DataFrame({"region_code": list("ABCD"), "year": 2018,
                        "industry_patent_applications": [30.0, 10.0, 40.0, 20.0],
                        "industry_invention_applications": [15.0, 2.0, 10.0, float("nan")],
                        "lq_output": [1.40, 0.80, 1.00, 1.04], "lq_patents": [0.90, 1.20, 1.02, 0.96],
                        "per_100m_revenue": [2.0, 1.0, 3.0, 1.5]})
    f = industry_findings(ind, names=NAMES, industry_name="新材料", k=1)
    rules = [x.rule for x in f]
    assert rules == ["leaders_laggards", "concentration", "ip_lags_industry", "ip_leads_industry", "invention_share",
                     "input_output_gap"]
    lags, leads, inv = f[2], f[3], f[4]
    # A: industry concentrated (1.40), patents not (0.90); B the reverse; C and D within 1 ± 0.05 of either
    assert lags.value == 1 and "地区1个：甲市（产业1.40、专利0.90）" in lags.text and "丙市" not in lags.text
    assert leads.value == 1 and "乙市（产业0.80、专利1.20）" in leads.text and "丁市" not in leads.text
    assert "最高的是甲市（50.0%）" in inv.text and "最低的是乙市（20.0%）" in inv.text  # D has no invention count
    recs = recommendations(f)
    assert [r.answers for r in recs] == [1, 2, 3, 4, 5, 6] and "专利导航" in recs[2].text and "转化" in recs[3].text
    aligned = industry_findings(ind.assign(lq_output=ind["lq_patents"]), names=NAMES, industry_name="新材料", k=1)
    match = [x for x in aligned if x.rule.startswith("ip_")]
    assert [x.rule for x in match] == ["ip_industry_aligned"] and "4个有两项数据的地区中" in match[0].text
    assert [r.answers for r in recommendations(aligned)] == [1, 2, 4, 5]  # the aligned finding needs no advice
