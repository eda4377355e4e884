"""Record imports end to end on small hand-made exports: golden values, refusals, --skip-bad, idempotence, replay."""
from __future__ import annotations

import csv

import pytest
from conftest import query, PATSNAP_ROWS, write_csv

from iplayout.db.build import build_database
from iplayout.db.records.generator import HEADER_ORIGINAL, HEADER_STRIPPED
from iplayout.db.records.importer import import_records
from iplayout.errors import DataError
from iplayout.fileio import sha256_file


def _patents(db):
    return {r[0]: r[1:] for r in query(db, """SELECT record_id, office, patent_type, applicants, inventors, claims, ipc,
        ipc_main, region_code, province_code, placement, applicant_country, application_year, family_offices,
        legal_events, export_industry, is_demo FROM patent_records""")}


def test_patsnap_golden_values(patsnap_file, rdb):
    rep = import_records(patsnap_file, db_path=rdb, fmt="patsnap", record=False)
    assert (rep.rows_read, rep.rows_bad, rep.new, rep.updated) == (7, 0, 7, 0) and rep.written
    p = _patents(rdb)
    assert sorted(p) == ["CN111A", "CN222B", "CN444U", "CN555S", "CN666A", "CN777A", "US333B2"]  # spaces dropped
    one = p["CN111A"]
    assert one[:2] == ("CN", "invention_application")
    assert one[2] == ["演示甲公司", "演示乙大学"] and one[3] == ["张三", "李四"]  # ' | ' split
    assert one[5] == ["H04N  21/00", "G06F  16/30"] and one[6] == "H04N"  # PATSTAT spacing
    assert one[7:11] == ("320500", "320000", "field", "CN") and one[11] == 2016 and one[12] == ["CN"]
    two = p["CN222B"]
    assert two[1] == "invention_grant" and two[3] is None and two[4] is None  # '-' is missing (NULL)
    assert two[5] == ["A61K  31/00"] and two[7:10] == ("320200", "320000", "field")  # 江阴市 → 无锡
    assert p["US333B2"][0] == "US" and p["US333B2"][7:11] == (None, None, "non_cn_office", "US")
    assert p["CN444U"][7:11] == (None, None, "foreign", "US") and p["CN444U"][5] == ["F21H"]
    assert p["CN555S"][7:10] == (None, None, "unplaced") and p["CN555S"][5] == [] and p["CN555S"][6] is None
    assert p["CN666A"][7] == "320800"  # 淮阴市 (former name) → 淮安
    assert p["CN777A"][7:9] == ("150000", "150000") and p["CN777A"][14] == "新材料产业"
    assert all(v[-1] is False for v in p.values())  # no sidecar, no --demo: real
    # shares per year: 2016 = CN111A (placed) + US333B2 (non-CN office); 2018 = CN444U foreign + CN555S unplaced
    sh = rep.shares.set_index("year")
    assert sh.loc[2016, "placed_share"] == 0.5 and sh.loc[2016, "non_cn_office_share"] == 0.5
    assert sh.loc[2018, "foreign_share"] == 0.5 and sh.loc[2018, "unplaced_share"] == 0.5
    assert sh.loc[2015, "placed_share"] == 1.0 and sh["records"].sum() == 7
    assert query(rdb, "SELECT kind, source_format, rows_read, rows_imported, rows_skipped, is_demo, source_id "
                      "FROM record_imports") == [("patent", "patsnap", 7, 7, 0, False, "import:" + rep.import_id)]
    assert query(rdb, f"SELECT count(*) FROM sources WHERE id = 'import:{rep.import_id}'") == [(1,)]


def test_both_header_variants_give_the_same_records(patsnap_file, stripped_file, rdb, tmp_path):
    import_records(patsnap_file, db_path=rdb, fmt="patsnap", record=False)
    first = _patents(rdb)
    other = tmp_path / "other" / "ip.duckdb"
    other.parent.mkdir()
    other.write_bytes(rdb.read_bytes())
    rep = import_records(stripped_file, db_path=other, fmt="patsnap", record=False)
    assert rep.updated == 0 and rep.unchanged == 7 and not rep.written  # same content: nothing to write
    assert _patents(other) == first


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_encodings(tmp_path, rdb, encoding):
    f = write_csv(tmp_path / f"p-{encoding}.csv", HEADER_STRIPPED, PATSNAP_ROWS, encoding=encoding)
    rep = import_records(f, db_path=rdb, fmt="patsnap", record=False)
    assert rep.new == 7 and rep.encoding == encoding
    assert _patents(rdb)["CN111A"][2] == ["演示甲公司", "演示乙大学"]


def test_xlsx_with_title_rows(tmp_path, rdb):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["智慧芽专利检索结果导出"])
    ws.append(["检索式: 演示"])
    ws.append(HEADER_ORIGINAL)
    for r in PATSNAP_ROWS:
        ws.append([int(v) if v.isdigit() else v for v in r])  # Excel stores the numbers as numbers
    ws.append([None] * 5)
    f = tmp_path / "p.xlsx"
    wb.save(f)
    mapping = tmp_path / "m.yaml"
    from iplayout.db.records.mappings import mapping_path

    mapping.write_text(mapping_path("patsnap").read_text(encoding="utf-8").replace("title_rows: 0", "title_rows: 2"),
                       encoding="utf-8")
    rep = import_records(f, db_path=rdb, mapping=mapping, record=False)
    assert rep.new == 7 and rep.source_format == "user" and rep.encoding == "xlsx"
    assert _patents(rdb)["CN111A"][7] == "320500" and _patents(rdb)["CN222B"][11] == 2017


BAD = [PATSNAP_ROWS[0], ["-"] + PATSNAP_ROWS[1][1:], PATSNAP_ROWS[2][:17] + ["20x6"] + PATSNAP_ROWS[2][18:],
       PATSNAP_ROWS[3][:3] + ["发明"] + PATSNAP_ROWS[3][4:], PATSNAP_ROWS[4][:8] + ["H4N"] + PATSNAP_ROWS[4][9:]]


@pytest.mark.parametrize("tail", ["\n", "", "\n\n , \n"])
def test_an_export_with_a_header_and_no_rows_is_refused_with_a_clear_error(tmp_path, rdb, tail):
    f = tmp_path / "header-only.csv"
    f.write_text(",".join(HEADER_ORIGINAL) + tail, encoding="utf-8")
    before = sha256_file(rdb)
    with pytest.raises(DataError) as err:  # DuckDB's own message was a CSV-dialect sniffing failure
        import_records(f, db_path=rdb, fmt="patsnap")
    (problem,) = err.value.problems
    assert problem.message.startswith("no data rows below the header (line 1)") and problem.file == str(f)
    assert sha256_file(rdb) == before


def test_bad_rows_refuse_the_file_and_name_line_column_value(tmp_path, rdb):
    f = tmp_path / "bad.csv"
    text = write_csv(f, HEADER_ORIGINAL, BAD).read_text(encoding="utf-8").splitlines()
    f.write_text("\n".join(text[:2] + [""] + text[2:]) + "\n", encoding="utf-8")  # a blank line 3: lines shift
    before = sha256_file(rdb)
    with pytest.raises(DataError) as err:
        import_records(f, db_path=rdb, fmt="patsnap")
    got = [(p.line, p.column, p.value) for p in err.value.problems]
    assert got == [(4, "公开(公告)号", None), (5, "申请年", "20x6"), (6, "专利类型", "发明"), (7, "IPC分类号", "H4N")]
    msgs = [p.message for p in err.value.problems]
    assert "missing 公开(公告)号 and 申请号" in msgs[0] and "unparsable year" in msgs[1]
    assert "unknown 专利类型" in msgs[2] and "unparsable IPC" in msgs[3]
    assert sha256_file(rdb) == before  # refused whole: the database is byte-identical
    assert not (tmp_path / "bad.csv.rejects.csv").exists() and not (rdb.parent / "imports").exists()


def test_skip_bad_writes_rejects_next_to_the_input(tmp_path, rdb):
    f = write_csv(tmp_path / "bad.csv", HEADER_ORIGINAL, BAD)
    rep = import_records(f, db_path=rdb, fmt="patsnap", skip_bad=True, record=False)
    assert (rep.rows_read, rep.rows_bad, rep.new) == (5, 4, 1)
    assert rep.rejects_file == tmp_path / "bad.csv.rejects.csv"
    with open(rep.rejects_file, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADER_ORIGINAL + ["line", "reason"]
    assert [r[-2] for r in rows[1:]] == ["3", "4", "5", "6"]
    assert rows[2][17] == "20x6" and "unparsable year" in rows[2][-1]
    assert any("skipped" in line and "rejects.csv" in line for line in rep.lines())
    assert query(rdb, "SELECT rows_read, rows_imported, rows_skipped FROM record_imports") == [(5, 1, 4)]


def test_reimport_is_idempotent_and_newer_export_updates(tmp_path, rdb, patsnap_file):
    import_records(patsnap_file, db_path=rdb, fmt="patsnap")
    before = sha256_file(rdb)
    again = import_records(patsnap_file, db_path=rdb, fmt="patsnap")
    assert again.already_imported and "nothing changed" in again.lines()[0] and sha256_file(rdb) == before
    newer = [list(r) for r in PATSNAP_ROWS]
    newer[0][12] = "有效"  # the application was granted meanwhile
    newer.append(["CN888A"] + PATSNAP_ROWS[0][1:])
    newer.append(["CN888A"] + PATSNAP_ROWS[0][1:12] + ["失效"] + PATSNAP_ROWS[0][13:])  # twice: the last row wins
    f = write_csv(tmp_path / "newer.csv", HEADER_ORIGINAL, newer)
    rep = import_records(f, db_path=rdb, fmt="patsnap")
    assert (rep.new, rep.updated, rep.unchanged, rep.rows_duplicate) == (1, 1, 6, 1)
    got = dict(query(rdb, "SELECT record_id, legal_status FROM patent_records WHERE record_id IN ('CN111A', 'CN888A')"))
    assert got == {"CN111A": "有效", "CN888A": "失效"}
    # the newer export is now the source of every record it holds (import_id of the newer file)
    assert query(rdb, "SELECT count(*), count(DISTINCT import_id), min(import_id) FROM patent_records") == [
        (8, 1, rep.import_id)]
    assert query(rdb, "SELECT count(*) FROM record_imports") == [(2,)]


def test_demo_sidecar_flags_records(tmp_path, rdb):
    from iplayout.db.records.generator import write_demo_patents

    f = tmp_path / "demo.csv"
    write_demo_patents(f, n=500, seed=5)
    rep = import_records(f, db_path=rdb, fmt="patsnap", record=False)
    assert rep.is_demo and rep.new == 500
    assert query(rdb, "SELECT bool_and(is_demo), count(*) FROM patent_records") == [(True, 500)]
    assert query(rdb, "SELECT is_demo FROM record_imports") == [(True,)]
    # the demo export places almost every Chinese-office record (its region fields are filled)
    placed = query(rdb, "SELECT avg((placement IN ('field', 'address'))::INT) FROM patent_records "
                        "WHERE placement <> 'non_cn_office'")[0][0]
    assert placed > 0.9


@pytest.mark.slow
def test_db_build_replays_a_record_import(tmp_path, patsnap_file, rdb):
    import_records(patsnap_file, db_path=rdb, fmt="patsnap")
    first = _patents(rdb)
    imports = query(rdb, "SELECT import_id, rows_read, rows_imported, imported_at, source_id FROM record_imports")
    build_database(rdb, demo=False)  # a fresh build: empty record tables, then the recorded import replayed
    assert _patents(rdb) == first
    assert query(rdb, "SELECT import_id, rows_read, rows_imported, imported_at, source_id FROM record_imports") == imports


def test_dry_run_counts_and_writes_nothing(tmp_path, rdb):
    f = write_csv(tmp_path / "bad.csv", HEADER_ORIGINAL, BAD)
    before = sha256_file(rdb)
    rep = import_records(f, db_path=rdb, fmt="patsnap", skip_bad=True, dry_run=True)
    assert (rep.rows_bad, rep.new) == (4, 1) and rep.lines()[0].startswith("DRY RUN")
    assert sha256_file(rdb) == before and not (tmp_path / "bad.csv.rejects.csv").exists()
    assert not (rdb.parent / "imports").exists()


def test_a_failure_while_writing_leaves_the_database_byte_identical(tmp_path, rdb, patsnap_file, monkeypatch):
    """The staged rows are written from the staging connection into an attached copy; a failure after the
    insert (here in the observation refresh) rolls back, detaches and removes the copy."""
    import iplayout.db.records.importer as importer

    def boom(con):
        assert con.execute("SELECT count(*) FROM patent_records").fetchone()[0] == 7  # inserted, not committed
        raise DataError("simulated failure after the insert")

    monkeypatch.setattr(importer, "refresh_record_observations", boom)
    before = sha256_file(rdb)
    with pytest.raises(DataError):
        import_records(patsnap_file, db_path=rdb, fmt="patsnap", record=False)
    assert sha256_file(rdb) == before
    left = sorted(p.name for p in rdb.parent.iterdir() if p.name != "ip.duckdb.lock")  # the lock file stays
    assert left == ["ip.duckdb"]  # no copy, no spill folder left


def test_record_ids_stay_unique_without_an_index(tmp_path, rdb, patsnap_file):
    import_records(patsnap_file, db_path=rdb, fmt="patsnap", record=False)
    newer = [list(r) for r in PATSNAP_ROWS] + [["CN999A"] + PATSNAP_ROWS[0][1:]] * 3
    import_records(write_csv(tmp_path / "newer.csv", HEADER_ORIGINAL, newer), db_path=rdb, fmt="patsnap", record=False)
    assert query(rdb, "SELECT count(*), count(DISTINCT record_id) FROM patent_records") == [(8, 8)]


def test_clean_newer_export_updates_through_the_streaming_write(tmp_path, rdb, patsnap_file):
    # no bad row and no repeated id: the check pass + streaming write path, against stored records (diff, delete)
    import_records(patsnap_file, db_path=rdb, fmt="patsnap")
    newer = [list(r) for r in PATSNAP_ROWS]
    newer[0][12] = "有效"
    newer.append(["CN999A"] + PATSNAP_ROWS[1][1:])
    f = write_csv(tmp_path / "newer_clean.csv", HEADER_ORIGINAL, newer)
    dry = import_records(f, db_path=rdb, fmt="patsnap", dry_run=True)
    assert (dry.rows_read, dry.rows_bad, dry.rows_duplicate, dry.new, dry.updated, dry.unchanged) == (8, 0, 0, 1, 1, 6)
    rep = import_records(f, db_path=rdb, fmt="patsnap")
    assert (rep.new, rep.updated, rep.unchanged) == (1, 1, 6)
    assert sum(rep.offices.values()) == 8 and int(rep.shares["records"].sum()) == 8
    assert query(rdb, "SELECT count(*), count(DISTINCT record_id) FROM patent_records") == [(8, 8)]
    got = dict(query(rdb, "SELECT record_id, legal_status FROM patent_records WHERE record_id IN ('CN111A', 'CN999A')"))
    assert got == {"CN111A": "有效", "CN999A": "有效"}  # CN999A is a copy of CN222B's row (有效)



def _state(db):
    """Everything an import writes, as comparable rows (records by id: the parallel insert keeps no order)."""
    return (query(db, "SELECT * EXCLUDE (import_id) FROM patent_records ORDER BY record_id"),
            query(db, "SELECT kind, file_name, rows_read, rows_imported, rows_skipped, is_demo FROM record_imports "
                      "ORDER BY file_name"),
            query(db, "SELECT * FROM observations WHERE starts_with(source_id, 'records:') ORDER BY ALL"))


def _summary(rep):
    return (rep.rows_read, rep.rows_bad, rep.rows_duplicate, rep.new, rep.updated, rep.unchanged, rep.written,
            rep.already_imported, rep.offices, rep.shares.to_dict("list"), rep.ignored_columns, rep.observations)


def test_one_pass_write_reports_and_stores_what_the_checked_path_does(tmp_path, rdb, patsnap_file, monkeypatch):
    """A clean file is written in one pass (checked in the transaction's copy); the checked path (ONE_PASS off)
    must give the same database and the same report: a first import, a newer export that updates and adds, and
    a reordered copy of it (every record unchanged: nothing written, the database byte-identical)."""
    import shutil

    import iplayout.db.records.importer as importer

    newer = [list(r) for r in PATSNAP_ROWS]
    newer[0][12] = "有效"
    newer.append(["CN999A"] + PATSNAP_ROWS[1][1:])
    files = [patsnap_file, write_csv(tmp_path / "newer.csv", HEADER_ORIGINAL, newer),
             write_csv(tmp_path / "reordered.csv", HEADER_ORIGINAL, newer[::-1])]
    runs = {}
    for one_pass in (True, False):
        monkeypatch.setattr(importer, "ONE_PASS", one_pass)
        db = tmp_path / f"db-{one_pass}" / "ip.duckdb"
        db.parent.mkdir()
        shutil.copyfile(rdb, db)
        reports = []
        for f in files:
            before = sha256_file(db)
            reports.append(_summary(import_records(f, db_path=db, fmt="patsnap", record=False,
                                                   imported_at="2026-12-02T00:00:00")))
        assert sha256_file(db) == before  # the reordered copy changed nothing
        runs[one_pass] = (reports, _state(db))
    assert runs[True] == runs[False]
    reports, (records, imports, obs) = runs[True]
    assert [r[3:6] for r in reports] == [(7, 0, 0), (1, 1, 6), (0, 0, 8)] and reports[2][6] is False
    assert len(records) == 8 and [i[1] for i in imports] == ["newer.csv", "patsnap.csv"] and obs


def test_one_pass_places_address_and_code_cells_as_the_checked_path_does(tmp_path, rdb, monkeypatch):
    """The one-pass write places each row itself (field cells looked up in the gazetteer, address and 国省代码 cells
    in lookups of their distinct values): incoPat and CNIPA exports (addresses that exercise every address rule,
    国省代码 cells) and a trademark export store and report the same as on the checked path, which places the
    distinct combinations of the six placement cells."""
    import shutil

    import iplayout.db.records.importer as importer
    from iplayout.db.records.generator import write_demo_trademarks
    from test_cli import CNIPA, INCOPAT

    addresses = ["江苏省南京市玄武区演示路1号", "南京市鼓楼区演示路2号", "苏州工业园区演示路3号", "北京市海淀区演示路4号",
                 "美国加利福尼亚州演示路6号", "1 Demo Street, Tokyo", "鼓楼区演示路7号", "淮阴市演示路8号", "江苏省演示路9号",
                 "内蒙古自治区呼和浩特市演示路10号", "-", "", "江苏"]
    codes = ["江苏;32", "32", "US", "美国;US", "-", "", "11", "日本;JP", " 江苏 ; 32 "]
    header, rows = INCOPAT
    many = []
    for i in range(60):  # every address with every kind of 国省代码 cell, and none
        r = list(rows[i % 2])
        r[0], r[1] = f"CN1050{i:05d}A", f"CN2015{i:07d}.X"
        r[8], r[9] = addresses[i % len(addresses)], codes[i % len(codes)]
        many.append(r)
    files = [("incopat", write_csv(tmp_path / "incopat.csv", header, many)),
             ("cnipa", write_csv(tmp_path / "cnipa.csv", *CNIPA))]
    write_demo_trademarks(tmp_path / "tm.csv", n=200, seed=5)
    files.append(("trademark", tmp_path / "tm.csv"))
    runs, checked = {}, importer._stage
    for one_pass in (True, False):
        monkeypatch.setattr(importer, "ONE_PASS", one_pass)
        # every file is clean: with ONE_PASS none of them may fall back to the checked path
        monkeypatch.setattr(importer, "_stage", checked if not one_pass else
                            lambda *a, **k: pytest.fail("a clean file fell back to the checked path"))
        db = tmp_path / f"db-{one_pass}" / "ip.duckdb"
        db.parent.mkdir()
        shutil.copyfile(rdb, db)
        reports = [_summary(import_records(f, db_path=db, fmt=fmt, record=False, imported_at="2026-12-02T00:00:00"))
                   for fmt, f in files]
        tm = query(db, "SELECT * EXCLUDE (import_id) FROM trademark_records ORDER BY record_id")
        runs[one_pass] = (reports, _state(db), tm)
    assert runs[True] == runs[False]
    placements = {r[28] for r in runs[True][1][0]}  # the placement column
    assert placements == {"field", "address", "foreign", "unplaced"} and len(runs[True][2]) == 200
