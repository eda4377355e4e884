"""Policy inventory importer: all-or-nothing, named errors, byte-identical database on refusal; template."""
import datetime as dt
import hashlib
import shutil

import pytest

from iplayout.db.policies import import_policies, write_template
from iplayout.errors import DataError

HEADER = "政策名称,文号,发布机关,发布日期,层级,政策工具,产业,地区,状态,失效日期,来源网址,备注,示例\n"
GOOD = "测试政策甲,测〔2016〕1号,测试机关,2016-05-01,省级,资金资助、保护执法,SEI01,320000,现行,,,,\n"


@pytest.fixture()
def db_copy(db_path, tmp_path):
    p = tmp_path / "iplayout.duckdb"
    shutil.copy2(db_path, p)
    return p


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _file(tmp_path, body):
    f = tmp_path / "inv.csv"
    f.write_text(HEADER + body, encoding="utf-8")
    return f


def test_example_inventory_is_loaded_at_build(db_path):
    import duckdb

    df = duckdb.connect(str(db_path), read_only=True).execute("SELECT * FROM policies").df()
    assert df["is_example"].all() and "国发〔2015〕71号" in set(df["doc_number"])
    row = df.set_index("doc_number").loc["国发〔2015〕71号"]
    assert (row["issued"], row["issuer"]) == ("2015-12-18", "国务院")


BAD = [
    ("测试政策乙,,测试机关,2016-05-01,省级,发红包,SEI01,320000,现行,,,,\n", "政策工具", "发红包", "unknown instrument"),
    ("测试政策乙,,测试机关,2016-05-01,省级,资金资助,SEI99,320000,现行,,,,\n", "产业", "SEI99", "unknown industry"),
    ("测试政策乙,,测试机关,2016-05-01,省级,资金资助,SEI01,329999,现行,,,,\n", "地区", "329999", "unknown region"),
    ("测试政策乙,,测试机关,2099-01-01,省级,资金资助,SEI01,320000,现行,,,,\n", "发布日期", "2099-01-01", "future"),
    ("测试政策乙,,测试机关,2016-05-01,省级,资金资助,SEI01,320000,有效,,,,\n", "状态", "有效", "unknown status"),
    ("测试政策乙,测〔2016〕1号,测试机关,2016-06-01,省级,资金资助,SEI01,320000,现行,,,,\n", "文号", "测〔2016〕1号", "duplicate"),
    ("测试政策甲,,测试机关,2016-05-01,省级,资金资助,SEI01,320000,现行,,,,\n", "政策名称", "测试政策甲", "duplicate policy"),
]


@pytest.mark.parametrize("row,column,value,message", BAD, ids=[b[1] + "-" + b[3] for b in BAD])
def test_bad_row_is_refused_with_location_and_db_unchanged(db_copy, tmp_path, row, column, value, message):
    f = _file(tmp_path, GOOD + row)
    before = _sha(db_copy)
    with pytest.raises(DataError) as exc:
        import_policies(f, db_path=db_copy, today=dt.date(2026, 1, 1), record=False)
    p = exc.value.problems[0]
    assert (p.file, p.line, p.column, p.value) == (str(f), 3, column, value)
    assert message in p.message
    assert _sha(db_copy) == before


def test_duplicate_against_database_and_replace(db_copy, tmp_path):
    import duckdb

    f = _file(tmp_path, GOOD)
    import_policies(f, db_path=db_copy, record=False)
    before = _sha(db_copy)
    with pytest.raises(DataError, match="duplicate document number"):
        import_policies(f, db_path=db_copy, record=False)
    assert _sha(db_copy) == before
    import_policies(f, db_path=db_copy, replace=True, record=False)
    df = duckdb.connect(str(db_copy), read_only=True).execute("SELECT * FROM policies").df()
    assert df["title"].tolist() == ["测试政策甲"] and df["instruments"].iloc[0] == "资金资助、保护执法"
    assert not df["is_example"].any()


def test_dry_run_writes_nothing(db_copy, tmp_path):
    before = _sha(db_copy)
    rep = import_policies(_file(tmp_path, GOOD), db_path=db_copy, dry_run=True, record=False)
    assert rep.rows == 1 and _sha(db_copy) == before


def test_template_imports_its_example_row(db_copy, tmp_path):
    t = write_template(tmp_path / "tpl.xlsx")
    rep = import_policies(t, db_path=db_copy, replace=True, record=False)
    assert rep.rows == 1


def test_cli_refusal_exits_2_and_names_the_cell(db_copy, tmp_path, capsys):
    from iplayout.cli import main

    f = _file(tmp_path, GOOD.replace("SEI01", "SEI42"))
    before = _sha(db_copy)
    assert main(["policy", "import", str(f), "--db", str(db_copy)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "'产业'" in err and "SEI42" in err
    assert _sha(db_copy) == before
    assert main(["policy", "import", str(_file(tmp_path, GOOD)), "--db", str(db_copy), "--dry-run"]) == 0
