"""Write the import templates of data/templates/ from real, sourced figures of the bundled packages.

``long_template`` / ``wide_template``: Jiangsu city figures of jiangsu_cities_public.
``international_template``: countries as regions (world territory WLD); its example rows are China's 2022
national figures already bundled (national_st_yearbook, national_macro) — no other country's figure is
bundled, so the user fills in the peers from WIPO / OECD / World Bank tables.

Run: ``python data/templates/make_templates.py`` (deterministic; tests/db check the files match).
The example values are real published figures already in the bundled packages, so importing an
example unchanged reports them as "unchanged" — edit or replace them with your own yearbook tables.
"""
from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
CITIES = HERE.parent / "jiangsu_cities_public" / "cities_public.csv"
REFERENCE = HERE.parent / "reference"

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

INSTRUCTIONS_INTL = [
    ("说明", "国际比较导入模板（国家为地区）：每行一个数据（一个国家、一个年份、一个指标的一个数值）。"
             "示例行是数据包中已有的中国2022年全国数字（导入时显示“不变”）；请按同样格式补充各国数据。"),
    ("country 国家", "ISO 3166-1 三字母代码（USA、JPN、KOR、DEU…，见“国家代码”页）或中英文国名（美国、United States、"
                   "Korea, Republic of…，须在 data/reference/region_aliases.csv 中）；中国写 中国 / China / CHN（即全国 100000）。"
                   "列名可写 region 或 地区。"),
    ("year 年份", "四位整数年份，如 2022。"),
    ("indicator 指标", "只用“可比指标”页中的指标代码：发明专利申请/授权（WIPO 的 patent 即发明专利；用居民申请 resident，"
                     "与国家知识产权局“国内”口径一致）、PCT 申请、商标申请、R&D 经费投入强度、R&D 研究人员全时当量、GDP（美元）、人口。"),
    ("value 数值", "数字；可带千分位逗号；不得为负数；R&D 强度为百分数（2.54 表示 2.54%）。"),
    ("unit 单位", "GDP 用美元口径 gdp_usd，单位 亿美元（亦可写 美元、百万美元、十亿美元、million USD、billion USD，自动换算）；"
                 "不要把美元 GDP 填入 gdp（亿元）：不同币种不换算。人口 population 单位 万人（写 人 亦可，自动换算）；"
                 "研究人员全时当量单位 人年。"),
    ("source 来源", "数据来源（如 WIPO IP Statistics Data Center, 2024-03；OECD MSTI 2024-1；World Bank WDI）。"),
    ("is_demo 演示", "可选：true 表示演示（合成）数据。整个文件要么全部是演示数据、要么全部是真实数据；演示数据不会覆盖真实数据。"
                    "iplayout db demo-countries demo.csv 可生成带种子的演示文件（仅供测试和演示，不得当作官方数据）。"),
    ("导入", "iplayout db import international_template.xlsx --source-title \"WIPO IP Statistics 2024\" --dry-run，确认后去掉 --dry-run。"),
    ("报告", "导入后，评价报告第六节（区域比较）给出中国与各国的可比指标对比；以地域 WLD（世界）运行评价报告可得到各国综合评价"
             "（指标体系 params/evaluation/international.yaml）。"),
]
INTL_INDICATORS = ["patent_applications_invention", "patent_grants_invention", "pct_applications", "trademark_applications",
                   "rd_intensity", "rd_researchers_fte", "gdp_usd", "population"]
# China 2022, national row 100000, as bundled (value, unit, source) — importing them reports "unchanged".
CHINA_2022 = [("patent_applications_invention", "1464605", "件", "中国科技统计年鉴2023 全国 国内发明专利申请受理量"),
              ("patent_grants_invention", "695591", "件", "中国科技统计年鉴2023 全国 国内发明专利授权量"),
              ("pct_applications", "69115", "件", "国家知识产权局 作为受理局受理的PCT国际专利申请（国内申请人）"),
              ("rd_intensity", "2.54", "%", "中国科技统计年鉴2023 全国 R&D经费投入强度"),
              ("rd_researchers_fte", "2637193", "人年", "中国科技统计年鉴2023 全国 R&D研究人员全时当量")]


def _read_ref(name: str) -> list[dict]:
    with open(REFERENCE / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def international_rows() -> list[list[str]]:
    """China's bundled 2022 figures on the comparable indicators (the rows to copy for each country)."""
    return [["country", "year", "indicator", "value", "unit", "source"]] + [
        ["中国", "2022", code, value, unit, src] for code, value, unit, src in CHINA_2022]


def country_rows() -> list[list[str]]:
    """Members of the world territory WLD: code, Chinese and English name, continent group."""
    rows = [["code 代码", "name 中文名", "name_en 英文名", "group 洲"]]
    return rows + [[r["code"], r["name"], r["name_en"], r["region_group"]]
                   for r in _read_ref("regions.csv") if r["parent_code"] == "WLD"]


def indicator_rows() -> list[list[str]]:
    """The comparable indicators with catalogue name and unit."""
    cat = {r["code"]: r for r in _read_ref("indicators.csv")}
    return [["indicator 指标代码", "name 名称", "name_en", "unit 单位"]] + [
        [c, cat[c]["name"], cat[c]["name_en"], cat[c]["unit"]] for c in INTL_INDICATORS]


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


def _write_xlsx(path: Path, instructions, sheet: str, rows, extra_sheets=()) -> None:
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
    for name, extra in extra_sheets:  # reference sheets after the data sheet (the importer reads the first data sheet)
        ws = wb.create_sheet(name)
        for row in extra:
            ws.append(row)
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
    _write_csv(out_dir / "international_template.csv", international_rows())
    _write_xlsx(out_dir / "international_template.xlsx", INSTRUCTIONS_INTL, "数据", international_rows(),
                extra_sheets=[("国家代码", country_rows()), ("可比指标", indicator_rows())])


if __name__ == "__main__":
    main()
