"""Write the import templates of data/templates/ from real, sourced figures of jiangsu_cities_public.

Run: ``python data/templates/make_templates.py`` (deterministic; tests/db check the files match).
The example values are real published figures already in the bundled packages, so importing an
example unchanged reports them as "unchanged" — edit or replace them with your own yearbook tables.
"""
from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
CITIES = HERE.parent / "jiangsu_cities_public" / "cities_public.csv"

INSTRUCTIONS_LONG = [
    ("说明", "长表模板：每行一个数据（一个地区、一个年份、一个指标的一个数值）。"),
    ("region 地区", "地区名称或代码：如 南京、南京市、320100；名称须在 data/reference/region_aliases.csv 中，未知名称会被拒绝。"),
    ("year 年份", "四位整数年份，如 2021。"),
    ("indicator 指标", "指标代码或中文名称，见 data/reference/indicators.csv（如 rd_expenditure、gdp）。"),
    ("value 数值", "数字；可带千分位逗号；不得为负数；百分比须在 0–100 之间。"),
    ("unit 单位", "与指标目录单位一致；货币单位 元/千元/万元/亿元 会自动换算为目录单位，其他不一致的单位会被拒绝。"),
    ("source 来源", "数据来源（如《江苏统计年鉴2022》表 x-x）。"),
    ("industry 行业", "可选：_T（全部行业，默认）、HT、SEI01…SEI08。"),
    ("导入", "iplayout db import long_template.xlsx --source-title \"江苏统计年鉴2022\"（先加 --dry-run 预览变化）。"),
    ("全有或全无", "文件中只要有一处错误，数据库不作任何改动；错误报告列出文件、行号、列名和数值。"),
]
INSTRUCTIONS_WIDE = [
    ("说明", "宽表模板（年鉴式）：每行一个地区，每列一个指标，一张表一个年份；需要配套的映射文件 wide_mapping.yaml。"),
    ("映射文件", "wide_mapping.yaml 写明：年份 year、地区列名 region_column、表头所在行 header_row、每个指标列对应的指标代码和单位。"),
    ("空单元格", "宽表中的空单元格视为“无数据”，跳过不导入。"),
    ("导入", "iplayout db import wide_template.xlsx --mapping wide_mapping.yaml --dry-run，确认后去掉 --dry-run。"),
]
WIDE_COLUMNS = [("地区生产总值（亿元）", "gdp", "亿元"), ("第一产业增加值（亿元）", "gdp_primary", "亿元"),
                ("第二产业增加值（亿元）", "gdp_secondary", "亿元"), ("第三产业增加值（亿元）", "gdp_tertiary", "亿元")]


def _facts() -> list[dict]:
    with open(CITIES, encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["city"].endswith("市")]


def long_rows() -> list[list[str]]:
    """R&D expenditure 2021 of the 13 cities in 亿元 (converted to the catalogue's 万元 on import)."""
    rows = [["region", "year", "indicator", "value", "unit", "source", "industry"]]
    for r in _facts():
        if r["indicator"] == "rd_expenditure" and r["year"] == "2021":
            rows.append([r["city"], r["year"], "rd_expenditure", r["value"], "亿元", "江苏省统计局 2021年江苏R&D经费投入", "_T"])
    return rows


def wide_rows() -> list[list[str]]:
    """GDP and value added by sector 2022, one row per city (yearbook layout)."""
    vals = {(r["city"], r["indicator"]): r["value"] for r in _facts() if r["year"] == "2022"}
    cities = sorted({c for c, _ in vals}, key=lambda c: list(dict.fromkeys(r["city"] for r in _facts())).index(c))
    rows = [["地区"] + [c for c, _, _ in WIDE_COLUMNS]]
    for city in cities:
        rows.append([city] + [vals.get((city, code), "") for _, code, _ in WIDE_COLUMNS])
    return rows


def mapping_text() -> str:
    lines = ["# Mapping of wide_template.xlsx / wide_template.csv (yearbook layout: rows = regions, one year).",
             "format: wide", "sheet: \"2022\"          # sheet of the XLSX (ignored for CSV)", "header_row: 1",
             "year: 2022", "region_column: 地区", "source: 江苏统计年鉴2023 / 各市统计公报（示例）", "columns:"]
    for name, code, unit in WIDE_COLUMNS:
        lines.append(f"  {name}: {{indicator: {code}, unit: {unit}}}")
    return "\n".join(lines) + "\n"


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _write_xlsx(path: Path, instructions, sheet: str, rows) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    for row in instructions:
        ws.append(list(row))
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    data = wb.create_sheet(sheet)
    for i, row in enumerate(rows):
        data.append([_num(v) if i else v for v in row])
    for cell in data[1]:
        cell.font = Font(bold=True)
    wb.properties.creator = "iplayout"
    wb.save(path)


def _num(v: str):
    try:
        f = float(v)
        return int(f) if f.is_integer() and "." not in v else f
    except ValueError:
        return v


def main(out_dir: Path = HERE) -> None:
    _write_csv(out_dir / "long_template.csv", long_rows())
    _write_csv(out_dir / "wide_template.csv", wide_rows())
    (out_dir / "wide_mapping.yaml").write_text(mapping_text(), encoding="utf-8")
    _write_xlsx(out_dir / "long_template.xlsx", INSTRUCTIONS_LONG, "数据", long_rows())
    _write_xlsx(out_dir / "wide_template.xlsx", INSTRUCTIONS_WIDE, "2022", wide_rows())


if __name__ == "__main__":
    main()
