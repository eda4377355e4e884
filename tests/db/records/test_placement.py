"""Gazetteer aliases and the placement rules: field, address, foreign, non-CN office, unplaced."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from iplayout.db.records.gazetteer import load_gazetteer, resolve_name
from iplayout.db.records.placement import place, register_gazetteer
from iplayout.errors import DataError


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.mark.parametrize("name, code", [
    ("江阴", "320200"), ("江阴市", "320200"), ("昆山", "320500"), ("苏州工业园区", "320500"), ("淮阴", "320800"),
    ("淮阴区", "320800"), ("淮阴市", "320800"), ("内蒙古自治区", "150000"), ("内蒙古", "150000"), ("江苏省", "320000"),
    ("张家港市", "320500"), ("海安县", "320600"), ("邳州", "320300"), ("兴化市", "321200"), ("句容", "321100"),
    ("新疆维吾尔自治区", "650000"), ("楚州区", "320800"), ("白下区", "320100")])
def test_gazetteer_aliases(gaz, name, code):
    assert resolve_name(gaz, name) == code


def test_gazetteer_shape(gaz):
    prov = gaz[gaz["level"] == "province"]
    assert prov["code"].nunique() == 34  # 31 provinces + 台湾 香港 澳门
    js = gaz[gaz["province_code"] == "320000"]
    assert js.loc[js["level"] == "city", "code"].nunique() == 13
    assert resolve_name(gaz, "鼓楼区") is None  # 南京 and 徐州 both have one: never placed alone


def test_gazetteer_refuses_a_standalone_name_in_two_places(tmp_path):
    bad = tmp_path / "g.csv"
    bad.write_text("name,code,level,province_code,unit_code,standalone,note\n"
                   "新区,320100,district,320000,,true,x\n新区,320200,district,320000,,true,y\n", encoding="utf-8")
    with pytest.raises(DataError, match="standalone=false"):
        load_gazetteer(bad)


CASES = [  # rid, office, 州/省, 地市, 区县, 国省代码, 地址 → region, province, placement, country
    (1, "CN", "江苏省", "苏州市", "昆山市", None, None, "320500", "320000", "field", "CN"),
    (2, "CN", "江苏", None, "江阴市", None, None, "320200", "320000", "field", "CN"),
    (3, "CN", None, None, None, None, "江苏省苏州工业园区星湖街1号", "320500", "320000", "address", "CN"),
    (4, "CN", None, None, None, None, "淮阴市人民路1号", "320800", "320000", "address", "CN"),
    (5, "CN", "内蒙古自治区", None, None, None, None, "150000", "150000", "field", "CN"),
    (6, "CN", "CA", None, None, None, None, None, None, "foreign", "US"),
    (7, "US", "江苏省", "南京市", None, None, None, None, None, "non_cn_office", "CN"),
    (8, "CN", None, None, None, "江苏;32", "南京市鼓楼区中山路1号", "320100", "320000", "field", "CN"),
    (9, "CN", None, None, None, "32", None, "320000", "320000", "field", "CN"),
    (10, "CN", None, None, None, "US", None, None, None, "foreign", "US"),
    (11, "CN", None, None, None, None, "1600 Amphitheatre Pkwy, Mountain View", None, None, "foreign", ""),
    (12, "CN", None, None, None, None, "日本国东京都港区", None, None, "foreign", "JP"),
    (13, "CN", None, None, None, None, "某地某路1号", None, None, "unplaced", ""),
    (14, "CN", None, None, None, None, "北京市海淀区中关村1号", "110000", "110000", "address", "CN"),
    (15, "CN", None, None, None, None, "鼓楼区中山路1号", None, None, "unplaced", ""),
    (16, "", None, None, None, None, "昆山市前进路1号", "320500", "320000", "address", "CN"),
    (17, "CN", None, None, None, "日本;JP", None, None, None, "foreign", "JP"),
    (18, "CN", None, None, None, None, "浙江省杭州市西湖区", "330000", "330000", "address", "CN"),
]


def test_placement_rules():
    con = duckdb.connect()
    src = pd.DataFrame([c[:7] for c in CASES],
                       columns=["rid", "office", "province_raw", "city_raw", "county_raw", "code_field", "address"])
    con.register("src_df", src)
    con.execute("CREATE TEMP TABLE src AS SELECT * FROM src_df")
    register_gazetteer(con)
    place(con, "src", "out")
    got = {r[0]: r[1:] for r in con.execute("SELECT * FROM out").fetchall()}
    want = {c[0]: c[7:] for c in CASES}
    assert got == want
