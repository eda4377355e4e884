"""`iplayout db records …` as a user runs it: demo, import in every shipped format, info, unplaced, errors."""
from __future__ import annotations

import duckdb
from conftest import query, write_csv

from iplayout.cli import main

INCOPAT = (["公开（公告）号", "申请号", "申请日", "公开（公告）日", "授权日", "专利类型", "标题", "申请(专利权)人", "地址",
            "国省代码", "IPC", "法律状态", "同族", "被引证次数"],
           [["CN105000001A", "CN201510000001.X", "2015-03-02", "2015-09-01", "-", "发明申请", "演示一",
             "演示甲公司; 演示乙公司", "江苏省苏州市昆山市前进路1号", "江苏;32", "H04N21/00; G06F16/00", "审中", "1", "0"],
            ["CN205000002U", "CN201520000002.3", "2015/06/30", "2015/12/01", "2015/12/01", "实用新型", "演示二",
             "演示丙公司", "美国加利福尼亚州", "US", "F21V23/00", "有效", "2", "3"]])
CNIPA = (["申请号", "申请日", "公开(公告)号", "公开(公告)日", "授权日", "专利类型", "发明名称", "申请(专利权)人", "地址",
          "国省代码", "IPC"],
         [["CN201710000003.1", "20170105", "CN107000003B", "20170705", "20190301", "发明", "演示三", "演示丁公司",
           "江阴市澄江街道1号", "32", "A61K31/00"],
          ["CN201710000004.5", "20170106", "-", "-", "-", "发明", "演示四", "演示戊公司", "北京市海淀区1号", "11",
           "G06N3/00"]])
PLANT = (["品种权号", "申请号", "属或者种", "品种名称", "品种权人", "地址", "申请日", "授权日"],
         [["CNA20160001.1", "20160001.1", "水稻", "演示稻1号", "演示农科所", "江苏省淮安市淮阴区1号", "2016-02-01",
           "2018-05-01"]])


def test_demo_import_info_unplaced(tmp_path, rdb, capsys):
    f = tmp_path / "demo.csv"
    assert main(["db", "records", "demo", str(f), "--n", "300", "--seed", "3", "--variant", "stripped",
                 "--encoding", "gb18030"]) == 0
    assert "300 demo patent records" in capsys.readouterr().out and (tmp_path / "demo.csv.demo.json").exists()
    assert main(["db", "records", "import", str(f), "--format", "patsnap", "--db", str(rdb)]) == 0
    out = capsys.readouterr().out
    assert "records new: 300" in out and "DEMO" in out and "encoding gb18030" in out and "placed%" in out
    assert main(["db", "records", "import", str(f), "--format", "patsnap", "--db", str(rdb)]) == 0
    assert "already imported" in capsys.readouterr().out
    assert main(["db", "records", "info", "--db", str(rdb)]) == 0
    out = capsys.readouterr().out
    assert "Records" in out and "patent" in out and "苏州" in out and "placed_share" in out
    assert main(["db", "info", "--db", str(rdb)]) == 0
    assert "Coverage" in capsys.readouterr().out
    n_unplaced = query(rdb, "SELECT count(*) FROM patent_records WHERE placement = 'unplaced'")[0][0]
    assert main(["db", "records", "unplaced", "--db", str(rdb), "--limit", "2"]) == 0
    assert f"unplaced records: {n_unplaced:,} (showing {min(2, n_unplaced)})" in capsys.readouterr().out


def test_every_shipped_format_imports(tmp_path, rdb, capsys):
    files = {"incopat": write_csv(tmp_path / "incopat.csv", *INCOPAT),
             "cnipa": write_csv(tmp_path / "cnipa.csv", *CNIPA),
             "plant_variety": write_csv(tmp_path / "plant.csv", *PLANT)}
    assert main(["db", "records", "demo", str(tmp_path / "tm.csv"), "--kind", "trademark", "--n", "30"]) == 0
    assert main(["db", "records", "demo", str(tmp_path / "cr.csv"), "--kind", "copyright", "--n", "30"]) == 0
    files["trademark"], files["copyright"] = tmp_path / "tm.csv", tmp_path / "cr.csv"
    for fmt, f in files.items():
        assert main(["db", "records", "import", str(f), "--format", fmt, "--db", str(rdb)]) == 0, fmt
    capsys.readouterr()
    got = dict((r[0], r[1:]) for r in query(rdb, "SELECT record_id, patent_type, ipc, region_code, placement, "
                                              "applicant_country, grant_date IS NOT NULL, applicants FROM patent_records"))
    assert got["CN105000001A"] == ("invention_application", ["H04N  21/00", "G06F  16/00"], "320500", "field", "CN",
                                   False, ["演示甲公司", "演示乙公司"])
    assert got["CN205000002U"][2:5] == (None, "foreign", "US")
    assert got["CN107000003B"][:1] == ("invention_grant",) and got["CN107000003B"][2] == "320200"  # 发明 + 授权日
    assert got["CN201710000004.5"][0] == "invention_application" and got["CN201710000004.5"][2] == "110000"
    assert query(rdb, "SELECT record_id, crop, region_code, application_year FROM plant_variety_records") == [
        ("CNA20160001.1", "水稻", "320800", 2016)]
    assert query(rdb, "SELECT count(*), bool_and(is_demo) FROM trademark_records") == [(30, True)]
    assert query(rdb, "SELECT count(*), count(DISTINCT work_kind) FROM copyright_records") == [(30, 2)]
    assert query(rdb, "SELECT min(len(nice_classes)) >= 1 FROM trademark_records") == [(True,)]


def test_errors_are_messages_not_tracebacks(tmp_path, rdb, capsys):
    f = write_csv(tmp_path / "x.csv", ["名称", "年份"], [["甲", "2016"]])
    assert main(["db", "records", "import", str(f), "--format", "patsnap", "--db", str(rdb)]) == 2
    err = capsys.readouterr().err
    assert "no record-id column" in err and "Traceback" not in err
    assert main(["db", "records", "import", str(f), "--db", str(rdb)]) == 2
    assert "exactly one of --format and --mapping" in capsys.readouterr().err


def test_database_without_record_tables_is_named(tmp_path, rdb, capsys, patsnap_file):
    con = duckdb.connect(str(rdb))
    for t in ("record_imports", "patent_records", "trademark_records", "copyright_records", "plant_variety_records"):
        con.execute(f"DROP TABLE {t}")
    con.close()
    assert main(["db", "records", "import", str(patsnap_file), "--format", "patsnap", "--db", str(rdb)]) == 2
    assert "rebuild it with `iplayout db build`" in capsys.readouterr().err
    assert main(["db", "info", "--db", str(rdb)]) == 0
    assert "record tables: none" in capsys.readouterr().out
