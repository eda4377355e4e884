"""Catalogue workbook: formatted sheets, and reading a sheet back gives the table it was written from."""
import pandas as pd
import pytest

from iplayout.allocation.workbook import catalogue_sheets, write_workbook


@pytest.fixture(scope="module")
def tables():
    cat = pd.DataFrame({"region_code": ["320100", "320200"], "region_name": ["南京", "无锡"],
                        "industry_code": ["SEI01", "SEI01"], "year": [2016, 2016], "lq_output": [1.234, 0.8],
                        "ip_specialisation": [1.1, 0.5], "growth": [0.12, None], "output_value": [877.11, 917.5],
                        "patent_applications": [7537.0, 6754.0], "ip_intensive": [True, None], "zone_name": ["协同引领区"] * 2,
                        "coupling_class": ["良好协调"] * 2, "action": ["审慎布局", "引导培育"], "levers": ["导航", "培育、转化运营"],
                        "rule_id": ["R01", "R04"], "rule_action": ["重点布局", "引导培育"], "rule_levers": ["保护", "培育、转化运营"],
                        "overridden": [True, False], "override_reason": ["专家组意见", ""], "override_reviewer": ["专家组", ""],
                        "override_date": ["2016-12-20", ""], "is_demo": [True, True]})
    return {"catalogue": cat, "catalogue_missing": pd.DataFrame(columns=["region_code", "industry_code", "reason"]),
            "rules": pd.DataFrame({"order": [1], "rule_id": ["R01"], "condition": ["x"], "action": ["重点布局"],
                                   "levers": ["保护"], "description": ["d"]}),
            "industries": pd.DataFrame({"code": ["SEI01"], "name": ["新一代信息技术产业"]}),
            "action_classes": pd.DataFrame({"code": ["重点布局", "优化提升", "引导培育", "审慎布局"]}),
            "zones": pd.DataFrame({"region_code": ["320100", "320200"], "region_name": ["南京", "无锡"]}),
            "packages": pd.DataFrame({"id": ["jiangsu_demo"], "title": ["演示面板"], "is_demo": [True]})}


def test_round_trip_and_formatting(tables, tmp_path):
    import openpyxl

    sheets = catalogue_sheets(tables, {"is_demo": True, "territory": "320000", "year": 2016})
    path = write_workbook(tmp_path / "c.xlsx", sheets)
    for name in ("按地区", "按产业", "规则"):
        back = pd.read_excel(path, sheet_name=name, dtype=str, keep_default_na=False)
        want = sheets[name][0]
        assert list(back.columns) == list(want.columns) and len(back) == len(want)
        for col in want.columns:
            if pd.api.types.is_numeric_dtype(want[col]) and not pd.api.types.is_bool_dtype(want[col]):
                got = pd.to_numeric(back[col].replace("", None)).astype(float)
                pd.testing.assert_series_equal(got, want[col].astype(float), check_names=False)
            else:
                assert back[col].tolist() == want[col].fillna("").astype(str).tolist(), col
    wb = openpyxl.load_workbook(path)
    ws = wb["按地区"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    headers = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=headers.index("产出区位商") + 1).number_format == "0.00"
    assert ws.cell(row=2, column=headers.index("专家调整") + 1).value == "专家调整"
    assert ws.cell(row=2, column=headers.index("规则结果") + 1).value == "重点布局"
    notes = dict(pd.read_excel(path, sheet_name="说明").values)
    assert "本项目提出的方案" in notes["性质"] and "演示" in notes["演示数据"]
    assert set(wb.sheetnames) == {"说明", "按地区", "按产业", "规则", "无条目", "来源"}
