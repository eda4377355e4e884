"""IPC concordances: bundled versions, matching rules, validated all-or-nothing import, clean version switch."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from iplayout.db.api import open_db
from iplayout.db.records.aggregate import CountingSpec, refresh_record_observations
from iplayout.db.records.concordance import code_map_sql, like_to_prefix
from iplayout.db.records.concordance_import import import_concordance
from iplayout.errors import DataError
from iplayout.fileio import sha256_file

from record_fixture import insert_records


def _map(con, version, codes):
    con.execute("CREATE OR REPLACE TEMP TABLE _c AS SELECT unnest(?::VARCHAR[]) AS code", [codes])
    rows = con.execute(f"SELECT * FROM ({code_map_sql('_c')}) ORDER BY ALL", [version]).fetchall()
    return {(c, t): w for c, t, w in rows}


def test_bundled_versions_and_matching(db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        v = dict(con.execute("SELECT version, n_rows FROM concordance_versions").fetchall())
        assert v == {"wipo35": 762, "sei-proposal": 104}  # 761 WIPO rows + the H10 addition
        assert con.execute("SELECT count(*) FROM industries WHERE code LIKE 'TF__'").fetchall()[0][0] == 35
        assert con.execute("SELECT name FROM industries WHERE code = 'TF01'").fetchall()[0][0] == "电机、电气装置、电能"
        m = _map(con, "wipo35", ["H04N   3/00", "H04N  33/00", "A61K  31/00", "A61K   8/02", "H10K  50/00", "Z99Z"])
        assert m[("H04N   3/00", "TF02")] == 1.0
        assert m[("A61K  31/00", "TF16")] == 1.0 and m[("A61K   8/02", "TF14")] == 1.0  # cosmetics: organic fine chemistry
        assert m[("H10K  50/00", "TF08")] == 1.0  # project addition (not in WIPO's table)
        assert not any(c == "Z99Z" for c, _ in m)
        s = _map(con, "sei-proposal", ["H01M  10/05", "H01L  31/04", "H01L  21/00"])
        assert s == {("H01L  21/00", "SEI01"): 1.0, ("H01L  31/04", "SEI06"): 1.0,  # longest pattern wins
                     ("H01M  10/05", "SEI05"): 0.5, ("H01M  10/05", "SEI06"): 0.5}
    finally:
        con.close()
    assert like_to_prefix("H04N   3%") == "H04N   3"


def test_import_refuses_bad_file_whole(db_copy, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ipc_pattern,match,target_code,weight\nH04N,prefix,SEI01,1\nH04N 3/00,prefix,SEI01,1\n"
                   "G06F,fuzzy,SEI01,1\nG06F,prefix,SEI99,1\nA61K,prefix,SEI04,0.6\n", encoding="utf-8")
    before = sha256_file(db_copy)
    with pytest.raises(DataError) as exc:
        import_concordance(bad, db_path=db_copy, version="sei-2021", record=False)
    text = str(exc.value)
    for what in ("line 3", "PATSTAT spacing", "line 4", "exact or prefix", "SEI99", "sum to 1"):
        assert what in text
    assert sha256_file(db_copy) == before
    with pytest.raises(DataError, match="bundled"):
        import_concordance(bad, db_path=db_copy, version="wipo35", record=False)


def test_versions_switch_cleanly(db_copy, tmp_path):
    con = duckdb.connect(str(db_copy))
    insert_records(con, trademarks=False)
    con.close()
    f = tmp_path / "official.csv"  # a stand-in official table: every H04L/G06F code is 新一代信息技术
    f.write_text("ipc_pattern,match,target_code,weight,source\nH04L,prefix,SEI01,1,test\nG06F   3,prefix,SEI01,1,test\n",
                 encoding="utf-8")
    res = import_concordance(f, db_path=db_copy, version="sei-test", record=False)
    assert (res["scheme"], res["rows"], res["targets"]) == ("industry", 2, 1)
    con = duckdb.connect(str(db_copy))
    try:
        def sei(spec):
            refresh_record_observations(con, counting=spec)
            return dict(con.execute("SELECT industry_code, value FROM observations WHERE region_code = '320100' AND "
                                    "year = 2016 AND indicator_code = 'rec_patent_applications' AND "
                                    "industry_code LIKE 'SEI%'").fetchall())
        proposal = sei(CountingSpec())
        assert proposal == {"SEI01": 1.0, "SEI04": 1.0, "SEI05": 0.75, "SEI06": 0.25, "SEI_UNMAPPED": 1.0}
        test = sei(CountingSpec(concordance_version={"industry": "sei-test"}))
        assert test == {"SEI01": 1.0, "SEI_UNMAPPED": 3.0}  # only CN1A maps; nothing of the proposal is left
        assert sei(CountingSpec()) == proposal  # and back
        with pytest.raises(DataError, match="not in the database"):
            refresh_record_observations(con, counting=CountingSpec(concordance_version={"field": "nope"}))
    finally:
        con.close()


def test_recorded_import_is_replayed(db_path, tmp_path):
    from iplayout.db.replay import imports_dir, replay_imports

    target = tmp_path / "a" / "ip.duckdb"
    target.parent.mkdir()
    shutil.copy2(db_path, target)
    f = tmp_path / "sei.csv"
    f.write_text("ipc_pattern,match,target_code,weight\nH04L,prefix,SEI01,1\n", encoding="utf-8")
    import_concordance(f, db_path=target, version="sei-x", status="proposal")
    fresh = tmp_path / "fresh.duckdb"
    shutil.copy2(db_path, fresh)  # a rebuilt database: bundled versions only, then the recorded imports
    assert replay_imports(fresh, imports_dir(target)) == ["concordance:sei-x"]
    con = duckdb.connect(str(fresh), read_only=True)
    try:
        assert con.execute("SELECT scheme, status, n_rows FROM concordance_versions WHERE version = 'sei-x'").fetchall() \
            == [("industry", "proposal", 1)]
    finally:
        con.close()
