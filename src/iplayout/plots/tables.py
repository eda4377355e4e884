"""Styled report tables: Chinese column labels, formatted numbers, missing values shown as "—".

Rounding happens only here, at render time; the stage tables keep full precision.

Layout conventions (Chinese statistical tables, e.g. 《中国统计年鉴》): text columns read
left-aligned, numbers right-aligned with tabular (equal-width) figures so digits line up; short
labels (units, 是/否, region names) never wrap, long notes wrap in a column wide enough to be
read. Every cell carries a class (``ipl-num``, ``ipl-txt``, ``ipl-nowrap``, ``ipl-long``, ``ipl-hl``)
and the table a width class (``ipl-wide``, ``ipl-xwide``) so the HTML and PDF style sheets can
size it; the alignment rules themselves travel with the table (Styler CSS scoped to its id), so
a table also reads well inside JupyterLab.
"""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata

import pandas as pd

MISSING = "—"

FORMATS = {
    "int": lambda v: f"{v:,.0f}",
    "float1": lambda v: f"{v:,.1f}",
    "float2": lambda v: f"{v:,.2f}",
    "float3": lambda v: f"{v:,.3f}",
    "float4": lambda v: f"{v:,.4f}",
    "pct1": lambda v: f"{v * 100:.1f}%",
    "pct2": lambda v: f"{v * 100:.2f}%",
    "rank": lambda v: f"{v:.0f}",
    # counts print without decimals, measured amounts with two (one column can hold both)
    "auto": lambda v: f"{v:,.0f}" if abs(v - round(v)) < 1e-9 or abs(v) >= 1e5 else f"{v:,.2f}",
    "text": lambda v: html.escape(str(v)),
}

# A year span stored as text "[2005, 2023]" (packages.years) reads as "2005–2023" in a table.
_YEAR_SPAN = re.compile(r"^\[\s*(\d{4})\s*,\s*(\d{4})\s*\]$")

# Display widths in "half-width units": a CJK glyph counts 2, a Latin letter or digit 1.
NOWRAP_TEXT = 18    # text columns up to 9 CJK glyphs never wrap ("知识产权创造与运用" stays on one line)
NOWRAP_LABEL = 30   # the first (label) column up to 15 glyphs: "国内专利申请受理量（外观设计）"
LONG_TEXT = 48      # longer text gets a wide, wrapping column ("原始来源" notes)
NOWRAP_HEADER = 10  # headers up to 5 CJK glyphs stay on one line ("方向", "地区数", "每亿元GDP")
WIDE, XWIDE = 118, 150  # estimated table widths at which the PDF uses a smaller font
KEEP_ROWS = 12  # tables up to this many rows are not split over two PDF pages (longer ones repeat their header)


def display_width(text: str) -> int:
    """Width of ``text`` in half-width units (East Asian wide/fullwidth characters count 2).

    Notes
    -----
    Uses the Unicode East Asian Width property (UAX #11): classes ``W`` and ``F`` are two
    columns wide, everything else one.

    References
    ----------
    Unicode Standard Annex #11, "East Asian Width", https://www.unicode.org/reports/tr11/
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def format_value(value, kind: str) -> str:
    """Format one number for display (``kind`` in :data:`FORMATS`); missing → "—"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if kind == "text" or isinstance(value, str):
        text = str(value)
        span = _YEAR_SPAN.match(text)
        if span:
            text = f"{span.group(1)}–{span.group(2)}"
        return html.escape(text)
    return FORMATS[kind](float(value))


#: Mark appended to a demo (synthetic) value in a table; the caption explains it (每格标注，横幅保留)
DEMO_MARK = "†"
DEMO_FOOTNOTE = "标“†”者为演示（合成）数值，不得引用；其余为官方统计或公开核实数据"


def format_frame(df: pd.DataFrame, columns: dict[str, tuple[str, str]], demo: dict | None = None) -> pd.DataFrame:
    """Select, rename and format columns as text: ``columns`` maps source column → (中文标签, format kind).

    ``demo`` maps a source column to per-row booleans: those cells get :data:`DEMO_MARK` (missing values
    stay "—"). Returns a DataFrame of strings; data-derived text is HTML-escaped.
    """
    out = pd.DataFrame(index=df.index)
    for col, (label, kind) in columns.items():
        if col in df.columns:
            cells = [format_value(v, kind) for v in df[col]]
            marks = list((demo or {}).get(col, [])) or [False] * len(cells)
            out[label] = [c + DEMO_MARK if m and c != MISSING else c for c, m in zip(cells, marks)]
    return out.reset_index(drop=True)


def column_classes(text: pd.DataFrame, kinds: dict[str, str]) -> dict[str, str]:
    """CSS classes of each displayed column from its format kind and the widest cell.

    Numbers → ``ipl-num``; text → ``ipl-txt`` plus ``ipl-nowrap`` (short labels; the first, label
    column is allowed longer ones) or ``ipl-long`` (notes that must wrap in a wide column).
    """
    classes = {}
    for j, label in enumerate(text.columns):
        if kinds.get(label, "text") != "text":
            classes[label] = "ipl-num"
            continue
        widest = max((display_width(html.unescape(v)) for v in text[label]), default=0)
        classes[label] = "ipl-txt ipl-nowrap" if widest <= (NOWRAP_LABEL if j == 0 else NOWRAP_TEXT) else (
            "ipl-txt ipl-long" if widest > LONG_TEXT else "ipl-txt")
    return classes


def table_width(text: pd.DataFrame, classes: dict[str, str]) -> int:
    """Estimated natural width of the table in half-width units (cell padding counted as 2).

    Used only to pick a font size class; wrapping columns are counted at a readable width
    (long notes 30 units, other text and long headers at most 16).
    """
    total = 0
    for label in text.columns:
        cells = [display_width(html.unescape(v)) for v in text[label]] or [0]
        head = display_width(label)
        cls = classes[label]
        body = 30 if "ipl-long" in cls else (max(cells) if "ipl-nowrap" in cls or cls == "ipl-num"
                                             else min(max(cells), 16))
        total += max(body, head if head <= NOWRAP_HEADER else min(head, 8)) + 2
    return total


def style_table(df: pd.DataFrame, columns: dict[str, tuple[str, str]], *, caption: str = "",
                highlight_rows=None, demo: dict | None = None):
    """A pandas Styler for the report: formatted strings, no index, typed alignment classes.

    ``highlight_rows`` is a boolean sequence marking rows (e.g. the report's region) to shade; ``demo`` marks
    demo cells per column (see :func:`format_frame`) and adds :data:`DEMO_FOOTNOTE` to the caption.
    """
    text = format_frame(df, columns, demo)
    if demo and any(any(v) for v in demo.values()):
        caption = f"{caption}（{DEMO_FOOTNOTE}）" if caption else DEMO_FOOTNOTE
    kinds = {label: kind for col, (label, kind) in columns.items() if col in df.columns}
    classes = column_classes(text, kinds)
    # a content-derived table id instead of pandas' random uuid, so two renders are byte-identical
    digest = hashlib.sha1((caption + "|" + "|".join(text.columns) + "|" + text.to_csv()).encode("utf-8")).hexdigest()[:8]
    sty = text.style.set_uuid(f"ip{digest}").hide(axis="index")
    if caption:
        sty = sty.set_caption(html.escape(caption))
    width = table_width(text, classes)
    size = " ipl-xwide" if width > XWIDE else (" ipl-wide" if width > WIDE else "")
    # a short table is kept on one page in the PDF (its caption never ends a page alone)
    size += " ipl-keep" if len(text) <= KEEP_ROWS else ""
    sty = sty.set_table_attributes(f'class="ipl-table{size}" data-cols="{len(text.columns)}"')
    mask = [bool(m) for m in highlight_rows] if highlight_rows is not None else [False] * len(text)
    cell = pd.DataFrame({label: [classes[label] + (" ipl-hl" if m else "") for m in mask] for label in text.columns},
                        index=text.index)
    sty = sty.set_td_classes(cell)
    sty = sty.set_table_styles([
        # no padding or font sizes here: the HTML and PDF style sheets set those per medium
        {"selector": "th", "props": "text-align: center; vertical-align: bottom; background-color: #f1f4f8; "
                                    "font-weight: 600;"},
        {"selector": "td", "props": "vertical-align: top;"},
        {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"},
        # the id-scoped rules outrank the notebook theme's generic "td { text-align: right }"
        {"selector": "td.ipl-num", "props": "text-align: right; white-space: nowrap; "
                                            "font-variant-numeric: tabular-nums;"},
        {"selector": "td.ipl-txt", "props": "text-align: left;"},
        {"selector": "td.ipl-nowrap", "props": "white-space: nowrap;"},
        {"selector": "td.ipl-long", "props": "min-width: 14em; overflow-wrap: anywhere;"},
        {"selector": "td.ipl-hl", "props": "background-color: #fbe3e6; font-weight: 600;"},
    ])
    short_heads = {label: [{"selector": "th", "props": "white-space: nowrap;"}]
                   for label in text.columns if display_width(label) <= NOWRAP_HEADER}
    if short_heads:
        sty = sty.set_table_styles(short_heads, overwrite=False)
    return sty
