"""Sections of ``03_allocation/catalogue.ipynb``: the guidance catalogue by region and by industry, the rules
appendix, entries without data, and the Excel workbook written next to the stage tables."""
from __future__ import annotations

from pathlib import Path

from .. import narrative as nv
from ..allocation.workbook import catalogue_sheets, write_workbook
from ..plots.tables import style_table
from ..stages.context import ReportContext
from .allocation import _ind_names

WORKBOOK = "catalogue.xlsx"
COLUMNS = {"region_name": ("地区", "text"), "industry_name": ("产业", "text"), "action_mark": ("配置导向", "text"),
           "levers": ("配置手段", "text"), "rule_id": ("规则", "text"), "lq_output": ("产出区位商", "float2"),
           "ip_specialisation": ("专利专业化", "float2"), "growth": ("年均增速", "pct1"), "zone_name": ("功能区", "text"),
           "intensive": ("专利密集", "text")}


def _entries(ctx: ReportContext):
    c = ctx.table("catalogue").copy()
    if ctx.industry_code:
        c = c[c["industry_code"] == ctx.industry_code]
    c["industry_name"] = c["industry_code"].map(_ind_names(ctx))
    # an expert override is marked in every view: the rule's result stays visible beside it
    c["action_mark"] = [f"{a}（专家调整；规则结果：{r}）" if o else a
                        for a, r, o in zip(c["action"], c["rule_action"], c["overridden"])]
    c["intensive"] = c["ip_intensive"].map({True: "是", False: "否"}).fillna("—")
    return c


def catalogue_text(ctx: ReportContext) -> str:
    """Entry counts by action class, overrides and entries without data."""
    c = _entries(ctx)
    order = list(ctx.table("action_classes")["code"])
    counts = c["action"].value_counts()
    name = _ind_names(ctx).get(ctx.industry_code, ctx.industry_code) if ctx.industry_code else ""
    subject = name if not name or name.endswith("产业") else f"{name}产业"
    years = sorted(set(c["year"].astype(int))) if len(c) else []
    text = (f"{nv.md_escape(ctx.territory_name)}{subject}导向目录共{len(c)}个地区×产业条目"
            + (f"（产业数据年份{'、'.join(map(str, years))}年）" if years else "") + "："
            + "，".join(f"{k}{int(counts.get(k, 0))}个" for k in order) + "。")
    n_over = int(c["overridden"].sum())
    text += f"其中{n_over}个条目经专家组调整。" if n_over else "目前无专家组调整（overrides.yaml 为空）。"
    miss = ctx.table("catalogue_missing")
    if ctx.industry_code:
        miss = miss[miss["industry_code"] == ctx.industry_code]
    if len(miss):
        text += f"另有{len(miss)}个地区×产业因缺少数据未列条目（见附表），不赋予默认类别。"
    return text


def by_region_table(ctx: ReportContext):
    """Catalogue entries sorted by region (then industry)."""
    c = _entries(ctx).sort_values(["region_code", "industry_code"])
    return style_table(c, COLUMNS, caption="导向目录（按地区）", highlight_rows=c["overridden"].tolist())


def by_industry_table(ctx: ReportContext):
    """Catalogue entries by industry, priority classes first."""
    order = {k: i for i, k in enumerate(ctx.table("action_classes")["code"])}
    c = _entries(ctx)
    c = c.assign(_o=c["action"].map(order)).sort_values(["industry_code", "_o", "lq_output"], ascending=[True, True, False])
    cols = {"industry_name": ("产业", "text")} | {k: v for k, v in COLUMNS.items() if k != "industry_name"}
    return style_table(c, cols, caption="导向目录（按产业）", highlight_rows=c["overridden"].tolist())


def matrix_table(ctx: ReportContext):
    """Region × industry grid of action classes (one cell per entry, — without data)."""
    c = _entries(ctx)
    wide = c.pivot_table(index="region_code", columns="industry_name", values="action", aggfunc="first")
    wide.insert(0, "地区", wide.index.map(ctx.names()))
    cols = {"地区": ("地区", "text")} | {k: (k, "text") for k in wide.columns[1:]}
    return style_table(wide.reset_index(drop=True), cols, caption="地区 × 产业配置导向一览")


def overrides_table(ctx: ReportContext):
    """Overridden entries with the rule's result, the decision, reason, reviewer and date."""
    c = _entries(ctx)
    c = c[c["overridden"]]
    if c.empty:
        return nv.Note("无专家组调整条目。")
    return style_table(c, {"region_name": ("地区", "text"), "industry_name": ("产业", "text"),
                           "rule_action": ("规则结果", "text"), "action": ("调整后", "text"),
                           "override_reason": ("理由", "text"), "override_reviewer": ("审定", "text"),
                           "override_date": ("日期", "text")}, caption="专家组调整")


def missing_table(ctx: ReportContext):
    """Region × industry without the evidence a rule needs (no entry)."""
    m = ctx.table("catalogue_missing").copy()
    if ctx.industry_code:
        m = m[m["industry_code"] == ctx.industry_code]
    if m.empty:
        return nv.Note("所有地区×产业均有所需数据。")
    m["region_name"] = m["region_code"].map(ctx.names())
    m["industry_name"] = m["industry_code"].map(_ind_names(ctx))
    return style_table(m, {"region_name": ("地区", "text"), "industry_name": ("产业", "text"), "reason": ("原因", "text")},
                       caption="缺少数据、未列条目的地区×产业")


def rules_table(ctx: ReportContext):
    """Appendix: every rule in evaluation order with its condition and description."""
    return style_table(ctx.table("rules"), {"order": ("顺序", "int"), "rule_id": ("规则", "text"),
                                            "condition": ("条件", "text"), "action": ("配置导向", "text"),
                                            "levers": ("配置手段", "text"), "description": ("说明", "text")},
                       caption="附表：导向目录规则（按顺序判断，首条满足者生效）")


def classes_table(ctx: ReportContext):
    """Action classes and their meaning."""
    return style_table(ctx.table("action_classes"), {"code": ("配置导向", "text"), "name_en": ("英文", "text"),
                                                     "description": ("含义", "text")}, caption="配置导向类别")


def workbook_note(ctx: ReportContext) -> str:
    """Write the workbook next to the stage tables (atomically) and say where it is."""
    folder = Path(ctx.stage.path) if ctx.stage.path else None
    if folder is None:
        return "（未找到阶段结果目录，未导出工作簿；可运行 `iplayout catalogue` 导出。）"
    name = f"{ctx.industry_code}-{WORKBOOK}" if ctx.industry_code else WORKBOOK
    meta = {**ctx.stage.meta, "territory": ctx.territory, "year": ctx.year, "territory_name": ctx.territory_name}
    path = write_workbook(folder / name, catalogue_sheets(ctx.tables, meta, industry_code=ctx.industry_code))
    rel = "/".join(path.parts[-4:])
    return (f"导向目录Excel工作簿（按地区、按产业、规则、无条目、来源、说明）已写入运行目录：`{nv.md_escape(rel)}`；"
            f"也可用命令 `iplayout catalogue --territory {ctx.territory} --year {ctx.year} -o catalogue.xlsx` 导出。")
