"""``iplayout evaluate`` with an outside user's own file: encodings, Excel, Chinese column names,
codes that look numeric, located errors and exit codes."""
import numpy as np
import pandas as pd
import pytest

from iplayout.cli import main

ROWS = [("320100", 2016, 10.5, 3.0), ("320200", 2016, 8.0, 4.5), ("320300", 2016, 6.0, 2.0),
        ("320100", 2017, 11.0, 3.2), ("320200", 2017, 9.0, 4.0), ("320300", 2017, 5.0, 2.5)]
SPEC = """id_column: 地区代码
year_column: 年份
indicators:
  - {code: 发明专利拥有量, name: 每万人发明专利拥有量}
  - {code: 研发强度, type: cost}
normalise: {method: minmax, pool: year}
weights: {method: entropy}
coupling: {enabled: false}
"""
HEADER = "地区代码,年份,发明专利拥有量,研发强度"


def _csv(path, encoding, rows=ROWS, header=HEADER):
    text = header + "\n" + "".join(f"{a},{b},{c},{d}\n" for a, b, c, d in rows)
    path.write_bytes(text.encode(encoding))
    return path


def _run(tmp_path, table, spec=SPEC, extra=()):
    (tmp_path / "s.yaml").write_text(spec, encoding="utf-8")
    return main(["evaluate", str(table), "--spec", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "o.csv"), *extra])


def _scores(tmp_path):
    return pd.read_csv(tmp_path / "o.csv", dtype={"地区代码": str}, encoding="utf-8-sig")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_give_identical_results(tmp_path, encoding):
    assert _run(tmp_path, _csv(tmp_path / "t.csv", encoding)) == 0
    s = _scores(tmp_path)
    assert s["地区代码"].tolist() == [r[0] for r in ROWS] and s["年份"].tolist() == [r[1] for r in ROWS]
    ref = tmp_path / "ref"
    ref.mkdir()
    assert _run(ref, _csv(ref / "t.csv", "utf-8")) == 0
    pd.testing.assert_frame_equal(s, _scores(ref))


def test_undecodable_file_is_a_clear_error(tmp_path, capsys):
    t = tmp_path / "t.csv"
    t.write_bytes(b"id,a\n\x81\xff\xfe,1\n")
    assert _run(tmp_path, t) == 2
    err = capsys.readouterr().err
    assert "encoding" in err and "t.csv" in err and "Traceback" not in err


def test_xlsx_input_and_sheet(tmp_path):
    df = pd.DataFrame(ROWS, columns=HEADER.split(","))
    df["地区代码"] = df["地区代码"].astype(str)
    x = tmp_path / "t.xlsx"
    with pd.ExcelWriter(x) as w:
        pd.DataFrame({"说明": ["封面"]}).to_excel(w, sheet_name="封面", index=False)
        df.to_excel(w, sheet_name="数据", index=False)
    assert _run(tmp_path, x, extra=["--sheet", "数据"]) == 0
    s = _scores(tmp_path)
    ref = tmp_path / "ref"
    ref.mkdir()
    assert _run(ref, _csv(ref / "t.csv", "utf-8")) == 0
    pd.testing.assert_frame_equal(s, _scores(ref))
    assert _run(tmp_path, x, extra=["--sheet", "没有"]) == 2


def test_leading_zero_codes_stay_text(tmp_path):
    rows = [("010100", 2016, 1.0, 2.0), ("010200", 2016, 2.0, 1.0), ("010300", 2016, 3.0, 3.0)]
    assert _run(tmp_path, _csv(tmp_path / "t.csv", "utf-8", rows)) == 0
    assert (tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith("010100,2016,")


def test_non_numeric_cell_names_file_line_column_value_after_blank_lines(tmp_path, capsys):
    t = tmp_path / "t.csv"
    t.write_text(HEADER + "\n320100,2016,10.5,3.0\n\n320200,2016,—,4.5\n320300,2016,6.0,2.0\n", encoding="utf-8")
    assert _run(tmp_path, t) == 2
    err = capsys.readouterr().err
    assert "t.csv, line 4, column '发明专利拥有量': not a number (value '—')" in err


def test_thousands_separators_and_blanks_are_read(tmp_path):
    t = tmp_path / "t.csv"
    t.write_text(HEADER + '\n320100,2016,"1,050.5",3\n320200,2016, 800 ,4.5\n320300,2016,600,2\n', encoding="utf-8")
    assert _run(tmp_path, t) == 0
    norm = tmp_path / "tab"
    assert _run(tmp_path, t, extra=["--tables", str(norm)]) == 0
    z = pd.read_csv(norm / "normalised.csv", encoding="utf-8-sig")
    np.testing.assert_allclose(z["发明专利拥有量"], [1.0, 200 / 450.5, 0.0], atol=1e-12)


def test_missing_column_is_named_with_the_columns_present(tmp_path, capsys):
    t = _csv(tmp_path / "t.csv", "utf-8", header="地区代码,年份,发明专利,研发强度")
    assert _run(tmp_path, t) == 2
    err = capsys.readouterr().err
    assert "column '发明专利拥有量': column missing from the table (columns present: 地区代码, 年份, 发明专利, 研发强度)" in err


def test_output_keeps_enough_digits(tmp_path):
    assert _run(tmp_path, _csv(tmp_path / "t.csv", "utf-8")) == 0
    text = (tmp_path / "o.weights.csv").read_text(encoding="utf-8-sig")
    w = pd.read_csv(tmp_path / "o.weights.csv")
    assert all(len(repr(v).split(".")[1]) >= 10 for v in w["weight"] if 0 < v < 1), text


def test_ahp_consistency_file_and_inconsistent_matrix_exit_2(tmp_path, capsys):
    t = _csv(tmp_path / "t.csv", "utf-8")
    ok = SPEC.replace("weights: {method: entropy}",
                      "weights: {method: ahp, ahp: {_all: {matrix: [[1, 3], [0.3333333333, 1]]}}}")
    assert _run(tmp_path, t, spec=ok) == 0
    a = pd.read_csv(tmp_path / "o.ahp.csv")
    assert a.loc[0, "subsystem"] == "_all" and a.loc[0, "cr"] == 0.0 and a.loc[0, "lambda_max"] == pytest.approx(2.0)
    spec3 = SPEC.replace("  - {code: 研发强度, type: cost}", "  - {code: 研发强度, type: cost}\n  - {code: 年份2}")
    rows3 = [r + (float(i),) for i, r in enumerate(ROWS)]
    t3 = tmp_path / "t3.csv"
    t3.write_text(HEADER + ",年份2\n" + "".join(",".join(map(str, r)) + "\n" for r in rows3), encoding="utf-8")
    bad = spec3.replace("weights: {method: entropy}",
                        "weights: {method: ahp, ahp: {_all: {matrix: [[1, 9, 0.2], [0.1111111111, 1, 9], [5, 0.1111111111, 1]]}}}")
    assert _run(tmp_path, t3, spec=bad) == 2
    assert "consistency ratio CR" in capsys.readouterr().err
    allowed = bad.replace("1]]}}}", "1]], allow_inconsistent: true}}}")
    assert _run(tmp_path, t3, spec=allowed) == 0


def test_tab_separated_table(tmp_path):
    t = tmp_path / "t.tsv"
    t.write_text(HEADER.replace(",", "\t") + "\n" + "".join("\t".join(map(str, r)) + "\n" for r in ROWS),
                 encoding="utf-8")
    assert _run(tmp_path, t) == 0
    ref = tmp_path / "ref"
    ref.mkdir()
    assert _run(ref, _csv(ref / "t.csv", "utf-8")) == 0
    pd.testing.assert_frame_equal(_scores(tmp_path), _scores(ref))


def test_decimal_comma_is_an_error_not_a_thousands_separator(tmp_path, capsys):
    t = tmp_path / "t.csv"
    t.write_text(HEADER + '\n320100,2016,"3,5",3\n320200,2016,"1,234,567",4.5\n320300,2016,600,2\n', encoding="utf-8")
    assert _run(tmp_path, t) == 2
    err = capsys.readouterr().err
    assert "line 2, column '发明专利拥有量': not a number (value '3,5')" in err and "1,234,567" not in err
