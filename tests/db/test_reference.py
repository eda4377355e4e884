"""Reference tables, alias table and package metadata."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from iplayout.config import data_dir
from iplayout.db.aliases import AliasTable, load_alias_table
from iplayout.db.packages import list_packages, load_meta, read_package_facts, read_reference
from iplayout.errors import DataError

REF = data_dir() / "reference"


@pytest.fixture(scope="module")
def ref():
    return read_reference(REF)


@pytest.fixture(scope="module")
def aliases(ref):
    return load_alias_table(REF, set(ref["regions"]["code"]))


def test_regions_table(ref):
    r = ref["regions"]
    assert r["code"].map(type).eq(str).all()
    # GB/T 2260 six digits at home; the world territory and its peer economies use ISO 3166-1 alpha-3
    abroad = r["level"].eq("world") | (r["level"].eq("country") & r["code"].ne("100000"))
    assert r.loc[~abroad, "code"].str.fullmatch(r"\d{6}").all() and r.loc[abroad, "code"].str.fullmatch(r"[A-Z]{3}").all()
    assert (r["level"] == "province").sum() == 31 and (r["level"] == "city").sum() == 13
    groups = r[r["level"] == "province"].groupby("region_group").size().to_dict()
    assert groups == {"东部": 10, "中部": 6, "西部": 12, "东北": 3}  # NBS four regions (2011)
    cities = r[r["level"] == "city"].set_index("name")
    assert cities.groupby("region_group").size().to_dict() == {"苏北": 5, "苏中": 3, "苏南": 5}
    assert set(cities[cities["in_sunan_demo_zone"]].index) == {"南京", "无锡", "常州", "苏州", "镇江"}
    assert cities.loc["宿迁", "code"] == "321300" and cities.loc["南京", "code"] == "320100"


@pytest.mark.parametrize("alias, code", [("山两", "140000"), ("江两", "360000"), ("江四", "360000"), ("两藏", "540000"),
                                         ("四藏", "540000"), ("浙汀", "330000"), ("内蒙占", "150000"),
                                         ("内蒙 古", "150000"), ("全   国", "100000"), ("北   京", "110000"),
                                         ("黑龙 江", "230000"), ("南京市", "320100"), ("江苏省", "320000"),
                                         ("全国(国内合计)", "100000"), ("南京市(副省级,含于江苏)", "320100")])
def test_alias_defects_map(aliases, alias, code):
    codes, excluded, problems = aliases.resolve(pd.Series([alias]), file="f.csv", lines=pd.Series([2]), column="region")
    assert codes.iloc[0] == code and not excluded.iloc[0] and not problems


@pytest.mark.parametrize("alias", ["尔部地区", "全国(合计,含港澳台)", "中国版权保护中心(非省份)", "苏南(南京/无锡/常州/苏州/镇江)"])
def test_non_regions_excluded_with_reason(aliases, alias):
    codes, excluded, problems = aliases.resolve(pd.Series([alias]), file="f.csv", lines=pd.Series([5]), column="region")
    assert excluded.iloc[0] and codes.iloc[0] == "" and not problems
    assert len(aliases.reason(alias)) > 10


def test_unknown_name_rejected_with_file_line_value(aliases):
    _, _, problems = aliases.resolve(pd.Series(["北京", "北亰"]), file="x.csv", lines=pd.Series([2, 3]), column="region")
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.line, p.column, p.value) == ("x.csv", 3, "region", "北亰")


def test_alias_table_checks_itself(ref):
    bad = pd.DataFrame([dict(alias="x", code="999999", action="map", reason=""),
                        dict(alias="y", code="", action="exclude", reason="")])
    with pytest.raises(DataError) as exc:
        AliasTable.from_frames(bad, set(ref["regions"]["code"]))
    assert len(exc.value.problems) == 2


def test_all_data_variants_have_aliases(aliases):
    """Every region name of the bundled extracts is listed (so nothing is guessed)."""
    names = set()
    for pkg, col in [("national_st_yearbook/st_yearbook_provinces.csv", "region"),
                     ("national_macro/macro_provinces.csv", "province"), ("jiangsu_cities_public/cities_public.csv", "city")]:
        names |= set(pd.read_csv(data_dir() / pkg, dtype=str)[col].str.strip())
    from iplayout.db.aliases import normalise_name

    assert {normalise_name(n) for n in names} <= set(aliases.table.index)  # lookups compare normal forms


def test_indicator_catalogue(ref):
    cat = ref["indicators"]
    assert not cat["code"].duplicated().any()
    assert set(cat["kind"]) == {"stored", "derived"}
    assert cat[["name", "name_en", "unit"]].ne("").all().all()
    core = ["patent_applications", "patent_grants_invention", "valid_patents_design", "plant_variety_grants",
            "pct_applications", "trademark_applications", "copyright_registrations", "rd_expenditure",
            "rd_personnel_fte", "rd_intensity", "gdp", "population", "industry_output", "industry_employment",
            "industry_patent_applications", "tech_market_outflow_value"]
    assert set(core) <= set(cat["code"])
    units = cat.set_index("code")["unit"]
    assert units["rd_expenditure"] == "万元" and units["gdp"] == "亿元" and units["population"] == "万人"
    assert ref["industries"]["code"].tolist()[:2] == ["_T", "HT"] and len(ref["industries"]) == 11  # SEI01…SEI09


def test_every_package_yaml_validates():
    metas = [load_meta(p) for p in list_packages(data_dir())]
    ids = {m.id for m in metas}
    assert {"national_st_yearbook", "national_macro", "jiangsu_cities_public", "jiangsu_demo", "reference",
            "boundaries"} <= ids
    for m in metas:
        assert m.title and m.publisher and m.licence and m.sources
    assert [m.is_demo for m in metas if m.id == "jiangsu_demo"] == [True]


def test_boundaries_join_on_code(ref):
    names = pd.read_csv(data_dir() / "reference" / "boundary_names.csv", dtype=str)
    china = json.loads((data_dir() / "boundaries" / "china_provinces.geojson").read_text(encoding="utf-8"))
    js = json.loads((data_dir() / "boundaries" / "jiangsu_cities.geojson").read_text(encoding="utf-8"))
    cmap = names[names["file"] == "china_provinces.geojson"].set_index("name")["code"]
    assert {f["properties"]["name"] for f in china["features"]} == set(cmap.index)
    provinces = set(ref["regions"].query("level == 'province'")["code"])
    assert provinces <= set(cmap)
    assert {f["properties"]["adcode"] for f in js["features"]} == set(ref["regions"].query("level == 'city'")["code"])
    meta = load_meta(data_dir() / "boundaries")
    assert meta.attribution == "底图来源：高德地图（经 cnmaps 整理）；示意图，不作为权属争议依据"


def test_unmatched_item_and_non_numeric_value_are_located(ref, aliases, tmp_path):
    pkg = tmp_path / "toy"
    pkg.mkdir()
    (pkg / "facts.csv").write_text("region,year,item,value\n江苏,2015,甲,1\n江苏,2015,乙,2\n江苏,2016,甲,x\n", encoding="utf-8")
    (pkg / "items.csv").write_text("item,indicator_code,industry_code,factor,action,quality_flag,note\n"
                                   "甲,gdp,_T,,load,,\n", encoding="utf-8")
    (pkg / "package.yaml").write_text(
        "id: toy\ntitle: t\ntitle_en: t\npublisher: p\noriginal_source: o\nlicence: l\naccessed: a\nlevel: province\n"
        "years: [2015]\nis_demo: false\nfacts: {file: facts.csv, region: region, year: year, value: value, match: [item]}\n"
        "items: items.csv\nknown_defects: []\nsources: [s]\n", encoding="utf-8")
    catalogue = ref["indicators"].set_index("code")
    with pytest.raises(DataError) as exc:
        read_package_facts(pkg, load_meta(pkg), aliases, catalogue)
    lines = {(p.line, str(p.value)) for p in exc.value.problems}
    assert lines == {(3, "乙"), (4, "x")}


def test_demo_generator_spec_rejects_unknown_keys(tmp_path):
    import shutil

    from iplayout.errors import SpecError

    shutil.copytree(data_dir() / "jiangsu_demo", tmp_path / "jiangsu_demo")
    yml = tmp_path / "jiangsu_demo" / "package.yaml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("  noise_sd: 0.03", "  noise_sd: 0.03\n  nosie: 1"),
                   encoding="utf-8")
    with pytest.raises(SpecError, match="nosie"):
        load_meta(tmp_path / "jiangsu_demo")
