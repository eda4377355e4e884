"""Report-table layout classes: alignment by column kind, wrapping by content width, size classes."""
import pandas as pd

from iplayout.plots.tables import (NOWRAP_TEXT, column_classes, display_width, format_frame, format_value,
                                   style_table, table_width)


def test_display_width_counts_cjk_double():
    # UAX #11: CJK ideographs and fullwidth punctuation are "W"/"F" (2 columns), ASCII 1
    assert display_width("南京") == 4 and display_width("GDP") == 3 and display_width("（合计）") == 8
    assert display_width("每亿元GDP") == 9


def test_year_span_text_reads_as_range():
    assert format_value("[2005, 2023]", "text") == "2005–2023"
    assert format_value("[2005, 2023] 年", "text") == "[2005, 2023] 年"  # only an exact span is rewritten


def test_column_classes_by_kind_and_width():
    df = pd.DataFrame({"name": ["国内专利申请受理量（外观设计）", "商标注册量"], "unit": ["亿元", "件"],
                       "v": [1.0, 2.0], "note": ["No complete public 13-city IP panel exists. " * 2, "x"],
                       "mid": ["知识产权创造与运用与产业", "创新"]})
    text = format_frame(df, {"name": ("指标", "text"), "unit": ("单位", "text"), "v": ("数值", "float1"),
                             "note": ("原始来源", "text"), "mid": ("滞后子系统", "text")})
    cls = column_classes(text, {"指标": "text", "单位": "text", "数值": "float1", "原始来源": "text", "滞后子系统": "text"})
    assert cls["指标"] == "ipl-txt ipl-nowrap"  # 15-glyph label column stays on one line (first column)
    assert cls["单位"] == "ipl-txt ipl-nowrap" and cls["数值"] == "ipl-num"
    assert cls["原始来源"] == "ipl-txt ipl-long"
    assert display_width("知识产权创造与运用与产业") > NOWRAP_TEXT and cls["滞后子系统"] == "ipl-txt"
    # width estimate: 指标 30 + 单位 4 + 数值 4(header) + 原始来源 30 + 滞后子系统 min(24, 16)=16, +2 padding each
    assert table_width(text, cls) == (30 + 2) + (4 + 2) + (4 + 2) + (30 + 2) + (16 + 2)


def test_size_keep_and_highlight_classes():
    narrow = style_table(pd.DataFrame({"a": ["南京"], "b": [1.0]}), {"a": ("地区", "text"), "b": ("值", "float1")},
                         highlight_rows=[True]).to_html()
    assert 'class="ipl-table ipl-keep"' in narrow and "ipl-num ipl-hl" in narrow
    assert "#T_" in narrow and "th.col0 {\n  white-space: nowrap;" in narrow  # short header never wraps
    wide = pd.DataFrame({f"c{i}": [123456.789] * 30 for i in range(14)})
    html = style_table(wide, {f"c{i}": (f"指标名称第{i}列", "float2") for i in range(14)}).to_html()
    # 14 columns × (10 + 2) = 168 units > XWIDE; 30 rows > KEEP_ROWS, so the table may split over pages
    assert 'class="ipl-table ipl-xwide"' in html
