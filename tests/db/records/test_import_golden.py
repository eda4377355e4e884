"""The importer stores exactly what it stored before the 10 M-record speed-up (checksums from main at cbc4ebd).

See golden_import.py for the two seeded files; the pinned values were printed by the old importer on them.
"""
from __future__ import annotations

import hashlib

import pytest

from iplayout.db.records import reading
from iplayout.db.records.importer import import_records
from iplayout.errors import DataError

from conftest import query
from golden_import import checksums, file_md5, write_golden_files

FILES = ("60dff20bd652e4214ad948386e7a7856", "f4ec17fd626aa71f88afb02a0578bd9e")
AFTER_GOLDEN = {"records": "20000:8ebaa1a009dd3456af3c63a0074c9282",
                "observations": "21185:bbd392a4236401cec79c432c2b065f19",
                "imports": "67ef1315a6a8a78bf2f734aaaf8a6829"}
AFTER_NEWER = {"records": "21000:9a2e23ce2c0b79ec608c35b0393f5a3c",
               "observations": "21245:4c471863ecc69f4bb164e5ff1b54c59f",
               "imports": "d7cd91805c5813f7178cd090d1ba9148"}
OFFICES = {"CN": 17595, "WO": 828, "US": 768, "EP": 288, "JP": 216, "DE": 208, "KR": 97}
BAD = [(1502, "公开(公告)号", None, "missing 公开(公告)号 and 申请号"), (1503, "申请年", "20x6", "unparsable year"),
       (1504, "专利类型", "发明", "unknown 专利类型"), (4405, "IPC分类号", "H4N", "unparsable IPC code"),
       (4406, "申请日", "2016-13-45", "unparsable date")]


def _md5(df) -> str:
    return hashlib.md5(df.to_csv(index=False).encode()).hexdigest()


@pytest.mark.slow
def test_import_stores_the_same_tables_as_before(tmp_path, rdb, monkeypatch):
    # 256 KB scan buffers: the 4.4 MB file is parsed in ~17 pieces in parallel; rows must keep their file order
    # (record order, "the last row wins", bad-row lines)
    monkeypatch.setattr(reading, "SCAN_BUFFER", 1 << 18)
    golden, newer = write_golden_files(tmp_path)
    assert (file_md5(golden), file_md5(newer)) == FILES
    r1 = import_records(golden, db_path=rdb, fmt="patsnap", record=False, imported_at="2026-12-02T00:00:00")
    assert (r1.rows_read, r1.rows_bad, r1.rows_duplicate, r1.new, r1.updated, r1.unchanged) == (20000, 0, 0, 20000, 0, 0)
    assert r1.offices == OFFICES and r1.observations["observations"] == 21185
    assert r1.observations["patent_records_placed"] == 16507
    assert _md5(r1.shares) == "e1b3ab0fd815c903c76815f681142929"
    assert checksums(rdb) == AFTER_GOLDEN

    # the newer export, refused whole first (every bad row named), then imported with --skip-bad
    before = file_md5(rdb)
    with pytest.raises(DataError) as err:
        import_records(newer, db_path=rdb, fmt="patsnap", record=False)
    got = [(p.line, p.column, p.value) for p in err.value.problems]
    assert got == [b[:3] for b in BAD]
    assert all(b[3] in p.message for b, p in zip(BAD, err.value.problems))
    assert file_md5(rdb) == before
    r2 = import_records(newer, db_path=rdb, fmt="patsnap", record=False, skip_bad=True,
                        imported_at="2026-12-02T00:00:01")
    assert (r2.rows_read, r2.rows_bad, r2.rows_duplicate, r2.new, r2.updated, r2.unchanged) == (4405, 5, 200, 1000, 3184, 16)
    assert r2.observations["observations"] == 21245 and r2.observations["patent_records_placed"] == 17344
    assert _md5(r2.shares) == "78973754510e5f7f38b5fff28d4e54bc"
    assert file_md5(r2.rejects_file) == "16912387d9fd5c6341f35bffee07e16c"
    assert checksums(rdb) == AFTER_NEWER
    assert query(rdb, "SELECT count(*), count(DISTINCT record_id) FROM patent_records") == [(21000, 21000)]

    # the same file again: nothing changes, byte for byte
    before = file_md5(rdb)
    again = import_records(newer, db_path=rdb, fmt="patsnap", record=False, skip_bad=True)
    assert again.already_imported and file_md5(rdb) == before
