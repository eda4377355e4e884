"""``iplayout evaluate`` on degenerate tables and specs (issue 13): a refusal or an explicit note, never a
silent number."""
import json

import pytest

from iplayout.cli import main
from iplayout.evaluation.spec import load_spec
from iplayout.errors import SpecError

HEADER = "地区代码,a,b\n"
ROWS = "320100,10,3\n320200,8,4\n320300,6,2\n"


def _run(tmp_path, table_text, spec, *, encoding="utf-8", extra=()):
    t = tmp_path / "t.csv"
    t.write_bytes(table_text.encode(encoding))
    (tmp_path / "s.yaml").write_text(spec, encoding="utf-8")
    return main(["evaluate", str(t), "--spec", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "o.csv"), *extra])


def spec(weights="{method: entropy}", a="", b=""):
    return (f"id_column: 地区代码\nindicators:\n  - {{code: a{a}}}\n  - {{code: b{b}}}\n"
            f"weights: {weights}\ncoupling: {{enabled: false}}\n")


def test_single_row_with_critic_is_refused(tmp_path, capsys):
    assert _run(tmp_path, HEADER + "320100,10,3\n", spec("{method: critic}")) == 2
    assert "only 1 unit(s)" in capsys.readouterr().err and not (tmp_path / "o.csv").exists()


def test_all_zero_fixed_weights_are_refused(tmp_path, capsys):
    assert _run(tmp_path, HEADER + ROWS, spec("{method: fixed}", ", weight: 0", ", weight: 0")) == 2
    assert "are all 0" in capsys.readouterr().err


def test_weights_not_summing_to_one_are_rescaled_and_said(tmp_path, capsys):
    assert _run(tmp_path, HEADER + ROWS, spec("{method: fixed}", ", weight: 30", ", weight: 60"),
                extra=["--tables", str(tmp_path / "tabs")]) == 0
    err = capsys.readouterr().err
    assert "sum to 90, not 1: rescaled" in err
    w = (tmp_path / "o.weights.csv").read_text(encoding="utf-8-sig")
    assert "0.333333333333333" in w and "0.666666666666667" in w
    log = json.loads((tmp_path / "tabs" / "log.json").read_text(encoding="utf-8"))
    assert any("rescaled" in n for s in log if s["step"] == "weights" for n in s["args"]["notes"])


def test_weights_summing_to_one_give_no_note(tmp_path, capsys):
    assert _run(tmp_path, HEADER + ROWS, spec("{method: fixed}", ", weight: 0.25", ", weight: 0.75")) == 0
    assert "rescaled" not in capsys.readouterr().err


def test_column_given_twice_is_refused(tmp_path, capsys):
    assert _run(tmp_path, "地区代码,a,b,a\n320100,10,3,99\n320200,8,4,99\n", spec()) == 2
    assert "column name given twice (columns 2 and 4)" in capsys.readouterr().err


def test_na_is_listed_with_the_other_bad_cells(tmp_path, capsys):
    assert _run(tmp_path, HEADER + "320100,N/A,3\n320200,8,abc\n320300,6,2\n", spec()) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "line 2, column 'a': not a number (value 'N/A')" in err and "'abc'" in err


def test_utf16_and_binary_tables(tmp_path, capsys):
    assert _run(tmp_path, HEADER + ROWS, spec(), encoding="utf-16") == 0
    (tmp_path / "t.csv").write_bytes(bytes(range(256)))
    assert main(["evaluate", str(tmp_path / "t.csv"), "--spec", str(tmp_path / "s.yaml"), "-o",
                 str(tmp_path / "o.csv")]) == 2
    assert "binary data" in capsys.readouterr().err


BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_yaml_bombs_refused_by_every_loader(tmp_path):
    from iplayout.reporting.parameters import load_declarations
    from iplayout.reporting.plans import load_plan

    f = tmp_path / "bomb.yaml"
    f.write_text(BOMB + "indicators: *i\nnotebooks: *i\nreports: *i\n", encoding="utf-8")
    for loader in (load_spec, load_plan, load_declarations):
        with pytest.raises(SpecError, match="billion laughs") as exc:
            loader(f)
        assert len(str(exc.value)) < 400
    rec = tmp_path / "rec.yaml"
    rec.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(SpecError, match="recursive"):
        load_spec(rec)


def test_every_yaml_read_goes_through_the_safe_loader():
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "iplayout"
    offenders = [str(p.relative_to(src)) for p in src.rglob("*.py")
                 if p.name != "yamlio.py" and ("yaml.safe_load" in p.read_text(encoding="utf-8")
                                               or "yaml.load(" in p.read_text(encoding="utf-8"))]
    assert offenders == []
