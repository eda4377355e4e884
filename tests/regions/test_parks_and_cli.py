"""params/parks.yaml validation and import; ``iplayout peers`` golden output."""
import pytest

from iplayout.cli import main
from iplayout.config import params_dir
from iplayout.errors import DataError
from iplayout.regions.parks import load_parks, parks_from_csv

PARK_ROW = ("示例园区,{city},national,SEI01;SEI03,2016,关于确定某批次专利导航园区的通知,某文号〔2016〕1号,2016-05-01,,发文机关\n")
HEADER = ("name,city_code,level,lead_industries,year_designated,source_title,source_number,source_date,"
          "source_url,source_publisher\n")


def test_bundled_park_list_is_empty_and_valid():
    assert load_parks(params_dir() / "parks.yaml", region_codes=["320500"], industry_codes=["SEI01"]) == []


def test_unknown_city_code_is_an_error(tmp_path):
    f = tmp_path / "parks.csv"
    f.write_text(HEADER + PARK_ROW.format(city="329999"), encoding="utf-8")
    parks = parks_from_csv(f)
    from iplayout.regions.parks import check_parks

    with pytest.raises(DataError, match="unknown city code.*329999"):
        check_parks(parks, region_codes=["320500"], industry_codes=["SEI01", "SEI03"], file=str(f))


def test_bad_csv_row_names_line_and_column(tmp_path):
    f = tmp_path / "parks.csv"
    f.write_text(HEADER + PARK_ROW.format(city="320500").replace("national", "city-level"), encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2.*level"):
        parks_from_csv(f)


def test_parks_import_round_trip(tmp_path):
    f, out = tmp_path / "parks.csv", tmp_path / "parks.yaml"
    f.write_text(HEADER + PARK_ROW.format(city="320500"), encoding="utf-8")
    assert main(["parks", "import", str(f), "-o", str(out)]) == 0
    parks = load_parks(out, region_codes=["320500"], industry_codes=["SEI01", "SEI03"])
    assert parks[0].city_code == "320500" and parks[0].lead_industries == ["SEI01", "SEI03"]
    assert parks[0].source.number == "某文号〔2016〕1号"
    f.write_text(HEADER + PARK_ROW.format(city="329999"), encoding="utf-8")
    before = out.read_bytes()
    assert main(["parks", "import", str(f), "-o", str(out)]) == 2
    assert out.read_bytes() == before  # nothing written unless every row is valid


TABLE = "region_code,i1,i2,i3,i4\nA,1,10,0,7\nB,2,30,4,5\nC,3,20,2,6\n"
SPEC = """k: 1
dimensions:
  - {code: D1, indicators: [i1, i2]}
  - {code: D2, indicators: [i3, i4]}
"""
# the hand-computed case of tests/methods/test_peers.py: d(A,B) 3.25, d(A,C) 1.75, d(B,C) 1
GOLDEN = """region_code,peer_code,distance,rank,nearest
A,C,1.75,1,True
A,B,3.25,2,False
B,C,1,1,True
B,A,3.25,2,False
C,B,1,1,True
C,A,1.75,2,False
"""


def test_peers_cli_golden(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(TABLE, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out" / "peers.csv"
    assert main(["peers", str(tmp_path / "t.csv"), "--spec", str(tmp_path / "s.yaml"), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig") == GOLDEN
    matrix = (tmp_path / "out" / "peers.matrix.csv").read_text(encoding="utf-8-sig").splitlines()
    assert matrix[0] == "region_code,A,B,C" and matrix[1] == "A,0,3.25,1.75"
    assert "A: C (1.750)" in capsys.readouterr().out


def test_peers_cli_bad_cell(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(TABLE.replace("B,2,30", "B,x,30"), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    assert main(["peers", str(tmp_path / "t.csv"), "--spec", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "line 3" in err and "'i1'" in err and "not a number" in err
    (tmp_path / "s.yaml").write_text(SPEC + "bogus: 1\n", encoding="utf-8")
    assert main(["peers", str(tmp_path / "t.csv"), "--spec", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "o.csv")]) == 2
    assert "bogus" in capsys.readouterr().err
