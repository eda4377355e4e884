"""iplayout db import: validation report, unit conversion, dry run, all-or-nothing writes."""
from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from iplayout.cli import main
from iplayout.config import data_dir
from iplayout.db.importer import SourceInfo, import_file
from iplayout.db.units import conversion_factor
from iplayout.errors import DataError

HEADER = "region,year,indicator,value,unit,source\n"
TEMPLATES = data_dir() / "templates"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(tmp_path, body: str, name="in.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def value(db: Path, region: str, year: int, indicator: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT value, is_demo, source_id FROM observations WHERE region_code=? AND year=? "
                           "AND indicator_code=? AND industry_code='_T'", [region, year, indicator]).fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("row, column, bad", [
    ("火星市,2016,patent_grants,5,件,x", "region", "火星市"),
    ("南京,2016,no_such_indicator,5,件,x", "indicator", "no_such_indicator"),
    ("南京,2016,patent_grants,abc,件,x", "value", "abc"),
    ("南京,2016,patent_grants,-3,件,x", "value", "-3"),
    ("南京,2016,patent_grants,inf,件,x", "value", "inf"),
    ("南京,2016,rd_intensity,120,%,x", "value", "120"),
    ("南京,2016,rd_expenditure,5,美元,x", "unit", "美元"),
    ("南京,2016,patent_grants,5,万件,x", "unit", "万件"),
    ("南京,1850,patent_grants,5,件,x", "year", 1850),
    ("南京,2016,patent_grants_per_10k_pop,5,件/万人,x", "indicator", "patent_grants_per_10k_pop"),
    ("尔部地区,2016,patent_grants,5,件,x", "region", "尔部地区"),
])
def test_each_invalid_row_is_reported_with_line_column_value(db_copy, tmp_path, row, column, bad):
    f = write(tmp_path, "无锡,2016,patent_grants,10,件,x\n" + row + "\n")
    before = sha(db_copy)
    with pytest.raises(DataError) as exc:
        import_file(f, db_path=db_copy)
    (p,) = exc.value.problems
    assert (p.line, p.column, p.value) == (3, column, bad)
    assert p.file == str(f)
    assert sha(db_copy) == before


def test_every_problem_listed_not_only_the_first(db_copy, tmp_path):
    f = write(tmp_path, "火星市,2016,patent_grants,5,件,x\n南京,2016,patent_grants,abc,件,x\n南京,2016,gdp,-1,亿元,x\n")
    with pytest.raises(DataError) as exc:
        import_file(f, db_path=db_copy)
    assert [p.line for p in exc.value.problems] == [2, 3, 4]


def test_duplicates_in_file_are_errors(db_copy, tmp_path):
    f = write(tmp_path, "无锡,2016,patent_grants,10,件,x\n无锡市,2016,patent_grants,11,件,x\n")
    with pytest.raises(DataError) as exc:
        import_file(f, db_path=db_copy)
    assert exc.value.problems[0].line == 3 and "line 2" in exc.value.problems[0].message


def test_unit_conversion_to_catalogue_unit(db_copy, tmp_path):
    assert conversion_factor("亿元", "万元") == 10000 and conversion_factor("元", "万元") == 1e-4
    assert conversion_factor("（千元）", "万元") == pytest.approx(0.1) and conversion_factor("人", "万人") is None
    f = write(tmp_path, "南京,2016,rd_expenditure,400.5,亿元,x\n南京,2016,public_budget_science,2000000,万元,x\n")
    report = import_file(f, db_path=db_copy)
    assert value(db_copy, "320100", 2016, "rd_expenditure")[0] == pytest.approx(4_005_000)
    assert value(db_copy, "320100", 2016, "public_budget_science")[0] == pytest.approx(200.0)
    assert report.new == 1 and report.changed == 1 and report.replaced_demo == 1


def test_successful_import_replaces_demo_and_adds_source(db_copy, tmp_path):
    old = value(db_copy, "320100", 2016, "patent_grants")
    assert old[1]  # demo before
    f = write(tmp_path, "南京市,2016,patent_grants,41000,件,江苏统计年鉴2017\n")
    report = import_file(f, db_path=db_copy, source=SourceInfo(title="江苏统计年鉴2017 表13-5"))
    new = value(db_copy, "320100", 2016, "patent_grants")
    assert new[0] == 41000 and new[1] is False and new[2] == report.source_id
    con = duckdb.connect(str(db_copy), read_only=True)
    title = con.execute("SELECT title, is_demo FROM sources WHERE id=?", [report.source_id]).fetchone()
    con.close()
    assert title == ("江苏统计年鉴2017 表13-5", False)


def test_changing_real_value_needs_replace(db_copy, tmp_path):
    f = write(tmp_path, "江苏,2015,patent_grants,250000,件,x\n")
    before = sha(db_copy)
    with pytest.raises(DataError, match="--replace"):
        import_file(f, db_path=db_copy)
    assert sha(db_copy) == before
    import_file(f, db_path=db_copy, allow_changes=True)
    assert value(db_copy, "320000", 2015, "patent_grants")[0] == 250000


def test_dry_run_changes_nothing_and_counts(db_copy, tmp_path):
    f = write(tmp_path, "南京,2016,patent_grants,41000,件,x\n江苏,2015,patent_grants,250290,件,x\n"
                        "南京,2030,patent_grants,50000,件,x\n")
    before = sha(db_copy)
    report = import_file(f, db_path=db_copy, dry_run=True, this_year=2030)
    assert (report.new, report.changed, report.unchanged) == (1, 1, 1)
    assert sha(db_copy) == before
    assert any("DRY RUN" in line for line in report.lines())


def test_cli_import_unknown_region_exits_nonzero_and_db_identical(db_copy, tmp_path, capsys):
    f = write(tmp_path, "南京,2016,patent_grants,1,件,x\n火星市,2016,patent_grants,abc,件,x\n")
    before = sha(db_copy)
    rc = main(["db", "import", str(f), "--db", str(db_copy)])
    err = capsys.readouterr().err
    assert rc != 0
    assert "line 3" in err and "火星市" in err and "'abc'" in err
    assert sha(db_copy) == before
    assert sorted(p.name for p in db_copy.parent.iterdir() if p.suffix == ".duckdb" or "import" in p.name) == ["copy.duckdb"]


def test_wide_sheet_with_mapping(db_copy, tmp_path):
    sheet = tmp_path / "wide.csv"
    sheet.write_text("地区,专利授权量（件）,R&D经费（亿元）,备注\n南京市,40000,400.0,a\n无锡市,,300,b\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("format: wide\nyear: 2016\nregion_column: 地区\ncolumns:\n"
                       "  专利授权量（件）: {indicator: patent_grants, unit: 件}\n"
                       "  R&D经费（亿元）: {indicator: rd_expenditure, unit: 亿元}\n", encoding="utf-8")
    report = import_file(sheet, db_path=db_copy, mapping=mapping)
    assert report.rows == 3  # the blank cell is skipped, not read as zero
    assert value(db_copy, "320200", 2016, "rd_expenditure")[0] == pytest.approx(3_000_000)
    assert any("备注" in n for n in report.notes) and any("blank" in n for n in report.notes)


def test_wide_mapping_errors(db_copy, tmp_path):
    sheet = tmp_path / "wide.csv"
    sheet.write_text("地区,甲\n南京市,1\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("format: wide\nyear: 2016\ncolumns:\n  乙: {indicator: gdp, unit: 亿元}\n", encoding="utf-8")
    with pytest.raises(DataError, match="乙"):
        import_file(sheet, db_path=db_copy, mapping=mapping)
    mapping.write_text("format: wide\nyear: 2016\nbogus: 1\n", encoding="utf-8")
    from iplayout.errors import SpecError

    with pytest.raises(SpecError, match="bogus"):
        import_file(sheet, db_path=db_copy, mapping=mapping)


@pytest.mark.parametrize("name, mapping", [("long_template.xlsx", None), ("long_template.csv", None),
                                           ("wide_template.xlsx", "wide_mapping.yaml"),
                                           ("wide_template.csv", "wide_mapping.yaml")])
def test_shipped_templates_import_cleanly(db_copy, name, mapping):
    report = import_file(TEMPLATES / name, db_path=db_copy, dry_run=True,
                         mapping=TEMPLATES / mapping if mapping else None)
    # the examples are the real, sourced city figures already bundled: nothing changes
    assert report.rows in (13, 52) and report.unchanged == report.rows


def test_templates_are_reproducible(tmp_path):
    import importlib.util

    import openpyxl

    spec = importlib.util.spec_from_file_location("make_templates", TEMPLATES / "make_templates.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path)
    for f in ("long_template.csv", "wide_template.csv", "wide_mapping.yaml"):
        assert (tmp_path / f).read_bytes() == (TEMPLATES / f).read_bytes(), f
    for f in ("long_template.xlsx", "wide_template.xlsx"):
        a, b = openpyxl.load_workbook(tmp_path / f), openpyxl.load_workbook(TEMPLATES / f)
        assert a.sheetnames == b.sheetnames and a.sheetnames[0] == "说明"
        for s in a.sheetnames:
            assert list(a[s].values) == list(b[s].values)


def test_import_into_missing_db(tmp_path):
    f = write(tmp_path, "南京,2016,patent_grants,1,件,x\n")
    with pytest.raises(DataError, match="db build"):
        import_file(f, db_path=tmp_path / "none.duckdb")


def test_import_survives_rebuild_and_demo_rebalances(tmp_path):
    from iplayout.db.build import build_database

    db = tmp_path / "r.duckdb"
    build_database(db, data_dir=data_dir())
    f = write(tmp_path, "南京市,2016,patent_grants_invention,9000,件,江苏统计年鉴2017\n")
    report = import_file(f, db_path=db)
    assert (tmp_path / "imports" / "r").is_dir()
    summary = build_database(db, data_dir=data_dir())
    assert summary.demo_rows > 0
    val, is_demo, src = value(db, "320100", 2016, "patent_grants_invention")
    assert (val, is_demo, src) == (9000, False, report.source_id)
    con = duckdb.connect(str(db), read_only=True)
    cities, prov = con.execute("""SELECT SUM(CASE WHEN r.parent_code='320000' THEN value END),
                                         SUM(CASE WHEN o.region_code='320000' THEN value END)
                                  FROM observations o JOIN regions r ON r.code=o.region_code
                                  WHERE indicator_code='patent_grants_invention' AND year=2016""").fetchone()
    con.close()
    assert cities == prov  # the demo cells were re-allocated around the imported real value
    build_database(db, data_dir=data_dir(), imports=False)
    assert value(db, "320100", 2016, "patent_grants_invention")[1] is True
