"""Sections of ``03_allocation/policy.ipynb`` (相关政策状况报告): inventory, coverage matrix, gaps, recommendations."""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots.tables import style_table
from ..stages.context import ReportContext
from .allocation import _ind_names

EXAMPLE_NOTE = ("> **⚠ 示例政策清单**：清单仅收录少量真实公开的国家和江苏省政策文件作为示例（政策工具为本项目按原文归类），"
                "并非完整清单；覆盖与缺口分析仅演示方法。请用 `iplayout policy template` 生成模板、填写本地政策清单后"
                "以 `iplayout policy import 文件 --replace` 导入。")


def _split(s) -> list[str]:
    return [p for p in str(s or "").split("、") if p]


def example_note(ctx: ReportContext) -> str:
    """Warning shown when the inventory holds example rows ("" for a user's own inventory)."""
    p = ctx.table("policies")
    return EXAMPLE_NOTE if len(p) and p["is_example"].any() else ""


def inventory_text(ctx: ReportContext) -> str:
    p = ctx.table("policies")
    if p.empty:
        return "政策清单为空：请导入本地区政策清单（iplayout policy import）。"
    live = p[p["in_force"]]
    lv = p["level"].value_counts()
    return (f"清单共收录与{nv.md_escape(ctx.territory_name)}相关的政策文件{len(p)}件，其中{ctx.year}年末现行{len(live)}件；"
            + "按层级：" + "，".join(f"{k}{v}件" for k, v in lv.items()) + "。")


def inventory_table(ctx: ReportContext):
    p = ctx.table("policies").copy()
    p["force"] = p["in_force"].map({True: "是", False: "否"})
    p["ind"] = p["industries"].map(lambda s: "全部" if s == "_T" else "、".join(_ind_names(ctx).get(x, x) for x in _split(s)))
    return style_table(p, {"title": ("政策名称", "text"), "doc_number": ("文号", "text"), "issuer": ("发布机关", "text"),
                           "issued": ("发布日期", "text"), "level": ("层级", "text"), "instruments": ("政策工具", "text"),
                           "ind": ("产业", "text"), "status": ("状态", "text"), "force": (f"{ctx.year}年末现行", "text")},
                       caption="政策清单")


def _counts(ctx: ReportContext, column: str, label: str, explode: bool):
    p = ctx.table("policies")
    if p.empty:
        return nv.Note("")
    vals = p[column].map(_split).explode() if explode else p[column]
    if column == "industries":
        vals = vals.map(lambda x: "全部产业" if x == "_T" else _ind_names(ctx).get(x, x))
    t = vals.value_counts().rename_axis("k").reset_index(name="n")
    return style_table(t, {"k": (label, "text"), "n": ("政策数", "int")}, caption=f"政策清单：按{label}")


def by_level_table(ctx: ReportContext):
    return _counts(ctx, "level", "层级", False)


def by_instrument_table(ctx: ReportContext):
    return _counts(ctx, "instruments", "政策工具", True)


def by_industry_table(ctx: ReportContext):
    return _counts(ctx, "industries", "产业", True)


def coverage_table(ctx: ReportContext):
    """Catalogue priorities × instruments: entries of each class covered by each in-force instrument."""
    m = ctx.table("coverage_matrix")
    cols = {"action": ("配置导向", "text"), "entries": ("条目数", "int"), "uncovered": ("无政策覆盖", "int")}
    cols |= {c: (c, "int") for c in m.columns if c not in cols}
    return style_table(m, cols, caption=f"导向目录 × 政策工具覆盖矩阵（{ctx.year}年末现行政策覆盖的条目数）")


def gaps_text(ctx: ReportContext) -> str:
    g = ctx.table("policy_gaps")
    n = int((ctx.table("catalogue")["action"] == "重点布局").sum())
    if g.empty:
        return f"{n}个重点布局条目在{ctx.year}年末均有与其配置手段对应的现行政策工具，未发现政策缺口。"
    kinds = g["gap_type"].value_counts()
    return (f"{n}个重点布局条目中，发现政策缺口{len(g)}处：无任何现行政策覆盖{int(kinds.get('none', 0))}处，"
            f"配置手段缺少对应政策工具{int(kinds.get('lever', 0))}处。")


def gaps_table(ctx: ReportContext):
    g = ctx.table("policy_gaps")
    if g.empty:
        return nv.Note("")
    return style_table(g, {"gap_id": ("编号", "text"), "gap": ("政策缺口", "text")}, caption="政策缺口（重点布局条目）")


def recommendations_text(ctx: ReportContext) -> str:
    r = ctx.table("policy_recommendations")
    if r.empty:
        return "未发现政策缺口，暂无按规则生成的政策建议。"
    return "\n".join(f"{i + 1}. **{x.rec_id}** {nv.md_escape(x.text)}" for i, x in enumerate(r.itertuples()))


def coverage_detail_table(ctx: ReportContext):
    """Priority entries with the in-force instruments that cover them."""
    c = ctx.table("policy_coverage")
    c = c[c["action"] == "重点布局"].copy()
    if c.empty:
        return nv.Note("")
    c["region_name"] = c["region_code"].map(ctx.names())
    c["industry_name"] = c["industry_code"].map(_ind_names(ctx))
    return style_table(c, {"region_name": ("地区", "text"), "industry_name": ("产业", "text"), "levers": ("配置手段", "text"),
                           "instruments": ("现行政策工具", "text"), "n_policies": ("政策数", "int")},
                       caption="重点布局条目的政策覆盖")


def recommendation_rules() -> pd.DataFrame:
    """The two rules that turn gaps into recommendations (printed in the appendix)."""
    return pd.DataFrame([("P1", "某产业有重点布局条目无任何现行政策覆盖 → 建议在相应地区出台覆盖该产业的知识产权支持政策"),
                         ("P2", "重点布局条目的配置手段缺少对应政策工具 → 建议在相应地区补充该类政策工具")],
                        columns=["规则", "说明"])
