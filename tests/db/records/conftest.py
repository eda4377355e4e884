"""Small hand-made record exports (written by the tests) and a fresh copy of the session database per test."""
from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from iplayout.db.records.generator import HEADER_ORIGINAL, HEADER_STRIPPED

sys.path.insert(0, str(Path(__file__).parent))  # record_fixture.py (the industry-layer tests' hand-made records)

# seven Patsnap rows with known placements (see test_import.py for the golden values)
PATSNAP_ROWS = [
    ["CN 111A", "中国", "标题一", "发明申请", "演示甲公司 | 演示乙大学", "2", "张三 | 李四", "10", "H04N21/00 | G06F 16/30",
     "H04N", "新一代信息技术产业", "3", "审中", "1", "-", "苏州市", "昆山市", "2016", "江苏省", "CN"],
    ["CN222B", "CN", "标题二", "授权发明", "演示丙公司", "1", "-", "-", "A61K31/00", "A61K", "-", "0", "有效", "2", "授权",
     "-", "江阴市", "2017", "江苏", "-"],
    ["US333B2", "美国", "标题三", "授权发明", "Demo Corp", "1", "-", "5", "H01L21/00", "H01L", "-", "-", "有效", "3", "-",
     "-", "-", "2016", "CA", "US"],
    ["CN444U", "中国", "标题四", "实用新型", "Demo Inc", "1", "-", "3", "F21H", "F21H", "-", "1", "有效", "1", "-",
     "-", "-", "2018", "FL", "US"],
    ["CN555S", "CN", "标题五", "外观设计", "演示戊公司", "1", "-", "-", "-", "-", "-", "-", "有效", "1", "-",
     "-", "-", "2018", "-", "-"],
    ["CN666A", "中国", "标题六", "发明申请", "演示己公司", "1", "-", "2", "G06N3/08", "G06N", "-", "-", "审中", "1", "-",
     "淮阴市", "-", "2015", "江苏省", "CN"],
    ["CN777A", "中国", "标题七", "发明申请", "演示庚公司", "1", "-", "4", "C08L23/00", "C08L", "新材料产业", "-", "审中", "1",
     "-", "-", "-", "2015", "内蒙古自治区", "-"],
]


def csv_text(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path, header, rows, encoding="utf-8"):
    data = csv_text(header, rows)
    path.write_bytes(data.encode(encoding) if encoding != "utf-16" else data.encode("utf-16"))
    return path


@pytest.fixture
def patsnap_file(tmp_path):
    return write_csv(tmp_path / "patsnap.csv", HEADER_ORIGINAL, PATSNAP_ROWS)


@pytest.fixture
def stripped_file(tmp_path):
    return write_csv(tmp_path / "patsnap-stripped.csv", HEADER_STRIPPED, PATSNAP_ROWS)


@pytest.fixture
def rdb(db_path, tmp_path):
    """A private copy of the session database (imports write next to it)."""
    target = tmp_path / "dbdir" / "ip.duckdb"
    target.parent.mkdir()
    shutil.copyfile(db_path, target)
    return target


def query(db, sql):
    """Rows of ``sql`` on the database file ``db`` (read-only, closed again)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
