"""Seeded files and table checksums pinning what the record importer stores (test_import_golden.py).

The checksums were taken with the importer as it was before the 10 M-record speed-up (main at cbc4ebd), so the
faster import path is tested to store exactly the same records, observations, counts and rejects.

Files: ``golden.csv`` — 20,000 seeded demo records (generator seed 11) with three more columns written here
(申请日 in several formats, 授权日, an applicant address that exercises every placement rule); ``newer.csv`` —
a later export: 3,000 of those records with a changed legal status, 1,000 new ones, 200 repeated (the last
row wins) and 5 bad rows (imported with ``skip_bad``).
"""
from __future__ import annotations

import csv
import hashlib

import duckdb

from iplayout.db.records.generator import HEADER_ORIGINAL, write_demo_patents

EXTRA = ["申请日", "授权日", "当前申请(专利权)人地址"]
ADDRESSES = ["江苏省南京市玄武区演示路1号", "南京市鼓楼区演示路2号", "苏州工业园区演示路3号", "北京市海淀区演示路4号",
             "浙江省杭州市演示路5号", "美国加利福尼亚州演示路6号", "1 Demo Street, Tokyo", "鼓楼区演示路7号",
             "淮阴市演示路8号", "江苏省演示路9号", "内蒙古自治区呼和浩特市演示路10号", "-", ""]


def _extra(i: int, year: str) -> list[str]:
    day = f"{1 + i % 28:02d}"
    fmt = i % 4
    app = (f"{year}-03-{day}", f"{year}/03/{day}", f"{year}.03.{day}", f"{year}03{day}")[fmt] if i % 11 else "-"
    grant = f"{int(year) + 2}-06-{day}" if i % 3 == 0 else "-"
    return [app, grant, ADDRESSES[i % len(ADDRESSES)]]


def write_golden_files(folder) -> tuple:
    """``golden.csv`` and ``newer.csv`` in ``folder`` (see the module docstring); both byte-stable."""
    demo = folder / "demo.csv"
    write_demo_patents(demo, n=20_000, seed=11)
    with open(demo, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    year = HEADER_ORIGINAL.index("申请年")
    status = HEADER_ORIGINAL.index("简单法律状态")
    full = [r + _extra(i, r[year]) for i, r in enumerate(rows)]
    golden, newer = folder / "golden.csv", folder / "newer.csv"
    _write(golden, full)
    later = []
    for r in full[:3000]:
        r = list(r)
        r[status] = {"审中": "有效", "有效": "失效"}.get(r[status], "有效")
        later.append(r)
    for i, r in enumerate(full[3000:4000]):
        later.append(["CN9" + r[0][3:]] + r[1:])
    later += [list(full[5000 + i]) for i in range(200)]  # repeats: same id, same content
    later += [list(full[5000 + i][:status]) + ["失效"] + full[5000 + i][status + 1:] for i in range(200)]  # later row wins
    bad = [list(full[0]) for _ in range(5)]
    bad[0][0] = "-"                                          # no record id
    bad[1][0], bad[1][year] = "CNBAD1A", "20x6"             # unparsable year
    bad[2][0], bad[2][3] = "CNBAD2A", "发明"                  # unknown type
    bad[3][0], bad[3][8] = "CNBAD3A", "H4N"                  # unparsable IPC
    bad[4][0], bad[4][len(HEADER_ORIGINAL)] = "CNBAD4A", "2016-13-45"  # unparsable date
    _write(newer, later[:1500] + bad[:3] + later[1500:] + bad[3:])
    return golden, newer


def _write(path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER_ORIGINAL + EXTRA)
        w.writerows(rows)


def checksums(db) -> dict[str, str]:
    """md5 of the sorted patent records, of the ``rec_*`` observations (values rounded to 1e-9: float sums may
    differ in the last bit with the summation order) and of ``record_imports`` without its time stamp."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rec = con.execute("SELECT md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY record_id)), count(*) "
                          "FROM patent_records t").fetchone()
        obs = con.execute("""SELECT md5(string_agg(concat_ws('|', region_code, year, indicator_code, industry_code,
                                 round(value, 9), source_id, quality_flag, is_demo), chr(10)
                                 ORDER BY region_code, year, indicator_code, industry_code, source_id)), count(*)
                             FROM observations WHERE indicator_code LIKE 'rec_%'""").fetchone()
        imp = con.execute("SELECT md5(string_agg(concat_ws('|', import_id, kind, source_format, file_name, sha256, "
                          "rows_read, rows_imported, rows_skipped, is_demo, source_id), chr(10) ORDER BY import_id)) "
                          "FROM record_imports").fetchone()
    finally:
        con.close()
    return {"records": f"{rec[1]}:{rec[0]}", "observations": f"{obs[1]}:{obs[0]}", "imports": imp[0]}


def file_md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()
