"""Reading record exports: encoding detection, streaming transcode, XLSX title rows, line numbers, file checks."""
from __future__ import annotations

import duckdb
import pytest

from iplayout.db.records.reading import detect_encoding, lines_of, prepare, stage_file, transcode
from iplayout.errors import DataError

TEXT = "号,名\nCN1A,江苏苏州\nCN2B,内蒙古\n"


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-16", "utf-16")])
def test_detect_encoding(tmp_path, encoding, expected):
    f = tmp_path / "a.csv"
    f.write_bytes(TEXT.encode(encoding))
    assert detect_encoding(f) == expected


def test_transcode_streams_in_chunks(tmp_path, monkeypatch):
    import iplayout.db.records.reading as reading

    monkeypatch.setattr(reading, "CHUNK", 7)  # chunk borders inside multi-byte characters
    f, out = tmp_path / "g.csv", tmp_path / "u.csv"
    f.write_bytes((TEXT * 50).encode("gb18030"))
    transcode(f, "gb18030", out)
    assert out.read_text(encoding="utf-8") == TEXT * 50
    f.write_bytes(("\ufeff" + TEXT).encode("utf-16"))
    transcode(f, "utf-16", out)
    assert out.read_text(encoding="utf-8") == TEXT


def test_late_gbk_bytes_after_a_utf8_looking_start_are_retried(tmp_path, monkeypatch):
    import iplayout.db.records.reading as reading

    f = tmp_path / "late.csv"
    f.write_bytes(b"a,b\n" + b"x,y\n" * 2000 + "江苏,z\n".encode("gbk"))
    monkeypatch.setattr(reading, "detect_encoding", lambda p: "utf-8")  # as if the first MB were plain ASCII
    con = duckdb.connect()
    prep, n = stage_file(con, f, title_rows=0, sheet=None, workdir=tmp_path)
    assert prep.encoding == "gb18030" and n == 2001
    assert con.execute("SELECT c0 FROM _raw WHERE ord = 2001").fetchone() == ("江苏",)


def test_xlsx_title_rows_and_row_numbers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["导出标题"])
    ws.append(["号", "名", "年"])
    ws.append(["CN1A", "甲", 2016])
    ws.append([None, None, None])
    ws.append(["CN2B", "乙", 2017.0])
    f = tmp_path / "t.xlsx"
    wb.save(f)
    con = duckdb.connect()
    prep, n = stage_file(con, f, title_rows=1, sheet=None, workdir=tmp_path)
    assert prep.header == ["号", "名", "年"] and n == 2 and prep.header_line == 2
    assert con.execute("SELECT ord, c0, c2, line FROM _raw ORDER BY ord").fetchall() == [
        (1, "CN1A", "2016", 3), (2, "CN2B", "2017", 5)]


def test_lines_count_blank_lines_and_quoted_newlines(tmp_path):
    f = tmp_path / "l.csv"
    f.write_text('号,名\nCN1,"两行\n标题"\n\nCN2,x\nCN3,y\n', encoding="utf-8")
    con = duckdb.connect()
    prep, n = stage_file(con, f, title_rows=0, sheet=None, workdir=tmp_path)
    assert n == 3 and lines_of(prep, [1, 2, 3]) == {1: 2, 2: 5, 3: 6}
    assert con.execute("SELECT c0 FROM _raw ORDER BY ord").fetchall() == [("CN1",), ("CN2",), ("CN3",)]


def test_file_checks(tmp_path, monkeypatch):
    f = tmp_path / "a.csv"
    f.write_text(TEXT, encoding="utf-8")
    with pytest.raises(DataError, match="IPLAYOUT_MAX_RECORDS_MB"):
        prepare(f, title_rows=0, sheet=None, workdir=tmp_path, max_bytes=10)
    monkeypatch.setenv("IPLAYOUT_MAX_INPUT_MB", "0.000001")  # the yearbook cap does not apply to records
    assert prepare(f, title_rows=0, sheet=None, workdir=tmp_path).header == ["号", "名"]
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        prepare(tmp_path / "e.csv", title_rows=0, sheet=None, workdir=tmp_path)
    (tmp_path / "b.csv").write_bytes(b"a,b\x00\x00\n")
    with pytest.raises(DataError, match="binary"):
        prepare(tmp_path / "b.csv", title_rows=0, sheet=None, workdir=tmp_path)
    (tmp_path / "x.xls").write_bytes(b"x")
    with pytest.raises(DataError, match=".xls is not supported"):
        prepare(tmp_path / "x.xls", title_rows=0, sheet=None, workdir=tmp_path)
    with pytest.raises(DataError, match="not a regular file"):
        prepare(tmp_path, title_rows=0, sheet=None, workdir=tmp_path) if False else prepare(
            _fifo(tmp_path), title_rows=0, sheet=None, workdir=tmp_path)


def _fifo(tmp_path):
    import os

    p = tmp_path / "pipe.csv"
    os.mkfifo(p)
    return p
