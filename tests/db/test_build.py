"""Done-when items of issue 2 on a real build of the bundled packages."""
from __future__ import annotations

import hashlib
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from iplayout.config import data_dir
from iplayout.db import schema
from iplayout.db.build import build_database, check_duplicates
from iplayout.errors import DataError

PATENT_SERIES = ["patent_applications", "patent_grants", "valid_patents"]
YEARS = list(range(2010, 2024))


def test_jiangsu_2015_golden_numbers(db):
    # 《中国科技统计年鉴2016》 / CNIPA 2015 annual report: 江苏 domestic grants 250,290, invention 36,015;
    # valid invention patents end-2015 113,160; R&D 2015 1,801.2 亿元 at 2.57 % (NBS bulletin).
    obs = db.observations(regions="320000", years=2015).set_index("indicator_code")["value"]
    assert obs["patent_grants"] == 250290
    assert obs["patent_grants_invention"] == 36015
    assert obs["valid_patents_invention"] == 113160
    assert round(obs["rd_expenditure"] / 1e4, 1) == 1801.2
    assert obs["rd_intensity"] == 2.57


def test_31_provinces_with_patent_data_2010_2023(db):
    obs = db.observations(indicators=PATENT_SERIES, level="province", years=YEARS)
    counts = obs.groupby(["indicator_code", "year"])["region_code"].nunique()
    assert (counts == 31).all() and len(counts) == 3 * 14
    assert set(obs["region_code"]) == set(db.members("100000")["code"])


@pytest.mark.parametrize("code", ["140000", "360000", "540000", "330000"])  # 山西 江西 西藏 浙江 (OCR-damaged rows)
def test_unbroken_patent_series_after_aliases(db, code):
    for ind in PATENT_SERIES:
        years = db.observations(indicators=[ind], regions=code, years=YEARS)["year"].tolist()
        assert years == YEARS, (code, ind)


def test_inner_mongolia_rd_personnel_unbroken(db):
    assert db.observations(indicators=["rd_personnel_fte"], regions="150000")["year"].tolist() == YEARS


def test_national_row_is_country_not_province(db):
    reg = db.region("100000")
    assert reg["level"] == "country" and reg["name"] == "全国"
    members = db.members("100000")
    assert len(members) == 31 and "100000" not in set(members["code"])
    assert (members["level"] == "province").all()
    # the national total is stored for the country row (2015 domestic grants, yearbook 全国 row)
    assert db.observations(indicators=["patent_grants"], regions="100000", years=2015)["value"].iloc[0] > 1_500_000


def test_every_observation_has_a_source(db):
    orphans = db.con.execute("SELECT COUNT(*) FROM observations o LEFT JOIN sources s ON s.id = o.source_id "
                             "WHERE s.id IS NULL").fetchone()[0]
    assert orphans == 0
    unknown = db.con.execute("""SELECT COUNT(*) FROM observations o LEFT JOIN regions r ON r.code = o.region_code
                                LEFT JOIN indicators i ON i.code = o.indicator_code
                                WHERE r.code IS NULL OR i.code IS NULL OR i.kind <> 'stored'""").fetchone()[0]
    assert unknown == 0
    src = db.observations(indicators=["patent_grants"], regions="320000", years=2015)["source_id"].iloc[0]
    assert src == "national_st_yearbook:patent_grants"  # one citable source per yearbook table


def test_codes_are_strings(db):
    types = dict(db.con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_name = 'observations'").fetchall())
    assert types["region_code"] == "VARCHAR" and types["industry_code"] == "VARCHAR"


def test_demo_rows_flagged_and_sum_to_real_provincial_totals(db):
    city = db.observations(territory="320000", industries=None)
    demo = city[city["is_demo"]]
    assert len(demo) > 5000
    assert set(demo["source_id"]) == {"jiangsu_demo"}
    assert db.sources().set_index("id").loc["jiangsu_demo", "is_demo"]
    prov = db.observations(regions="320000").query("quality_flag in ['', 'provisional']")
    prov = prov.set_index(["indicator_code", "year"])["value"]
    with_demo = demo[demo["industry_code"] == "_T"].groupby(["indicator_code", "year"]).size().index
    sums = city[city["industry_code"] == "_T"].groupby(["indicator_code", "year"])["value"].sum()
    checked = 0
    for key in with_demo:
        if key in prov.index:
            assert sums[key] == pytest.approx(prov[key], abs=1e-6), key
            checked += 1
    assert checked >= 200
    # counts are whole numbers, so "sum exactly" means to the unit
    counts = demo[demo["indicator_code"].str.startswith(("patent_", "valid_patents"))]
    assert (counts["value"] == counts["value"].round()).all()


def test_demo_patent_types_add_up(db):
    p = db.panel(["patent_grants", "patent_grants_invention", "patent_grants_utility", "patent_grants_design"],
                 "320000", years=[2016])
    assert (p["patent_grants"] == p.iloc[:, 1:].sum(axis=1)).all()


def test_real_city_facts_win_over_demo(db):
    # 江苏省统计局: 2021 R&D of 苏州 888.7 亿元; Wikipedia/江苏统计年鉴: 南京 GDP 2015 9720.77 亿元
    obs = db.observations(regions=["320500", "320100"], years=[2015, 2021], indicators=["rd_expenditure", "gdp"])
    obs = obs.set_index(["region_code", "year", "indicator_code"])
    assert obs.loc[("320500", 2021, "rd_expenditure"), "value"] == pytest.approx(8887000)
    assert not obs.loc[("320500", 2021, "rd_expenditure"), "is_demo"]
    assert obs.loc[("320100", 2015, "gdp"), "value"] == 9720.77
    assert not obs.loc[("320100", 2015, "gdp"), "is_demo"]


def test_sei_panel_complete(db):
    sei = db.observations(territory="320000", industries=[f"SEI0{i}" for i in range(1, 9)], years=range(2011, 2023))
    per = sei.groupby("indicator_code").size()
    assert per.to_dict() == {"industry_employment": 13 * 12 * 8, "industry_output": 13 * 12 * 8,
                             "industry_patent_applications": 13 * 12 * 8}
    assert (sei["value"] >= 0).all()


def test_yearbook_duplicates_cross_check():
    """rd_intensity's RD经费 (亿元) and rd_expenditure_by_source 合计 are not stored: they must agree."""
    d = pd.read_csv(data_dir() / "national_st_yearbook" / "st_yearbook_provinces.csv", dtype={"year": str})
    d["region"] = d["region"].str.replace(" ", "")

    def series(table, item):
        return d[(d.table == table) & (d.item == item)].set_index(["region", "year"])["value"]

    j = pd.concat([series("rd_expenditure_by_activity", "合计"), series("rd_expenditure_by_source", "合计"),
                   series("rd_intensity", "RD经费") * 1e4], axis=1, keys=["act", "src", "int"]).dropna()
    assert len(j) > 400
    assert (j["act"] - j["src"]).abs().max() <= 0.5          # rounding to whole 万元
    assert (j["act"] - j["int"]).abs().max() <= 500.0        # RD经费 printed to 0.1 亿元 = 1,000 万元


def test_unit_label_errors_fixed(db):
    obs = db.observations(indicators=["industry_invention_applications"], regions="320000", years=2019, industries=["HT"])
    assert obs["unit"].iloc[0] == "件" and obs["quality_flag"].iloc[0] == "unit_label_fixed"


def test_city_qualifiers_kept_as_flags(db):
    flags = set(";".join(db.observations(territory="320000", include_demo=False)["quality_flag"]).split(";"))
    assert {"verify", "secondary"} <= flags
    prov = db.observations(regions="320000", indicators=["hightech_output"], years=2022)
    assert prov["quality_flag"].iloc[0] == "lower_bound"


def test_identical_duplicates_collapse_conflicts_show_both():
    base = dict(region_code="320000", year=2015, indicator_code="gdp", industry_code="_T", source_id="s",
                quality_flag="", is_demo=False)
    same = pd.DataFrame([dict(base, value=1.0, file="a.csv", line=2), dict(base, value=1.0, file="b.csv", line=7)])
    kept, n = check_duplicates(same)
    assert n == 1 and len(kept) == 1
    diff = pd.DataFrame([dict(base, value=1.0, file="a.csv", line=2), dict(base, value=2.0, file="b.csv", line=7)])
    with pytest.raises(DataError) as exc:
        check_duplicates(diff)
    text = str(exc.value)
    assert "a.csv line 2" in text and "b.csv" in text and "line 7" in text and "2" in text


def _dump(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").df() for t in schema.TABLES if t != "build_info"}
    finally:
        con.close()


def test_build_is_deterministic(built, tmp_path):
    again = build_database(tmp_path / "again.duckdb", data_dir=data_dir())
    a, b = _dump(built.db_path), _dump(again.db_path)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True, obj=table)


def test_other_seed_changes_demo_not_totals(built, tmp_path):
    other = build_database(tmp_path / "seed.duckdb", data_dir=data_dir(), seed=7)
    q = "SELECT region_code, year, indicator_code, value FROM observations WHERE is_demo AND indicator_code='patent_grants' ORDER BY ALL"
    a = duckdb.connect(str(built.db_path), read_only=True).execute(q).df()
    b = duckdb.connect(str(other.db_path), read_only=True).execute(q).df()
    assert not np.array_equal(a["value"], b["value"])
    assert a.groupby("year")["value"].sum().equals(b.groupby("year")["value"].sum())


def test_failed_build_leaves_previous_database(built, tmp_path):
    target = tmp_path / "keep.duckdb"
    shutil.copy2(built.db_path, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    broken = tmp_path / "data"
    shutil.copytree(data_dir(), broken, ignore=shutil.ignore_patterns("*.geojson", "templates"))
    with open(broken / "national_st_yearbook" / "st_yearbook_provinces.csv", "a", encoding="utf-8") as fh:
        fh.write("patent_grants,火星,2015,合计,1.0,件,x\n")
    with pytest.raises(DataError) as exc:
        build_database(target, data_dir=broken)
    assert "火星" in str(exc.value) and "line 25138" in str(exc.value)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["keep.duckdb"]  # no temp file left
