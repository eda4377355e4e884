"""Regions stage on the test database with fake evaluation/allocation/survey inputs (fast)."""
import numpy as np
import pytest

from iplayout.config import params_dir
from iplayout.db.api import open_db
from iplayout.stages.regions_data import demo_zone_members
from iplayout.stages.registry import REGISTRY

DEMO = ["320100", "320200", "320400", "320500", "321100"]  # 南京 无锡 常州 苏州 镇江


@pytest.fixture(scope="module")
def db():
    with open_db() as d:
        yield d


def test_registered_with_the_stages_it_needs():
    st = REGISTRY["regions"]
    assert {"survey", "evaluation"} <= set(st.needs)
    assert ("allocation" in st.needs) == ("allocation" in REGISTRY)
    assert [p.name for p in st.spec_files(params_dir(), "320000")] == ["regions.yaml", "parks.yaml", "territories.yaml"]


def test_demo_zone_members_come_from_the_database_flag(db):
    m = demo_zone_members(db, "320000")
    assert m.loc[m["kind"] == "member", "code"].tolist() == DEMO
    assert m.loc[m["kind"] == "zone", "code"].tolist() == ["320571"]  # 苏州工业园区, inside 苏州
    assert m.loc[m["code"] == "320571", "parent_code"].item() == "320500"
    # nationally no province is flagged: the five cities appear only as zones inside a member (江苏)
    nat = demo_zone_members(db, "100000")
    assert (nat["kind"] == "zone").all() and nat["code"].tolist() == DEMO


def test_stage_with_allocation(db, regions_with_allocation):
    tables, meta = regions_with_allocation
    assert meta["allocation_available"] and meta["is_demo"] and meta["target_year"] == 2025
    # groups from the database's region_group column, in the conventional order
    gc = tables["group_comparison"].set_index("group")
    assert list(gc.index) == ["苏南", "苏中", "苏北", "全域"]
    members = db.members("320000")
    south = members.loc[members["region_group"] == "苏南", "code"].tolist()
    assert gc.loc["苏南", "members"] == "南京、无锡、常州、苏州、镇江" and south == DEMO
    # ip_level_ratio by hand: (Σ valid invention / Σ population) of 苏南 over the same for all 13 cities
    o = db.observations(indicators=["valid_patents_invention", "population"], territory="320000", years=[2018])
    w = o.pivot_table(index="region_code", columns="indicator_code", values="value")
    ratio = (w.loc[south, "valid_patents_invention"].sum() / w.loc[south, "population"].sum()) / \
            (w["valid_patents_invention"].sum() / w["population"].sum())
    assert gc.loc["苏南", "ip_level_ratio"] == pytest.approx(ratio)
    assert gc.loc["苏南", "zone_share_high_ip"] == 1.0 and gc.loc["苏北", "zone_share_high_ip"] == 0.0
    fired = tables["guidance"].groupby("group")["rule_id"].apply(set)
    assert ("G1" in fired["苏南"]) == (ratio >= 1.2) and "G10" in fired["苏南"] and "G10" not in fired.get("苏北", set())
    # zones and catalogue flow into the profile and the demonstration-zone plan
    prof = tables["profile"].set_index("region_code")
    assert prof.loc["320500", "zone_name"] == "知识产权高地" and prof.loc["320100", "obstacles"] == "指标一、指标二、指标三"
    plan = tables["layout_plan"].set_index(["region_code", "industry_code"])
    assert plan.loc[("320500", "SEI01"), "action"] == "重点布局"
    assert plan.loc[("320500", "SEI01"), "role"] == "引领"  # LQ 1.5 ≥ 1.2 and share ≥ 25 % among 5 cities
    comp = tables["complementarity"]
    assert len(comp) == 10 and comp["index_output"].between(0, 2).all()
    # peers: five per region, distances from the symmetric table
    assert tables["peers"].groupby("region_code").size().eq(5).all()
    d = tables["peer_distances"].set_index(["region_code", "peer_code"])["distance"]
    assert d[("320100", "320200")] == pytest.approx(d[("320200", "320100")])


def test_targets_follow_the_formula(regions_without_allocation):
    tables, meta = regions_without_allocation
    t = tables["targets"].set_index(["region_code", "indicator_code"])
    r = t.loc[("320300", "valid_patents_invention")]  # 徐州, group 苏北
    lv = tables["levels"].set_index(["region_code", "indicator_code"])["value"]
    north = ["320300", "320700", "320800", "320900", "321300"]
    leader = max(north, key=lambda c: lv[(c, "valid_patents_invention")])
    assert r["leader_code"] == leader
    if leader == "320300":
        assert r["status_leader"] == "reached" and r["needed_leader"] == 0
    else:
        expect = (lv[(leader, "valid_patents_invention")] / r["value"]) ** (1 / (2025 - 2018)) - 1
        assert r["needed_leader"] == pytest.approx(expect)
    avail = tables["target_indicators"].set_index("code")["available"]
    assert not avail["valid_patents_invention_high_value"] and avail["valid_patents_invention"]
    # without allocation: empty tables with the contract columns, the report says so
    assert not meta["allocation_available"] and tables["zones"].empty and "zone_name" in tables["zones"].columns
    assert tables["profile"]["zone_name"].isna().all() and np.isnan(tables["group_comparison"]["zone_share_high_ip"]).all()
