"""The catalogue as a formatted Excel workbook (openpyxl): one sheet per view, rules, sources and notes.

Sheets: 说明 (what the catalogue is, what is demo, that it is this project's proposal), 按地区, 按产业,
规则, 无条目 (region × industry without data), 来源. Every data sheet has a frozen, bold header, column
widths fitted to the (CJK-aware) text and number formats; overridden entries are marked 专家调整 and
filled. The file is written to a temporary name beside the target and renamed, so a reader never sees
half a workbook.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd

from ..fileio import atomic_path

#: catalogue column → (header, number format or None)
CATALOGUE_COLUMNS = {
    "region_code": ("地区代码", None), "region_name": ("地区", None), "industry_code": ("产业代码", None),
    "industry_name": ("产业", None), "action": ("配置导向", None), "levers": ("配置手段", None),
    "rule_id": ("规则", None), "overridden_mark": ("专家调整", None), "rule_action": ("规则结果", None),
    "rule_levers": ("规则手段", None), "override_reason": ("调整理由", None), "override_reviewer": ("审定", None),
    "override_date": ("调整日期", None), "lq_output": ("产出区位商", "0.00"),
    "ip_specialisation": ("专利专业化指数", "0.00"), "growth": ("产出年均增速", "0.0%"),
    "output_value": ("产出（亿元）", "#,##0.00"), "patent_applications": ("专利申请（件）", "#,##0"),
    "ip_intensive_mark": ("专利密集", None), "zone_name": ("功能区", None), "coupling_class": ("耦合协调等级", None),
    "year": ("数据年份", "0"), "demo_mark": ("演示数据", None),
}
RULE_COLUMNS = {"order": ("顺序", "0"), "rule_id": ("规则", None), "condition": ("条件", None),
                "action": ("配置导向", None), "levers": ("配置手段", None), "description": ("说明", None)}
MISSING_COLUMNS = {"region_code": ("地区代码", None), "region_name": ("地区", None), "industry_code": ("产业代码", None),
                   "industry_name": ("产业", None), "reason": ("原因", None)}
SOURCE_COLUMNS = {"id": ("编号", None), "title": ("数据来源", None), "publisher": ("发布机构", None),
                  "licence": ("许可", None), "demo_mark": ("演示数据", None)}


def catalogue_sheets(tables: dict[str, pd.DataFrame], meta: dict, *, industry_code: str | None = None) -> dict:
    """The workbook's sheets as ``{name: (DataFrame with Chinese headers, {header: number format})}``."""
    cat = tables["catalogue"].copy()
    names = tables["industries"].set_index("code")["name"].astype(str).to_dict() if "industries" in tables else {}
    order = {c: i for i, c in enumerate(tables["action_classes"]["code"])} if "action_classes" in tables else {}
    cat["industry_name"] = cat["industry_code"].map(names).fillna(cat["industry_code"])
    cat["overridden_mark"] = cat["overridden"].map({True: "专家调整", False: ""})
    cat["ip_intensive_mark"] = cat["ip_intensive"].map({True: "是", False: "否"}).fillna("—")
    cat["demo_mark"] = cat["is_demo"].map({True: "演示", False: ""}) if "is_demo" in cat.columns else ""
    if industry_code:
        cat = cat[cat["industry_code"] == industry_code]
    by_region = cat.sort_values(["region_code", "industry_code"], kind="mergesort")
    by_industry = cat.assign(_o=cat["action"].map(order)).sort_values(["industry_code", "_o", "region_code"],
                                                                      kind="mergesort")
    miss = tables["catalogue_missing"].copy()
    rn = tables["zones"].set_index("region_code")["region_name"] if "zones" in tables else pd.Series(dtype=str)
    miss["region_name"] = miss["region_code"].map(rn)
    miss["industry_name"] = miss["industry_code"].map(names)
    src = tables.get("packages", pd.DataFrame(columns=["id", "title"])).copy()
    for c in SOURCE_COLUMNS:
        if c not in src.columns and c != "demo_mark":
            src[c] = ""
    src["demo_mark"] = src["is_demo"].map({True: "演示", False: ""}) if "is_demo" in src.columns else ""
    return {
        "说明": (notes_frame(tables, meta), {}),
        "按地区": _view(by_region, CATALOGUE_COLUMNS), "按产业": _view(by_industry, CATALOGUE_COLUMNS),
        "规则": _view(tables["rules"], RULE_COLUMNS), "无条目": _view(miss, MISSING_COLUMNS),
        "来源": _view(src, SOURCE_COLUMNS),
    }


def _view(df: pd.DataFrame, columns: dict) -> tuple[pd.DataFrame, dict]:
    cols = [c for c in columns if c in df.columns]
    out = df[cols].rename(columns={c: columns[c][0] for c in cols}).reset_index(drop=True)
    return out, {columns[c][0]: columns[c][1] for c in cols if columns[c][1]}


def notes_frame(tables: dict, meta: dict) -> pd.DataFrame:
    """说明 sheet: the catalogue's status, what is demo, overrides and how to reproduce it."""
    cat = tables["catalogue"]
    demo = bool(meta.get("is_demo"))
    rows = [
        ("名称", f"{meta.get('territory_name', meta.get('territory', ''))}知识产权资源配置导向目录（{meta.get('year', '')}年）"),
        ("性质", "本项目提出的方案：分类规则见“规则”工作表（params/allocation/catalogue.yaml），须经专家组审定后方可发布。"),
        ("演示数据", "本目录所用产业数据含演示（合成）数据，仅用于展示方法与流程，不得引用。" if demo
         else "本目录所用数据均来自“来源”工作表所列数据包，未使用演示数据。"),
        ("条目", f"{len(cat)} 个地区×产业条目；{len(tables['catalogue_missing'])} 个地区×产业因缺少数据未列条目（见“无条目”）。"),
        ("专家调整", f"{int(cat['overridden'].sum())} 个条目经专家组调整（标注“专家调整”，并列出规则结果与理由）。"
         if cat["overridden"].any() else "无专家调整（params/allocation/overrides.yaml 为空）。"),
        ("证据", "产出区位商＝产业产出占本地区GDP比重÷地域合计比重；专利专业化指数＝产业专利申请占本地区专利申请比重÷地域合计比重；"
                 "产出年均增速为复合增长率；专利密集＝产业每亿元产出专利申请≥地域每亿元GDP专利申请。"),
        ("生成", f"iplayout catalogue --territory {meta.get('territory', '')} --year {meta.get('year', '')} -o 文件名.xlsx"),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def _width(values) -> float:
    w = max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(v)) for v in values), default=4)
    return min(max(w + 2, 6), 60)


def write_workbook(path: Path | str, sheets: dict) -> Path:
    """Write ``sheets`` (from :func:`catalogue_sheets`) to ``path`` atomically (temp file, then rename)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    head_fill, mark_fill = PatternFill("solid", fgColor="DDEBF7"), PatternFill("solid", fgColor="FFF2CC")
    for name, (df, formats) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for rec in df.itertuples(index=False):
            ws.append([None if (not isinstance(v, str) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v)
                       for v in rec])
        for c in ws[1]:
            c.font, c.fill = Font(bold=True), head_fill
            c.alignment = Alignment(vertical="center", wrap_text=False)
        ws.freeze_panes = "A2"
        for j, col in enumerate(df.columns, start=1):
            letter = ws.cell(row=1, column=j).column_letter
            ws.column_dimensions[letter].width = _width([col, *df[col].head(500).tolist()])
            fmt = formats.get(col)
            if fmt:
                for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    row[0].number_format = fmt
        if "专家调整" in df.columns:
            k = list(df.columns).index("专家调整") + 1
            for row in ws.iter_rows(min_row=2):
                if row[k - 1].value:
                    for c in row:
                        c.fill = mark_fill
        if name == "说明":
            ws.column_dimensions["B"].width = 100
            for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")
    # fixed document times keep the content free of the moment it was written
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    with atomic_path(path, tag="workbook") as tmp:
        wb.save(tmp)
    return path
