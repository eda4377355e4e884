"""The pandas baseline of ``benchmarks/bench_records.py`` does the importer's job: same records, same facts.

The benchmark's ratio is only meaningful if the baseline produces the same database content; the benchmark
checks that at full size, and this test pins it on a small seeded file with the hand-made edge cases appended
(foreign states, 江阴 / 淮阴, non-CN offices, a record without IPC codes).
"""
from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from iplayout.db.records.generator import write_demo_patents
from iplayout.db.records.importer import import_records

from conftest import PATSNAP_ROWS

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))
import bench_records  # noqa: E402
import pandas_records  # noqa: E402


@pytest.fixture
def export(tmp_path):
    """2,000 seeded demo records with the seven hand-made rows appended (distinct ids)."""
    path = tmp_path / "patents.csv"
    write_demo_patents(path, n=2000, seed=11)
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(PATSNAP_ROWS)
    return path


def test_pandas_job_stores_the_same_records_and_facts_as_the_importer(export, rdb, tmp_path):
    base = tmp_path / "base.duckdb"
    shutil.copyfile(rdb, base)
    import_records(export, db_path=rdb, fmt="patsnap", record=False)
    res = pandas_records.run(export, base, tmp_path / "pandas.duckdb")
    assert res["rows"] == 2007
    cmp = bench_records.compare(str(rdb), str(tmp_path / "pandas.duckdb"))
    assert cmp["facts_ours"] == cmp["facts_pandas"] == res["facts"] > 500
    assert cmp["facts_unmatched"] == 0 and cmp["max_diff"] == 0.0
    assert cmp["records_only_ours"] == cmp["records_only_pandas"] == 0
    # the hand-made rows were placed by the importer's rules, not skipped: 江阴 → 无锡, 淮阴 → 淮安, CA → foreign
    con = duckdb.connect(str(tmp_path / "pandas.duckdb"), read_only=True)
    got = dict(con.execute("SELECT record_id, coalesce(region_code, placement) FROM patent_records "
                           "WHERE record_id IN ('CN222B', 'CN666A', 'US333B2', 'CN444U')").fetchall())
    con.close()
    assert got == {"CN222B": "320200", "CN666A": "320800", "US333B2": "non_cn_office", "CN444U": "foreign"}


def test_compare_sees_a_changed_fact_and_a_changed_record(export, rdb, tmp_path):
    base = tmp_path / "base.duckdb"
    shutil.copyfile(rdb, base)
    import_records(export, db_path=rdb, fmt="patsnap", record=False)
    pandas_records.run(export, base, tmp_path / "pandas.duckdb")
    con = duckdb.connect(str(tmp_path / "pandas.duckdb"))
    con.execute("UPDATE observations SET value = value + 0.5 WHERE rowid = (SELECT min(rowid) FROM observations "
                "WHERE indicator_code = 'rec_patent_applications' AND source_id LIKE 'records:%')")
    con.execute("UPDATE patent_records SET region_code = '320100' WHERE record_id = 'CN222B'")
    con.close()
    cmp = bench_records.compare(str(rdb), str(tmp_path / "pandas.duckdb"))
    assert cmp["max_diff"] == pytest.approx(0.5)
    assert cmp["records_only_ours"] == cmp["records_only_pandas"] == 1


def test_pandas_job_refuses_a_bad_row_naming_its_line(tmp_path, rdb):
    path = tmp_path / "bad.csv"
    write_demo_patents(path, n=50, seed=3)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[10][17] = "二〇一六"  # 申请年 of the tenth record, line 11
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(pandas_records.BadFile, match=r"line 11: 申请年: unparsable year"):
        pandas_records.run(path, rdb, tmp_path / "pandas.duckdb")
