"""`db import` / `db build` under hostile input and faults (issue 13): a correct result or a clear refusal,
nothing changed, no traceback, no hang, no lost update."""
from __future__ import annotations

import errno
import hashlib
import multiprocessing as mp
import os
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from iplayout.cli import main
from iplayout.config import data_dir
from iplayout.db import schema
from iplayout.db.importer import SourceInfo, import_file
from iplayout.errors import DataError, SpecError

HEADER = "region,year,indicator,value,unit,source\n"
CITIES = ["南\u3000京", "无\u3000锡", "徐\u3000州", "常\u3000州", "苏\u3000州", "南\u3000通", "连云港", "淮\u3000安",
          "盐\u3000城", "扬\u3000州", "镇\u3000江", "泰\u3000州", "宿\u3000迁"]
CODES = [f"32{i:02d}00" for i in range(1, 14)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(tmp_path, body: str, name="in.csv", encoding="utf-8") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding=encoding)
    return p


def fetch(db: Path, sql: str, args=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(args)).fetchall()
    finally:
        con.close()


def value(db, region, year, indicator):
    rows = fetch(db, "SELECT value FROM observations WHERE region_code=? AND year=? AND indicator_code=? "
                     "AND industry_code='_T'", (region, year, indicator))
    return rows[0][0] if rows else None


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def refused(db: Path, f: Path, match: str, **kw):
    """Assert the import is refused with ``match`` and leaves the database, sources and records unchanged."""
    before, records = sha(db), sorted((db.parent / "imports").rglob("*"))
    with pytest.raises((DataError, SpecError)) as exc:
        import_file(f, db_path=db, **kw)
    assert match in str(exc.value), str(exc.value)
    assert sha(db) == before and not leftovers(db.parent)
    assert sorted((db.parent / "imports").rglob("*")) == records  # no import record either
    return exc.value


@pytest.fixture(scope="module")
def small_db(db_path, tmp_path_factory) -> Path:
    """Reference tables of the real database, no observations: imports into it take a fraction of a second."""
    dst = tmp_path_factory.mktemp("small") / "small.duckdb"
    con = duckdb.connect(str(dst))
    schema.create_all(con)
    con.execute(f"ATTACH '{db_path}' AS src (READ_ONLY)")
    for t in ("regions", "region_aliases", "indicators", "industries", "build_info"):
        con.execute(f"INSERT INTO {t} SELECT * FROM src.{t}")
    con.execute("DETACH src")
    con.close()
    return dst


# --- lost updates ------------------------------------------------------------------------------------------
def _child(f: str, db: str, start) -> None:
    start.wait()
    import_file(Path(f), db_path=Path(db), unit_check=False)  # the lock is under test, not the magnitudes


def test_parallel_imports_never_lose_a_file(small_db, tmp_path):
    """20 pairs of imports of two different files into one database, each pair racing in two processes."""
    db = tmp_path / "race.duckdb"
    shutil.copy(small_db, db)
    ctx = mp.get_context("fork")
    for k in range(20):
        a = write(tmp_path, f"南京,{2000 + k},patent_grants,{100 + k},件,a\n", f"a{k}.csv")
        b = write(tmp_path, f"无锡,{2000 + k},patent_grants,{200 + k},件,b\n", f"b{k}.csv")
        start = ctx.Event()
        procs = [ctx.Process(target=_child, args=(str(f), str(db), start)) for f in (a, b)]
        for p in procs:
            p.start()
        start.set()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0]
    got = fetch(db, "SELECT region_code, year, value FROM observations ORDER BY 1, 2")
    assert got == sorted([("320100", 2000 + k, 100.0 + k) for k in range(20)]
                         + [("320200", 2000 + k, 200.0 + k) for k in range(20)])
    assert len(fetch(db, "SELECT id FROM sources")) == 40
    assert len(list((tmp_path / "imports" / "race").iterdir())) == 40  # every import recorded, none overwritten


def test_writer_waits_then_times_out_with_a_clear_error(small_db, tmp_path, capsys):
    from iplayout.db.lock import writer_lock

    db = tmp_path / "busy.duckdb"
    shutil.copy(small_db, db)
    f = write(tmp_path, "南京,2016,patent_grants,5,件,x\n")
    before = sha(db)
    with writer_lock(db):
        rc = main(["db", "import", str(f), "--db", str(db), "--lock-timeout", "0.2"])
        err = capsys.readouterr().err
        assert rc == 2 and "waiting for another writer" in err and "more than 0.2 s" in err
        # readers keep working while a writer holds the lock
        assert main(["db", "info", "--db", str(db)]) == 0
    assert sha(db) == before


# --- provenance ---------------------------------------------------------------------------------------------
def test_title_publisher_and_row_sources_reach_sources_and_reports(db_copy, tmp_path):
    f = write(tmp_path, "南京,2016,patent_grants,41000,件,江苏统计年鉴2017 表13-5\n"
                        "无锡,2016,patent_grants,30000,件,无锡统计年鉴2017\n")
    rep = import_file(f, db_path=db_copy, source=SourceInfo(title="两市专利授权", publisher="江苏省统计局",
                                                           url="http://tj.jiangsu.gov.cn/"))
    rows = fetch(db_copy, "SELECT id, title, publisher, url, notes FROM sources WHERE id LIKE ? ORDER BY id",
                 (rep.source_id + "%",))
    assert [(r[1], r[2], r[3]) for r in rows] == [("无锡统计年鉴2017", "江苏省统计局", "http://tj.jiangsu.gov.cn/"),
                                                  ("江苏统计年鉴2017 表13-5", "江苏省统计局", "http://tj.jiangsu.gov.cn/")]
    assert all("两市专利授权" in r[4] and "in.csv" in r[4] for r in rows)
    cite = dict(fetch(db_copy, "SELECT region_code, source_id FROM observations WHERE year=2016 AND "
                               "indicator_code='patent_grants' AND region_code IN ('320100','320200')"))
    titles = {r[0]: r[1] for r in rows}
    assert titles[cite["320100"]] == "江苏统计年鉴2017 表13-5" and titles[cite["320200"]] == "无锡统计年鉴2017"

    # a report that uses the imported values cites them (survey stage 'packages' = its data notes)
    from iplayout.db.api import open_db
    from iplayout.stages.survey import cited_sources

    with open_db(db_copy) as db:
        pk = cited_sources(db, list(cite.values()) + ["cities_public:1"])
    assert {"江苏统计年鉴2017 表13-5", "无锡统计年鉴2017"} <= set(pk["title"])
    assert set(pk.loc[pk["title"] == "无锡统计年鉴2017", "publisher"]) == {"江苏省统计局"}


def test_mapping_source_is_the_title(db_copy, tmp_path):
    sheet = tmp_path / "wide.csv"
    sheet.write_text("地区,专利授权量（件）\n南京市,41000\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("format: wide\nyear: 2016\nsource: 南京统计年鉴2017 表12-3\ncolumns:\n"
                       "  专利授权量（件）: {indicator: patent_grants}\n", encoding="utf-8")
    rep = import_file(sheet, db_path=db_copy, mapping=mapping)
    assert fetch(db_copy, "SELECT title FROM sources WHERE id=?", (rep.source_id,)) == [("南京统计年鉴2017 表12-3",)]


# --- values that used to be stored silently ----------------------------------------------------------------------
@pytest.mark.parametrize("row, match", [
    ("南京,2016,rd_expenditure,400.5,,x", "unit is missing"),
    ("南京,2016,rd_expenditure,2,5,亿元,x", "too many columns"),
    ("南京,2016,patent_grants,\"2,5\",件,x", "decimal comma"),
    ("南京,2016,patent_grants,\"50.331,0\",件,x", "decimal comma"),
    ("南京,2016,patent_grants,1_000,件,x", "underscore"),
    ("南京,2016,rd_expenditure,600,万元,x", "× the"),        # 600 亿元 labelled 万元: 10⁴ below its series
    ("南京,2018,urbanization_rate,0.825,%,x", "looks like a fraction"),
])
def test_silent_wrong_values_are_refused(db_copy, tmp_path, row, match):
    e = refused(db_copy, write(tmp_path, row + "\n"), match)
    assert e.problems[0].line == 2


def test_unit_slip_reports_ratio_and_unit_check_off_accepts(db_copy, tmp_path, capsys):
    f = write(tmp_path, "南京,2016,rd_expenditure,600,万元,x\n")
    before = sha(db_copy)
    assert main(["db", "import", str(f), "--db", str(db_copy), "--replace"]) == 2
    err = capsys.readouterr().err
    assert "unit slip" in err and "0.000" in err and "--unit-check off" in err and sha(db_copy) == before
    assert main(["db", "import", str(f), "--db", str(db_copy), "--replace", "--unit-check", "off"]) == 0
    assert value(db_copy, "320100", 2016, "rd_expenditure") == 600


def test_city_larger_than_its_province_is_refused(db_copy, tmp_path):
    total = value(db_copy, "320000", 2016, "patent_grants")
    refused(db_copy, write(tmp_path, f"宿迁,2016,patent_grants,{total * 1.5:.0f},件,x\n"), "of its parent 320000")


def test_thousands_separators_still_read(db_copy, tmp_path):
    import_file(write(tmp_path, "南京,2016,patent_grants,\"41,000\",件,x\n"), db_path=db_copy)
    assert value(db_copy, "320100", 2016, "patent_grants") == 41000


def test_header_only_and_formulas_without_values(db_copy, tmp_path):
    refused(db_copy, write(tmp_path, ""), "no data rows")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "year", "indicator", "value", "unit", "source"])
    ws.append(["南京", 2016, "patent_grants", "=40000+1000", "件", "x"])
    wb.save(tmp_path / "f.xlsx")  # openpyxl stores the formula but no computed value, like many exporters
    refused(db_copy, tmp_path / "f.xlsx", "formula cells without values")
    assert not fetch(db_copy, "SELECT id FROM sources WHERE id LIKE 'import:%'")


# --- tracebacks → clear errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_chinese_windows_and_utf16_csv_import(db_copy, tmp_path, encoding):
    f = write(tmp_path, "南京市,2016,patent_grants,41000,件,江苏统计年鉴\n", encoding=encoding)
    import_file(f, db_path=db_copy)
    assert value(db_copy, "320100", 2016, "patent_grants") == 41000


@pytest.mark.parametrize("content, name, match", [
    (b"", "empty.csv", "empty (0 bytes)"),
    (bytes(range(256)) * 8, "random.csv", "binary data"),
    (os.urandom(2048), "random.xlsx", "not a readable .xlsx"),
    ("地区,专利,专利\n,2017,2018\n南京,1,2\n".encode(), "twolevel.csv", "column name given twice"),
])
def test_broken_files_exit_2_and_change_nothing(db_copy, tmp_path, capsys, content, name, match):
    f = tmp_path / name
    f.write_bytes(content)
    before = sha(db_copy)
    assert main(["db", "import", str(f), "--db", str(db_copy)]) == 2
    assert match in capsys.readouterr().err
    assert sha(db_copy) == before and not leftovers(tmp_path)


def test_unquoted_comma_names_the_line(db_copy, tmp_path):
    e = refused(db_copy, write(tmp_path, "南京,2016,patent_grants,41000,件,x\n南京,2017,patent_grants,4,1000,件,x\n"),
                "too many columns")
    assert e.problems[0].line == 3


def test_non_regular_files_and_size_cap(db_copy, tmp_path, monkeypatch):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    refused(db_copy, link, "not a regular file (a device)")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    refused(db_copy, fifo, "a FIFO")
    monkeypatch.setenv("IPLAYOUT_MAX_INPUT_MB", "0.00001")
    refused(db_copy, write(tmp_path, "南京,2016,patent_grants,41000,件,x\n"), "larger than")


def test_db_that_is_not_duckdb(tmp_path, capsys):
    bogus = tmp_path / "x.duckdb"
    bogus.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    f = write(tmp_path, "南京,2016,patent_grants,1,件,x\n")
    before = sha(bogus)
    assert main(["db", "import", str(f), "--db", str(bogus)]) == 2
    assert "not a DuckDB database" in capsys.readouterr().err
    assert main(["db", "info", "--db", str(bogus)]) == 2
    assert "not a DuckDB database" in capsys.readouterr().err
    assert sha(bogus) == before


def test_read_only_database_or_folder(small_db, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "db.duckdb"
    shutil.copy(small_db, db)
    f = write(tmp_path, "南京,2016,patent_grants,41000,件,x\n")
    db.chmod(0o444)
    with pytest.raises(DataError, match="database file is read-only"):
        import_file(f, db_path=db)
    db.chmod(0o644)
    folder.chmod(0o555)
    try:
        with pytest.raises(DataError, match="read-only"):
            import_file(f, db_path=db)
    finally:
        folder.chmod(0o755)
    assert value(db, "320100", 2016, "patent_grants") is None and not leftovers(folder)


def test_full_disk_removes_the_temporary_copy(small_db, tmp_path, monkeypatch):
    from iplayout import fileio

    db = tmp_path / "full.duckdb"
    shutil.copy(small_db, db)
    before = sha(db)

    def copy_until_full(src, dst, *a, **k):
        Path(dst).write_bytes(Path(src).read_bytes()[:1000])  # a partial copy, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.shutil, "copyfile", copy_until_full)
    with pytest.raises(DataError, match="no space left on the device"):
        import_file(write(tmp_path, "南京,2016,patent_grants,41000,件,x\n"), db_path=db)
    assert sha(db) == before and leftovers(tmp_path) == []


# --- yearbook sheets as they come -------------------------------------------------------------------------
def yearbook_sheet(path: Path) -> Path:
    """A sheet laid out like 江苏统计年鉴 表3-6, with made-up demo numbers (NOT official statistics)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "3-6"
    ws["A1"] = "3-6 各市年末常住人口和城镇化率（测试用虚构数字 / fake demo numbers）"
    ws.merge_cells("A1:G1")
    ws["G2"] = "单位：万人"
    ws["A3"] = "地\u3000区"
    ws.merge_cells("A3:A4")
    for col, name in (("B", "年末常住人口"), ("D", "城镇人口"), ("F", "城镇化率（%）")):
        ws[f"{col}3"] = name
        nxt = chr(ord(col) + 1)
        ws.merge_cells(f"{col}3:{nxt}3")
        ws[f"{col}4"], ws[f"{nxt}4"] = 2017, 2018
    rows = []
    for i, name in enumerate(CITIES):
        pop = [500.0 + 10 * i, 505.0 + 10 * i]
        urban = [round(p * 0.7, 1) for p in pop]
        rows.append([f" {name} "] + pop + urban + [round(u / p * 100, 1) for u, p in zip(urban, pop)])
    tot = [round(sum(r[j] for r in rows), 1) for j in (1, 2, 3, 4)]
    ws.append(["全\u3000省"] + tot + [round(tot[2] / tot[0] * 100, 1), round(tot[3] / tot[1] * 100, 1)])
    for r in rows:
        ws.append(r)
    ws.append(["注：测试用虚构数字，非官方统计。"])
    wb.save(path)
    return path


def test_yearbook_sheet_two_level_header_loads_13_cities_2_years_3_indicators(db_copy, tmp_path):
    from iplayout.db.reading import read_facts
    from iplayout.db.validation import validate_facts

    sheet = yearbook_sheet(tmp_path / "t3-6.xlsx")
    mapping = data_dir() / "templates" / "yearbook_two_level_mapping.yaml"
    facts, _ = read_facts(sheet, mapping)
    con = duckdb.connect(str(db_copy), read_only=True)
    try:
        obs = validate_facts(facts, con, str(sheet))
    finally:
        con.close()
    cities = obs[obs["region_code"].isin(CODES)]
    assert len(cities) == 13 * 2 * 3 and set(cities["year"]) == {2017, 2018}
    assert set(cities["indicator_code"]) == {"population", "urban_population", "urbanization_rate"}
    v = cities.set_index(["region_code", "year", "indicator_code"])["value"]
    assert v[("320100", 2018, "population")] == 505.0 and v[("321300", 2017, "urban_population")] == 434.0
    assert v[("320100", 2017, "urbanization_rate")] == 70.0
    assert set(obs.loc[obs["indicator_code"] == "population", "unit_given"]) == {"万人"}
    assert len(obs[obs["region_code"] == "320000"]) == 6  # 全省 → 江苏 through the mapping's region_aliases
    rep = import_file(sheet, db_path=db_copy, mapping=mapping, dry_run=True, allow_changes=True)
    assert rep.rows == 84 and any("note rows" in n for n in rep.notes)


def test_padded_names_and_unit_row_mismatch(db_copy, tmp_path):
    f = write(tmp_path, "南\u3000京,2016,patent_grants,41000,件,x\n无\u00a0锡,2016,patent_grants,30000,件,x\n")
    import_file(f, db_path=db_copy)
    assert value(db_copy, "320200", 2016, "patent_grants") == 30000
    sheet = yearbook_sheet(tmp_path / "t.xlsx")
    m = tmp_path / "m.yaml"
    m.write_text((data_dir() / "templates" / "yearbook_two_level_mapping.yaml").read_text(encoding="utf-8")
                 .replace("{indicator: population}", "{indicator: population, unit: 人}"), encoding="utf-8")
    refused(db_copy, sheet, "mapping says unit '人' but the sheet prints '万人'", mapping=m)


# --- hangs → refusals ---------------------------------------------------------------------------------------
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_yaml_alias_bomb_in_a_mapping_is_refused(db_copy, tmp_path):
    m = tmp_path / "bomb.yaml"
    m.write_text(BOMB + "columns: *i\n", encoding="utf-8")
    e = refused(db_copy, write(tmp_path, "南京,2016,patent_grants,1,件,x\n"), "billion laughs", mapping=m)
    assert len(str(e)) < 500  # the expanded document is never echoed


def test_error_messages_are_shortened(db_copy, tmp_path):
    huge = "火" * 100_000
    e = refused(db_copy, write(tmp_path, f"{huge},2016,patent_grants,1,件,x\n"), "unknown region")
    assert len(str(e)) < 1000 and "more characters" in str(e)



def test_build_takes_the_same_writer_lock(small_db, tmp_path, monkeypatch):
    from iplayout.db import build
    from iplayout.db.lock import writer_lock
    from iplayout.errors import BusyError

    db = tmp_path / "b.duckdb"
    shutil.copy(small_db, db)
    before = sha(db)
    monkeypatch.setattr(build, "collect", lambda *a, **k: {})  # reading the packages is not under test
    with writer_lock(db):
        with pytest.raises(BusyError, match="another process has been writing"):
            build.build_database(db, lock_timeout=0.1)
    assert sha(db) == before


def test_two_row_header_read_as_one_says_what_to_declare(db_copy, tmp_path):
    sheet = tmp_path / "w.csv"
    sheet.write_text("地区,专利授权量,\n,2017,2018\n南京,41000,42000\n", encoding="utf-8")
    m = tmp_path / "m.yaml"
    m.write_text("format: wide\nyear: 2017\ncolumns:\n  专利授权量: {indicator: patent_grants, unit: 件}\n",
                 encoding="utf-8")
    e = refused(db_copy, sheet, "header_levels: 2", mapping=m)
    assert e.problems[0].line == 2
