"""High-value invention patents: each CNIPA criterion only where the records carry its field."""
from __future__ import annotations

import datetime as dt
import json

import duckdb

from iplayout.db.records.aggregate import refresh_record_observations
from iplayout.db.records.highvalue import HighValueSpec, criteria

from record_fixture import PATENTS, insert_records


def _crit(con, **kw):
    crit, base = criteria(con, HighValueSpec(**kw), valid_sql="legal_status = '有效'", sei_available=True)
    return {c["criterion"]: c for c in crit}, base


def test_availability_follows_the_fields(db_copy):
    con = duckdb.connect(str(db_copy))
    insert_records(con, trademarks=False)
    c, base = _crit(con)
    assert {k: v["available"] for k, v in c.items()} == {"sei": True, "family": True, "maintained": True,
                                                         "pledge": False, "award": False}
    assert c["pledge"]["note"].startswith("不可用") and c["award"]["note"].startswith("不可用")
    assert "2008-05-01" in c["maintained"]["note"]  # as_of = latest date in the records (2018-05-01) − 10 years
    assert "有效" in base
    c2, _ = _crit(con, as_of=dt.date(2026, 1, 1), maintained_years=10)
    n = con.execute(f"SELECT count(*) FROM patent_records WHERE {c2['maintained']['sql']}").fetchall()[0][0]
    assert n == 2  # valid and filed before 2016-01-01: CN1A (2005) and CN6B (2015-01-01)
    con.close()


def test_missing_fields_are_unavailable_not_assumed(db_copy):
    con = duckdb.connect(str(db_copy))
    bare = [p[:9] + (None, p[10], None) + p[12:] for p in PATENTS]  # no legal status, no family offices
    insert_records(con, bare, trademarks=False)
    c, base = _crit(con)
    assert not c["family"]["available"] and not c["maintained"]["available"]
    assert "legal_status" not in base
    refresh_record_observations(con)
    info = json.loads(con.execute("SELECT value FROM build_info WHERE key = 'record_aggregation'").fetchall()[0][0])
    crit = {c["criterion"]: c for c in info["high_value_criteria"]}
    assert not crit["family"]["available"] and crit["family"]["note"].startswith("不可用")
    hv = dict(con.execute("SELECT region_code, value FROM observations WHERE indicator_code = 'rec_high_value_invention' "
                          "AND industry_code = '_T' AND year = 2016").fetchall())
    # only the SEI criterion is left: granted inventions CN1A, CN4B (SEI05/06) in 南京, CN6B in 苏州, CN8B in 北京
    assert hv == {"320100": 2.0, "320500": 1.0, "110000": 1.0, "320000": 3.0}
    con.close()
