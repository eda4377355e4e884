"""RTA, top applicants and co-applicant links on hand-made cases (numbers computed by hand in the comments)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iplayout.methods.technology import (applicant_home_regions, co_applicant_links, homes_from_names,
                                         label_agreement, rta, top_applicants)
from iplayout.survey import location_quotient
from iplayout.survey.concentration import concentration_ratio, hhi


def test_rta_by_hand():
    x = pd.DataFrame({"TF01": [6.0, 2.0], "TF02": [4.0, 8.0]}, index=["A", "B"])
    r = rta(x)
    # total 20; TF01 share 8/20 = 0.4; A: 6/10 = 0.6 → 1.5; B: 2/10 = 0.2 → 0.5; TF02 share 0.6: A 0.4/0.6, B 0.8/0.6
    np.testing.assert_allclose(r.to_numpy(), [[1.5, 2 / 3], [0.5, 4 / 3]])
    # the same as the location quotient of one field against all patents (survey.location_quotient)
    pd.testing.assert_series_equal(r["TF01"], location_quotient(x["TF01"], x.sum(axis=1)), check_names=False)
    z = rta(pd.DataFrame({"TF01": [0.0, 1.0], "TF02": [0.0, 0.0]}, index=["A", "B"]))
    assert z.loc["A"].isna().all() and np.isnan(z.loc["B", "TF02"]) and z.loc["B", "TF01"] == 1.0


def test_applicant_concentration_by_hand():
    counts = pd.Series([50.0, 30.0, 20.0])
    assert hhi(counts) == pytest.approx(0.25 + 0.09 + 0.04)  # 0.38
    assert concentration_ratio(counts, 2) == pytest.approx(0.8)


def test_top_applicants_ties_and_shares():
    c = pd.DataFrame({"region": ["A"] * 4 + ["B"], "applicant": ["甲", "乙", "丙", "丁", "戊"],
                      "patents": [5.0, 3.0, 3.0, 1.0, 2.0]})
    t = top_applicants(c, n=2, by="region", totals={"A": 10, "B": 2})
    assert t["applicant"].tolist() == ["甲", "丙", "乙", "戊"]  # 乙 and 丙 tie for rank 2: both kept
    assert t["rank"].tolist() == [1, 2, 2, 1]
    assert t["share"].tolist() == [0.5, 0.3, 0.3, 1.0]


def test_co_applicant_links_by_hand():
    first = pd.DataFrame({"applicant": ["甲", "乙", "丙", "甲", "丁", "甲"],
                          "region_code": ["320100", "320500", "320500", "320200", None, "320100"], "n": [1, 1, 1, 1, 1, 1]})
    home = applicant_home_regions(first)  # 甲: 南京 twice, 无锡 once → 南京
    assert home.to_dict() == {"甲": "320100", "乙": "320500", "丙": "320500"}
    apps = pd.Series([["甲", "乙"],          # 南京–苏州
                      ["甲", "乙", "丙"],    # 南京–苏州 once (乙 and 丙 both 苏州)
                      ["乙", "丙"],          # within 苏州: no link
                      ["甲", "戊"],          # 戊 never a first applicant: record not placed
                      ["甲"]])               # single applicant
    links = co_applicant_links(apps, home)
    assert links.to_dict("records") == [{"region_a": "320100", "region_b": "320500", "links": 2}]
    assert links.attrs == {"records_multi": 4, "records_placed": 3, "records_cross": 2}


def test_label_agreement_by_hand():
    pairs = pd.DataFrame({"export_industry": ["生物产业", "新一代信息技术产业 | 数字创意产业", "数字创意", "其他"],
                          "top_sei": ["SEI04", "SEI01", "SEI01", "SEI02"], "records": [3, 2, 1, 4]})
    names = {"SEI01": "新一代信息技术产业", "SEI04": "生物产业", "SEI08": "数字创意产业"}
    table, share = label_agreement(pairs, names)
    assert share == pytest.approx(5 / 10)  # 生物 3 + 新一代 2 agree; 数字创意→SEI08 ≠ SEI01; 其他 matches nothing
    assert dict(zip(table["export_industry"], table["export_code"]))["其他"] == ""


def test_homes_from_names_longest_prefix():
    places = {"南京市": "320100", "南京": "320100", "苏州": "320500", "苏州工业园区": "320571"}
    got = homes_from_names(["南京甲有限公司", "苏州工业园区乙公司", "江苏苏州丙公司", "苏州丁"], places)
    assert got.to_dict() == {"南京甲有限公司": "320100", "苏州工业园区乙公司": "320571", "苏州丁": "320500"}
