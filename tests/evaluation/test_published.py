"""Published worked examples reproduced THROUGH THE CLI (``iplayout evaluate``).

Each case in ``published/`` is ``<case>.yaml`` (spec) + ``<case>.expected.yaml`` (the table it
reads, its source and the printed values); ``published/README.md`` cites every source with its
table/page. Values are compared to the precision the source prints (half a unit of its last
decimal), 6 decimals where the source prints that many.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from iplayout.cli import main

HERE = Path(__file__).resolve().parent / "published"
CASES = sorted(p.name[: -len(".expected.yaml")] for p in HERE.glob("*.expected.yaml"))


def test_every_case_is_cited_in_the_readme():
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    assert CASES and all(f"`{c}`" in readme for c in CASES)


@pytest.mark.parametrize("case", CASES)
def test_published_case_through_cli(case, tmp_path, capsys):
    exp = yaml.safe_load((HERE / f"{case}.expected.yaml").read_text(encoding="utf-8"))
    out = tmp_path / "out.csv"
    code = main(["evaluate", str(HERE / exp["table"]), "--spec", str(HERE / f"{case}.yaml"), "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    files = {"scores": out, "weights": tmp_path / "out.weights.csv", "ahp": tmp_path / "out.ahp.csv"}
    for check in exp["checks"]:
        decimals = check.get("decimals", exp["decimals"])
        tol = exp.get("tolerance", 0.5 * 10.0 ** -decimals) + 1e-12
        tab = pd.read_csv(files[check["file"]], dtype={"id": str})
        if "where" in check:
            for k, v in check["where"].items():
                tab = tab[tab[k].astype(str) == str(v)]
        got = tab[check["column"]].to_numpy()
        want = check["values"]
        if isinstance(want[0], str):
            assert got.tolist() == want, check
        else:
            np.testing.assert_allclose(got.astype(float), np.asarray(want, float), rtol=0, atol=tol,
                                       err_msg=f"{case}: {check['file']}.{check['column']}")


def test_inconsistent_published_matrix_is_refused_without_override(tmp_path, capsys):
    spec = yaml.safe_load((HERE / "saaty_1977_light_intensity.yaml").read_text(encoding="utf-8"))
    del spec["weights"]["ahp"]["_all"]["allow_inconsistent"]
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    code = main(["evaluate", str(HERE / "saaty_chairs.csv"), "--spec", str(tmp_path / "s.yaml"),
                 "-o", str(tmp_path / "o.csv")])
    assert code == 2
    assert "CR = 0.1447 ≥ 0.1" in capsys.readouterr().err
