"""``iplayout catalogue``: the command a researcher runs to get the guidance catalogue as a workbook."""
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from iplayout.cli import cli
from iplayout.stages import load_stage


@pytest.mark.slow  # computes the Jiangsu allocation stage unless another test cached it
def test_catalogue_command_writes_the_stage_catalogue(tmp_path):
    out = tmp_path / "导向目录.xlsx"
    res = CliRunner().invoke(cli, ["catalogue", "--territory", "320000", "--year", "2016", "-o", str(out)])
    assert res.exit_code == 0, res.output
    cat = load_stage("allocation", territory="320000", year=2016).tables["catalogue"]
    assert f"{len(cat)} catalogue entries written to" in res.output and "演示数据" in res.output  # city panel is demo
    by_region = pd.read_excel(out, sheet_name="按地区", dtype=str)
    assert len(by_region) == len(cat) > 0
    # the stage's entries, each (region, industry) once with its action and rule
    got = set(by_region[["地区代码", "产业代码", "配置导向", "规则"]].itertuples(index=False, name=None))
    want = set(cat[["region_code", "industry_code", "action", "rule_id"]].astype(str).itertuples(index=False, name=None))
    assert got == want and len(got) == len(cat)
    assert set(openpyxl.load_workbook(out, read_only=True).sheetnames) >= {"按地区", "按产业", "规则"}

    one = tmp_path / "one.xlsx"
    res = CliRunner().invoke(cli, ["catalogue", "--territory", "320000", "--year", "2016", "-o", str(one),
                                    "--industry", "SEI01"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_excel(one, sheet_name="按地区", dtype=str)) == int((cat["industry_code"] == "SEI01").sum())
