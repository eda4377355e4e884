"""Styled report tables: Chinese column labels, formatted numbers, missing values shown as "—".

Rounding happens only here, at render time; the stage tables keep full precision.
"""
from __future__ import annotations

import hashlib
import html

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


def format_value(value, kind: str) -> str:
    """Format one number for display (``kind`` in :data:`FORMATS`); missing → "—"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if kind == "text" or isinstance(value, str):
        return html.escape(str(value))
    return FORMATS[kind](float(value))


def format_frame(df: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Select, rename and format columns as text: ``columns`` maps source column → (中文标签, format kind).

    Returns a DataFrame of strings; data-derived text is HTML-escaped.
    """
    out = pd.DataFrame(index=df.index)
    for col, (label, kind) in columns.items():
        if col in df.columns:
            out[label] = [format_value(v, kind) for v in df[col]]
    return out.reset_index(drop=True)


def style_table(df: pd.DataFrame, columns: dict[str, tuple[str, str]], *, caption: str = "",
                highlight_rows=None):
    """A pandas Styler for the report: formatted strings, no index, numbers right-aligned.

    ``highlight_rows`` is a boolean sequence marking rows (e.g. the report's region) to shade.
    """
    text = format_frame(df, columns)
    # a content-derived table id instead of pandas' random uuid, so two renders are byte-identical
    digest = hashlib.sha1((caption + "|" + "|".join(text.columns) + "|" + text.to_csv()).encode("utf-8")).hexdigest()[:8]
    sty = text.style.set_uuid(f"ip{digest}").hide(axis="index")
    if caption:
        sty = sty.set_caption(html.escape(caption))
    sty = sty.set_table_styles([
        {"selector": "th", "props": "text-align: center; background-color: #eef2f7; padding: 3px 8px;"},
        {"selector": "td", "props": "text-align: right; padding: 2px 8px;"},
        {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"},
        # the label column reads left-aligned; "td.col0" outranks the generic "td" rule in specificity
        {"selector": "td.col0", "props": "text-align: left;"},
    ])
    if highlight_rows is not None:
        mask = list(highlight_rows)
        sty = sty.apply(lambda row: ["background-color: #fbe3e6" if mask[row.name] else "" for _ in row], axis=1)
    return sty
