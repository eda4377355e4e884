"""refresh_record_observations on the ten hand-made records (tests/db/records/record_fixture.py)."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from iplayout.db.records.aggregate import CountingSpec, refresh_record_observations

from record_fixture import IMPORT_ID, PATENTS, D, insert_records


@pytest.fixture
def con(db_copy):
    c = duckdb.connect(str(db_copy))
    insert_records(c)
    yield c
    c.close()


def _obs(con, indicator="rec_patent_applications"):
    df = con.execute("SELECT region_code, year, industry_code, value, source_id, is_demo FROM observations "
                     "WHERE indicator_code = ? ORDER BY ALL", [indicator]).df()
    return df


def _cell(df, region, year):
    d = df[(df["region_code"] == region) & (df["year"] == year)]
    return dict(zip(d["industry_code"], d["value"]))


def test_expected_observations(con):
    counts = refresh_record_observations(con)
    assert counts["patent_records_placed"] == 8  # CN9B (unplaced) and US1B (non-CN office) are left out
    apps = _obs(con)
    nj = _cell(apps, "320100", 2016)
    # hand-computed: CN1A ½ TF04 + ½ TF06; CN2A ½ TF16 + ½ TF15; CN3U TF01; CN4B ½ TF01 (H01M) + ½ TF32 (B60L)
    assert {k: v for k, v in nj.items() if k.startswith("TF")} == {"TF04": 0.5, "TF06": 0.5, "TF15": 0.5, "TF16": 0.5,
                                                                   "TF01": 1.5, "TF32": 0.5}
    # CN4B: H01M → ½ SEI05 + ½ SEI06, B60L → SEI05, averaged over its two codes → ¾ SEI05, ¼ SEI06
    assert {k: v for k, v in nj.items() if k.startswith("SEI")} == {"SEI01": 1.0, "SEI04": 1.0, "SEI05": 0.75,
                                                                    "SEI06": 0.25, "SEI_UNMAPPED": 1.0}
    assert nj["_T"] == 4.0
    sz = _cell(apps, "320500", 2016)  # CN5S design without IPC → unmapped; CN6B H10K → TF08 / SEI01
    assert sz == {"TF08": 1.0, "TF_UNMAPPED": 1.0, "SEI01": 1.0, "SEI_UNMAPPED": 1.0, "_T": 2.0}
    assert _cell(apps, "320000", 2016)["_T"] == 6.0  # cities roll up into the province
    assert _cell(apps, "110000", 2016) == {"TF16": 1.0, "SEI04": 1.0, "_T": 1.0}
    t = lambda ind: _cell(_obs(con, ind), "320100", 2016)["_T"]  # noqa: E731
    assert (t("rec_patent_applications_invention"), t("rec_patent_grants"), t("rec_patent_grants_invention"),
            t("rec_valid_patents"), t("rec_valid_patents_invention"), t("rec_patent_family"),
            t("rec_high_value_invention"), t("rec_invention_share")) == (3, 3, 2, 2, 1, 1, 1, 75.0)
    hv = _cell(_obs(con, "rec_high_value_invention"), "320100", 2016)
    assert hv == {"TF04": 0.5, "TF06": 0.5, "SEI01": 1.0, "_T": 1.0}
    assert set(apps["source_id"]) == {f"records:{IMPORT_ID}"} and not apps["is_demo"].any()
    tm = _cell(_obs(con, "rec_trademark_applications"), "320100", 2016)
    assert tm == {"NICE_GOODS": 0.5, "NICE_SERVICES": 1.5, "_T": 2.0}  # T1 classes 9 + 42 split half/half
    cr = _cell(_obs(con, "rec_copyright_registrations"), "320000", 2016)
    assert cr == {"CR_SOFTWARE": 2.0, "CR_WORK": 1.0, "_T": 3.0}
    ind = con.execute("SELECT unit, subsystem, kind, definition FROM indicators WHERE code = 'rec_patent_grants'").fetchall()[0]
    assert ind[:3] == ("件", "ip", "stored") and "not the official total" in ind[3]


@pytest.mark.parametrize("basis", ["fractional", "main"])
def test_fractional_counting_sums_to_record_count(con, basis):
    refresh_record_observations(con, counting=CountingSpec(basis=basis))
    apps = _obs(con)
    for prefix in ("TF", "SEI"):
        part = apps[apps["industry_code"].str.startswith(prefix)].groupby(["region_code", "year"])["value"].sum()
        total = apps[apps["industry_code"] == "_T"].set_index(["region_code", "year"])["value"]
        pd.testing.assert_series_equal(part.sort_index(), total.sort_index(), check_names=False)
    placed = [p for p in PATENTS if p[1]]
    for year in (2016, 2017):  # per year, regions at their most specific level hold every placed record once
        leaf = apps[(apps["year"] == year) & (apps["industry_code"] == "_T") & apps["region_code"].isin(["320100", "320500", "110000"])]
        assert leaf["value"].sum() == sum(1 for p in placed if p[5] == year)
    if basis == "main":  # CN1A counts only its main IPC H04L → TF04
        assert _cell(apps, "320100", 2016)["TF04"] == 1.0 and "TF06" not in _cell(apps, "320100", 2016)


def test_refresh_replaces_and_marks_demo_and_combined_sources(con):
    refresh_record_observations(con)
    n = con.execute("SELECT count(*) FROM observations WHERE starts_with(source_id, 'records:')").fetchall()[0][0]
    assert refresh_record_observations(con)["observations"] == n  # idempotent: old rows deleted first
    con.execute("INSERT INTO record_imports VALUES ('rec-bbbbbbbbbbbb', 'patent', 'patsnap', 'demo.csv', 'y', '', 1, 1, "
                "0, TRUE, 'records:rec-bbbbbbbbbbbb')")
    con.execute("INSERT INTO patent_records (record_id, import_id, office, patent_type, application_year, applicants, "
                "ipc, region_code, province_code, placement, is_demo) VALUES ('CNDEMO', 'rec-bbbbbbbbbbbb', 'CN', "
                "'utility_model', 2016, ['x'], ['F21V  29/00'], '320100', '320000', 'field', TRUE)")
    refresh_record_observations(con)
    nj = _obs(con)
    row = nj[(nj["region_code"] == "320100") & (nj["year"] == 2016) & (nj["industry_code"] == "TF01")].iloc[0]
    assert row["value"] == 2.5 and row["is_demo"] and row["source_id"] == "records:combined"
    other = nj[(nj["region_code"] == "320100") & (nj["year"] == 2016) & (nj["industry_code"] == "TF04")].iloc[0]
    assert not other["is_demo"] and other["source_id"] == f"records:{IMPORT_ID}"
    assert con.execute("SELECT is_demo FROM sources WHERE id = 'records:combined'").fetchall() == [(True,)]


def test_a_granted_invention_is_one_application_not_two(db_copy):
    """CN10A and CN10B are the application and grant publications of one invention (same serial, CNIPA since
    2010): one application and one grant. CN11B's application publication is not in the export: it is still
    an application. With application numbers (incoPat), the number links them whatever the publication numbers."""
    from iplayout.db.records.read import applicant_counts, co_applied

    base = ("320100", "320000", "field")
    rows = [("CN10A", *base, "invention_application", 2016, D(2016, 1, 4), ["H04L  29/06"], "H04L  29/06", "审中", 1,
             None, "CN", ["甲公司", "乙大学"], None),
            ("CN10B", *base, "invention_grant", 2016, D(2016, 1, 4), ["H04L  29/06"], "H04L  29/06", "有效", 1,
             None, "CN", ["甲公司", "乙大学"], None),
            ("CN11B", *base, "invention_grant", 2016, D(2016, 2, 1), ["H04L  29/06"], "H04L  29/06", "有效", 1,
             None, "CN", ["甲公司"], None),
            ("CN12U", *base, "utility_model", 2016, D(2016, 3, 1), ["F21V  29/00"], "F21V  29/00", "有效", 1,
             None, "CN", ["丙厂"], None)]
    c = duckdb.connect(str(db_copy))
    insert_records(c, rows, trademarks=False)
    refresh_record_observations(c)
    t = lambda ind: _cell(_obs(c, ind), "320100", 2016)  # noqa: E731
    assert t("rec_patent_applications")["_T"] == 3.0 and t("rec_patent_applications")["TF04"] == 2.0
    assert t("rec_patent_applications_invention")["_T"] == 2.0
    assert t("rec_patent_grants")["_T"] == 3.0 and t("rec_patent_grants_invention")["_T"] == 2.0
    assert t("rec_invention_share")["_T"] == pytest.approx(200 / 3)
    apps = applicant_counts(c, regions=["320100"]).set_index("applicant")["patents"].to_dict()
    assert apps == {"甲公司": 2.0, "乙大学": 1.0, "丙厂": 1.0}
    assert list(co_applied(c, regions=["320100"])["record_id"]) == ["CN10A"]  # the link once, not twice

    # application numbers link publications with unrelated numbers (and keep same-serial ones apart)
    c.execute("UPDATE patent_records SET application_number = 'CN201610000001.X' WHERE record_id IN ('CN10A', 'CN11B')")
    c.execute("UPDATE patent_records SET application_number = 'CN201610000002.5' WHERE record_id = 'CN10B'")
    refresh_record_observations(c)
    assert t("rec_patent_applications")["_T"] == 3.0  # CN11B now joins CN10A; CN10B stands alone
    assert t("rec_patent_grants")["_T"] == 3.0
    c.close()


def test_application_key_cuts_the_kind_code_like_the_regular_expression():
    import duckdb

    from iplayout.db.records.applications import application_key

    ids = ["CN111A", "CN222B1", "CN1Z9", "A1", "A", "1", "", "CN12AB", "CN12中", "CN12中1", "CNa1", "CN1Ä", "CN12B12", None]
    con = duckdb.connect()
    rows = con.execute(f"""SELECT record_id, {application_key()}, regexp_replace(record_id, '[A-Z][0-9]?$', '')
        FROM (SELECT unnest(?::VARCHAR[]) AS record_id, NULL::VARCHAR AS application_number, 'CN' AS office)""",
                       [ids]).fetchall()
    assert [r[1] for r in rows] == [r[2] for r in rows]
    assert [r[1] for r in rows][:3] == ["CN111", "CN222", "CN1"]
