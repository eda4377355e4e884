"""``iplayout evaluate``: exit codes, clear errors, OUT.csv / OUT.weights.csv content."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iplayout.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "params" / "evaluation" / "examples"


def test_reproduces_hwang_yoon_topsis_to_six_decimals(tmp_path, capsys):
    out = tmp_path / "aircraft.csv"
    code = main(["evaluate", str(EXAMPLES / "hwang_yoon_aircraft.csv"),
                 "--spec", str(EXAMPLES / "topsis_hwang_yoon.yaml"), "-o", str(out)])
    assert code == 0
    s = pd.read_csv(out, dtype={"id": str})
    assert list(s.columns) == ["id", "score", "rank"]
    # Hwang & Yoon (1981) aircraft example: C* = 0.643, 0.268, 0.613, 0.312 (book, 3 decimals);
    # full-precision values agree with pymcdm's TOPSIS to 1e-9.
    np.testing.assert_allclose(s["score"], [0.643277, 0.268384, 0.613542, 0.312291], atol=5e-7)
    assert s["rank"].tolist() == [1, 4, 2, 3]
    w = pd.read_csv(tmp_path / "aircraft.weights.csv")
    assert list(w.columns) == ["pool", "subsystem", "indicator", "method", "weight", "global_weight", "primary"]
    np.testing.assert_allclose(w["weight"], [0.2, 0.1, 0.1, 0.1, 0.2, 0.3])
    assert "4 rows" in capsys.readouterr().out


def test_panel_example_writes_all_tables(tmp_path):
    out = tmp_path / "sub" / "panel.csv"
    code = main(["evaluate", str(EXAMPLES / "coupling_panel.csv"), "--spec", str(EXAMPLES / "coupling_panel.yaml"),
                 "-o", str(out), "--tables", str(tmp_path / "tables")])
    assert code == 0
    s = pd.read_csv(out, dtype={"id": str})
    for col in ("id", "year", "U_ip", "U_innovation", "U_industry", "C", "T", "D", "class", "lagging",
                "score", "rank", "rank_p05", "rank_p50", "rank_p95", "p_top_k"):
        assert col in s.columns
    assert len(s) == 15 and s["class"].isin(["极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调", "勉强协调",
                                               "初级协调", "中级协调", "良好协调", "优质协调"]).all()
    log = json.loads((tmp_path / "tables" / "log.json").read_text(encoding="utf-8"))
    assert log[0]["step"] == "spec" and {e["step"] for e in log} >= {"normalise", "weights", "coupling", "uncertainty"}
    assert (tmp_path / "tables" / "sensitivity.csv").exists()


def test_ids_stay_strings(tmp_path):
    t = tmp_path / "t.csv"
    t.write_text("id,a,b\n320100,1,5\n320200,2,3\n320300,4,1\n", encoding="utf-8")
    spec = tmp_path / "s.yaml"
    spec.write_text("indicators: [{code: a}, {code: b, type: cost}]\n", encoding="utf-8")
    assert main(["evaluate", str(t), "--spec", str(spec), "-o", str(tmp_path / "o.csv")]) == 0
    assert (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()[1].startswith("320100,")


def test_unknown_key_is_a_clear_error(tmp_path, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text("indicators: [{code: a}]\nweights: {method: entropy, zero: shift}\n", encoding="utf-8")
    code = main(["evaluate", str(EXAMPLES / "hwang_yoon_aircraft.csv"), "--spec", str(spec), "-o", str(tmp_path / "o.csv")])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown key 'weights.zero'" in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("table, msg", [("missing.csv", "table not found"), ("aircraft", "column 'nope'")])
def test_data_errors_exit_2(tmp_path, capsys, table, msg):
    spec = tmp_path / "s.yaml"
    spec.write_text("indicators: [{code: nope}]\n", encoding="utf-8")
    path = EXAMPLES / "hwang_yoon_aircraft.csv" if table == "aircraft" else tmp_path / table
    assert main(["evaluate", str(path), "--spec", str(spec), "-o", str(tmp_path / "o.csv")]) == 2
    assert msg in capsys.readouterr().err


def test_missing_option_is_usage_error(capsys):
    assert main(["evaluate", str(EXAMPLES / "hwang_yoon_aircraft.csv")]) == 2
    assert "--spec" in capsys.readouterr().err


def test_reproduces_xu_2004_entropy_weights(tmp_path):
    # Xu (2004) EJOR 156(2): 530–532: entropy on the raw matrix → 0.4630, 0.3992, 0.1378, 0.0000.
    t = tmp_path / "xu.csv"
    t.write_text("id,c1,c2,c3,c4\nA1,30,30,38,29\nA2,19,54,86,29\nA3,19,15,85,28.9\nA4,68,70,60,29\n", encoding="utf-8")
    spec = tmp_path / "xu.yaml"
    spec.write_text("indicators: [{code: c1}, {code: c2}, {code: c3}, {code: c4}]\n"
                    "normalise: {method: none}\nweights: {method: entropy}\n", encoding="utf-8")
    assert main(["evaluate", str(t), "--spec", str(spec), "-o", str(tmp_path / "o.csv")]) == 0
    w = pd.read_csv(tmp_path / "o.weights.csv")
    np.testing.assert_allclose(w["weight"], [0.4630, 0.3992, 0.1378, 0.0000], atol=5e-5)
