"""Countries as regions: the world territory WLD, country aliases, USD units and the seeded demo country file."""
from __future__ import annotations

import hashlib

import duckdb
import pandas as pd
import pytest

from iplayout.config import data_dir
from iplayout.db.api import open_db
from iplayout.db.demo_countries import INDICATORS, demo_country_rows, write_demo_countries
from iplayout.db.importer import import_file
from iplayout.db.units import conversion_factor
from iplayout.errors import DataError

PEERS = {"USA", "JPN", "KOR", "DEU", "FRA", "GBR", "CHE", "NLD", "SWE", "ISR", "SGP", "ITA", "CAN", "IND", "BRA", "RUS"}


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def facts(db_path, where: str, params=()):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(f"SELECT region_code, year, indicator_code, value, is_demo, source_id FROM observations WHERE {where}",
                           list(params)).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_file(db_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("intl") / "demo_countries.csv"
    rows = write_demo_countries(out, db_path=db_path, years=range(2018, 2023), seed=7)
    return out, rows


def test_world_territory_members(db):
    wld = db.members("WLD")
    assert db.region("WLD")["level"] == "world" and db.region("WLD")["name"] == "世界"
    assert "100000" in set(wld["code"]) and PEERS <= set(wld["code"])
    assert (wld.loc[wld["code"] != "100000", "level"] == "country").all() and 20 <= len(wld) <= 26
    assert set(wld.loc[wld["code"] != "100000", "code"].str.len()) == {3}
    # China joins the world territory without changing its own territory: still exactly the 31 provinces
    prov = db.members("100000")
    assert len(prov) == 31 and (prov["level"] == "province").all()
    assert db.region("100000")["parent_code"] == "WLD" and db.region("100000")["name"] == "全国"


def test_real_country_figures_bundled(db):
    """data/international: World Bank WDI and WIPO rows for the 15 core economies, in catalogue units."""
    obs = db.observations(indicators=["patent_applications_origin", "rd_intensity_wdi", "population_wdi", "gdp_usd",
                                      "ip_receipts_usd"], territory="WLD", years=[2018])
    v = obs.set_index(["region_code", "indicator_code"])["value"]
    core = {"100000", "USA", "JPN", "KOR", "DEU", "FRA", "GBR", "CHE", "NLD", "SWE", "ISR", "SGP", "ITA", "CAN", "IND"}
    assert core <= set(obs.loc[obs["indicator_code"] == "patent_applications_origin", "region_code"])
    # countries.csv: CHN 2018 WIPO applications by origin 1,460,857; WDI population 1,402,760,000 → 万人
    assert v[("100000", "patent_applications_origin")] == 1460857
    assert v[("100000", "population_wdi")] == pytest.approx(140276.0)
    assert v[("100000", "rd_intensity_wdi")] == pytest.approx(2.10232)
    assert v[("100000", "gdp_usd")] == pytest.approx(138949.07857880576)  # US$ → 亿美元
    assert v[("100000", "ip_receipts_usd")] == pytest.approx(55.6128866809)
    assert not obs["is_demo"].any()
    src = db.sources()
    used = src[src["id"].isin(obs["source_id"])]
    assert used["licence"].str.contains("CC BY 4.0").all() and used["licence"].str.contains("WIPO Statistics Database").all()


@pytest.mark.parametrize("name, code", [("美国", "USA"), ("美利坚合众国", "USA"), ("United States", "USA"), ("USA", "USA"),
                                        ("Korea, Republic of", "KOR"), ("韩国", "KOR"), ("日本", "JPN"), ("Japan", "JPN"),
                                        ("United Kingdom", "GBR"), ("中国", "100000"), ("China", "100000"), ("CHN", "100000"),
                                        ("Russian Federation", "RUS"), ("世界", "WLD")])
def test_country_names_import_by_alias(db_copy, tmp_path, name, code):
    f = tmp_path / "c.csv"
    f.write_text(f"country,year,indicator,value,unit,source\n\"{name}\",2021,rd_intensity,2.44,%,OECD MSTI\n", encoding="utf-8")
    report = import_file(f, db_path=db_copy, dry_run=True)
    # China's 2021 R&D intensity is bundled (2.44 %, 中国科技统计年鉴): the same figure by country name is "unchanged"
    assert report.examples["new" if code != "100000" else "unchanged"][0].split(": ", 1)[1].startswith(code + " 2021")


def test_usd_and_headcount_units():
    assert conversion_factor("百万美元", "亿美元") == pytest.approx(0.01)
    assert conversion_factor("billion USD", "亿美元") == pytest.approx(10.0)
    assert conversion_factor("美元", "亿美元") == pytest.approx(1e-8)
    assert conversion_factor("亿美元", "亿元") is None and conversion_factor("亿元", "亿美元") is None  # no exchange rate
    assert conversion_factor("人", "万人", "population") == pytest.approx(1e-4)
    assert conversion_factor("人", "万人") is None and conversion_factor("人", "万人", "heis_enrollment") is None


def test_gdp_usd_in_catalogue_and_converted_on_import(db, db_copy, tmp_path):
    cat = db.indicators().set_index("code")
    assert cat.loc["gdp_usd", "unit"] == "亿美元" and cat.loc["gdp", "unit"] == "亿元"
    f = tmp_path / "g.csv"
    f.write_text("country,year,indicator,value,unit,source\nUSA,2009,gdp_usd,23315.08,billion USD,WDI\n"
                 "USA,2009,population,331893745,人,WDI\nJPN,2009,gdp_usd,5005536.7,百万美元,WDI\n", encoding="utf-8")
    import_file(f, db_path=db_copy)
    got = facts(db_copy, "indicator_code IN ('gdp_usd', 'population') AND region_code IN ('USA', 'JPN') AND year = 2009").set_index(
        ["region_code", "indicator_code"])["value"]
    assert got[("USA", "gdp_usd")] == pytest.approx(233150.8) and got[("JPN", "gdp_usd")] == pytest.approx(50055.367)
    assert got[("USA", "population")] == pytest.approx(33189.3745)
    f.write_text("country,year,indicator,value,unit,source\nFRA,2021,gdp,20000,亿美元,x\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:  # dollars are never written into the yuan indicator
        import_file(f, db_path=db_copy)
    assert (exc.value.problems[0].column, exc.value.problems[0].value) == ("unit", "亿美元")


def test_demo_file_is_seeded_flagged_and_leaves_real_values(db, db_path, demo_file, tmp_path):
    out, rows = demo_file
    again = write_demo_countries(tmp_path / "again.csv", db_path=db_path, years=range(2018, 2023), seed=7)
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()
    other = write_demo_countries(tmp_path / "other.csv", db_path=db_path, years=range(2018, 2023), seed=8)
    assert not other["value"].equals(again["value"])
    assert (rows["is_demo"] == "true").all() and rows["source"].str.contains("演示数据").all()
    assert set(rows["indicator"]) <= set(INDICATORS) and PEERS <= set(rows["region"])
    # the bundled real WDI/WIPO figures are never shadowed: no demo row collides with a real fact
    allreal = db.observations(territory="WLD", years=range(2018, 2023), industries=None)
    assert not set(zip(rows["region"], rows["year"], rows["indicator"])) & set(
        zip(allreal["region_code"], allreal["year"], allreal["indicator_code"]))
    # China keeps every real value: none of its generated facts collides with a real one
    real = db.observations(regions=["100000"], years=range(2018, 2023))
    real_keys = set(zip(real["year"], real["indicator_code"]))
    china = rows[rows["region"] == "100000"]
    assert not set(zip(china["year"], china["indicator"])) & real_keys
    assert set(china["indicator"]) <= {"population", "gdp_usd"}
    # China's demo population is the 31 provinces' real total
    pop = db.observations(indicators=["population"], territory="100000", years=[2020])["value"].sum()
    assert china.set_index(["year", "indicator"]).loc[(2020, "population"), "value"] == pytest.approx(round(pop, 1))
    assert rows["value"].ge(0).all() and rows.loc[rows["indicator"] == "rd_intensity", "value"].le(100).all()


def test_demo_rows_skip_real_values():
    members = pd.DataFrame({"code": ["100000", "USA"]})
    real = pd.DataFrame({"region_code": ["USA"], "year": [2020], "indicator_code": ["rd_intensity"], "value": [3.4],
                         "parent_code": ["WLD"]})
    rows = demo_country_rows(members, real, years=[2020, 2021], seed=1)
    assert ("USA", 2020, "rd_intensity") not in set(zip(rows["region"], rows["year"], rows["indicator"]))
    assert ("USA", 2021, "rd_intensity") in set(zip(rows["region"], rows["year"], rows["indicator"]))
    assert rows["region"].eq("100000").sum() == 0  # no provinces in this toy: nothing to anchor China on


def test_demo_import_all_or_nothing_and_flagged(db_copy, demo_file, tmp_path):
    out, rows = demo_file
    # one bad row anywhere → nothing written, the file is byte-identical
    bad = tmp_path / "bad.csv"
    text = out.read_text(encoding="utf-8-sig").splitlines()
    bad.write_text("\n".join(text[:40] + ["火星,2020,gdp_usd,1,亿美元,x,true"] + text[40:]) + "\n", encoding="utf-8")
    before = sha(db_copy)
    with pytest.raises(DataError) as exc:
        import_file(bad, db_path=db_copy)
    assert [(p.line, p.value) for p in exc.value.problems] == [(41, "火星")]
    assert sha(db_copy) == before
    report = import_file(out, db_path=db_copy)
    assert report.is_demo and report.new == len(rows) and report.changed == 0
    got = facts(db_copy, "region_code = 'USA' AND is_demo")
    assert len(got) == (rows["region"] == "USA").sum() > 0
    exp = rows[rows["region"] == "USA"].set_index(["year", "indicator"])["value"]
    assert got.set_index(["year", "indicator_code"])["value"].sort_index().equals(exp.sort_index().rename("value"))
    with open_db(db_copy) as db:
        src = db.sources().set_index("id")
        assert bool(src.loc[report.source_id, "is_demo"]) and db.is_demo("WLD")


def test_demo_file_never_replaces_real_values(db_copy, tmp_path):
    f = tmp_path / "real.csv"
    f.write_text("country,year,indicator,value,unit,source\nUSA,2021,rd_intensity,3.46,%,OECD MSTI\n", encoding="utf-8")
    import_file(f, db_path=db_copy)
    d = tmp_path / "demo.csv"
    d.write_text("country,year,indicator,value,unit,source,is_demo\nUSA,2021,rd_intensity,9.9,%,demo,true\n", encoding="utf-8")
    with pytest.raises(DataError, match="demo value would replace a real value"):
        import_file(d, db_path=db_copy, allow_changes=True)
    m = tmp_path / "mixed.csv"
    m.write_text("country,year,indicator,value,unit,source,is_demo\nJPN,2021,rd_intensity,3.3,%,x,true\n"
                 "KOR,2021,rd_intensity,4.9,%,x,false\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        import_file(m, db_path=db_copy)
    assert (exc.value.problems[0].line, exc.value.problems[0].column) == (3, "is_demo")


def test_international_template_imports_unchanged(db_copy):
    for name in ("international_template.xlsx", "international_template.csv"):
        report = import_file(data_dir() / "templates" / name, db_path=db_copy, dry_run=True)
        # the examples are China's bundled 2022 figures: nothing changes
        assert report.rows == 5 and report.unchanged == 5
    import openpyxl

    wb = openpyxl.load_workbook(data_dir() / "templates" / "international_template.xlsx", read_only=True)
    assert wb.sheetnames == ["说明", "数据", "国家代码", "可比指标"]
    codes = [r[0] for r in wb["国家代码"].iter_rows(min_row=2, values_only=True)]
    assert "USA" in codes and "100000" in codes
    wb.close()


def test_international_template_is_reproducible(tmp_path):
    import importlib.util

    import openpyxl

    templates = data_dir() / "templates"
    spec = importlib.util.spec_from_file_location("make_templates_intl", templates / "make_templates.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path)
    assert (tmp_path / "international_template.csv").read_bytes() == (templates / "international_template.csv").read_bytes()
    a, b = (openpyxl.load_workbook(p / "international_template.xlsx") for p in (tmp_path, templates))
    assert a.sheetnames == b.sheetnames and all(list(a[s].values) == list(b[s].values) for s in a.sheetnames)


def test_demo_country_import_survives_rebuild_flagged(tmp_path):
    from iplayout.db.build import build_database

    db = tmp_path / "r.duckdb"
    build_database(db, data_dir=data_dir())
    rows = write_demo_countries(tmp_path / "demo.csv", db_path=db, years=[2021, 2022], seed=5)
    report = import_file(tmp_path / "demo.csv", db_path=db)
    summary = build_database(db, data_dir=data_dir())  # replays the recorded import, then the Jiangsu demo panel
    got = facts(db, "region_code = 'JPN' AND is_demo")
    assert len(got) == (rows["region"] == "JPN").sum() > 0
    assert (got["source_id"] == report.source_id).all() and summary.demo_rows > 0
    exp = rows[rows["region"] == "JPN"].set_index(["year", "indicator"])["value"].sort_index()
    assert got.set_index(["year", "indicator_code"])["value"].sort_index().to_numpy().tolist() == exp.tolist()
