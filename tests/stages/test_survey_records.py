"""Record-based survey tables and their report sections, on the hand-made ten-record fixture."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db" / "records"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
from record_fixture import insert_records  # noqa: E402

from iplayout.db.api import open_db  # noqa: E402
from iplayout.db.records.aggregate import refresh_record_observations  # noqa: E402
from iplayout.stages.survey_records import record_tables  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_survey" / "industry.ipynb"


@pytest.fixture(scope="module")
def rec_db(tmp_path_factory):
    src = Path(os.environ["IPLAYOUT_DB"])
    dst = tmp_path_factory.mktemp("recdb") / "ip.duckdb"
    shutil.copy2(src, dst)
    con = duckdb.connect(str(dst))
    insert_records(con)
    refresh_record_observations(con)
    con.close()
    return dst


def test_tables_on_the_fixture(rec_db):
    with open_db(rec_db) as db:
        codes = db.members("320000")["code"].tolist()
        t, m = record_tables(db, territory="320000", year=2018, codes=codes)
    assert m["present"] and m["year"] == 2017  # latest record year ≤ report year
    with open_db(rec_db) as db:
        t, m = record_tables(db, territory="320000", year=2016, codes=codes)
    ov = t["rec_overview"].set_index("region_code")
    assert ov.loc["320100", "apps"] == 4 and ov.loc["320100", "invention_share"] == 0.75
    assert ov.loc["320500", "unmapped_field_share"] == 0.5  # the design without IPC
    ind = t["rec_industries"].set_index(["region_code", "industry_code"])
    # RTA over the SEI counts (unmapped left out): 南京 SEI01 1 of 3, 苏州 1 of 1; SEI01 2 of 4 in all
    # → 南京 (1/3)/(2/4) = 2/3, 苏州 1/(2/4) = 2
    assert ind.loc[("320100", "SEI01"), "rta"] == pytest.approx(2 / 3)
    assert ind.loc[("320500", "SEI01"), "rta"] == pytest.approx(2.0)
    conc = t["rec_concentration"].set_index("region_code")
    # 南京 applicants (whole counting): 甲公司 3, 乙大学 1, 丙厂 1, 丁公司 1 → HHI = (9 + 1 + 1 + 1) / 36
    assert conc.loc["320100", "hhi"] == pytest.approx(12 / 36) and conc.loc["320100", "top_applicant"] == "甲公司"
    links = t["rec_links"]
    # CN6B (苏州) 戊公司 + 甲公司 (甲 is first applicant in 南京) → one 南京–苏州 link; CN1A's 乙大学 never first
    assert links.to_dict("records") == [{"region_a": "320100", "region_b": "320500", "links": 1}]
    crit = t["rec_highvalue_criteria"].set_index("criterion")["available"].to_dict()
    assert crit == {"sei": True, "family": True, "maintained": True, "pledge": False, "award": False}
    assert m["agreement"] == 1.0  # 2016 labelled: CN1A 新一代→SEI01, CN2A 生物→SEI04, CN4B 新能源汽车→SEI05 (¾)


def test_without_records_every_table_is_empty():
    with open_db(os.environ["IPLAYOUT_DB"]) as db:
        t, m = record_tables(db, territory="320000", year=2018, codes=["320100"])
    assert not m["present"] and all(v.empty for v in t.values())


@pytest.mark.slow
def test_industry_notebook_shows_record_sections(rec_db, tmp_path):
    from notebook_helpers import run_notebook

    text, _ = run_notebook(NOTEBOOK, {"industry_code": "SEI01", "territory": "320000", "year": 2016,
                                      "db_path": str(rec_db)}, tmp_path)
    assert "主要申请人与集中度" in text and "甲公司" in text and "城市间合作申请" in text
    assert "数据库中尚无专利记录级数据" not in text


def test_catalogue_uses_record_rta_where_present():
    import pandas as pd

    from iplayout.stages.allocation import _record_specialisation

    class Survey:  # the survey table _record_specialisation reads
        tables = {"rec_industries": pd.DataFrame({"region_code": ["320100"], "industry_code": ["SEI01"], "rta": [1.7]})}

    ev = pd.DataFrame({"region_code": ["320100", "320500"], "industry_code": ["SEI01", "SEI01"],
                       "ip_specialisation": [0.9, 1.1]})
    got = _record_specialisation(ev, Survey(), "records_when_present")
    assert got["ip_specialisation"].tolist() == [1.7, 1.1]
    assert got["ip_specialisation_basis"].tolist() == ["records", "statistics"]
    kept = _record_specialisation(ev, Survey(), "statistics")
    assert kept["ip_specialisation"].tolist() == [0.9, 1.1] and set(kept["ip_specialisation_basis"]) == {"statistics"}
