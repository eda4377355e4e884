"""Sections of the territory overview (资源分布状况报告), the industry report and the data notes."""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import charts, maps
from ..plots.tables import style_table
from ..stages.context import ReportContext
from .survey import _src, _value_map, demo_flags

OVERVIEW = ["patent_applications", "patent_grants", "patent_grants_invention", "valid_patents_invention",
            "plant_variety_grants", "trademark_registrations", "rd_expenditure"]
MIN_MAP_COVERAGE = 0.5  # share of member regions with a value below which no choropleth is drawn
INDUSTRY_COLUMNS = {"name": ("地区", "text"), "output_value": ("营业收入/产值(亿元)", "auto"),
                    "industry_enterprises": ("企业数(个)", "int"), "industry_patent_applications": ("专利申请(件)", "int"),
                    "industry_valid_patents": ("有效发明专利(件)", "int"), "per_100m_revenue": ("每亿元收入/产值专利(件)", "float2"),
                    "per_enterprise": ("每家企业专利(件)", "float2"), "lq_output": ("收入区位熵", "float2"),
                    "lq_patents": ("专利区位熵", "float2")}


def territory_text(ctx: ReportContext) -> str:
    """Territory totals from the official territory row (全国 / 全省) and the leading region's share of it.

    Where the members' sum differs from the official row it is shown as 31省合计 (13市合计 …) with the gap and
    why: the official row also counts what no member region is credited with.
    """
    p = ctx.table("profile")
    tot = ctx.tables.get("totals")
    scope = nv.scope_word(ctx.territory)
    unit_word = "省（区、市）" if ctx.territory == "100000" else "市" if ctx.territory.endswith("0000") else "个地区"
    out = []
    for ind in ("patent_applications", "patent_grants", "valid_patents_invention"):
        v = p[p["indicator_code"] == ind].set_index("region_code")["value"].dropna()
        if not len(v):
            continue
        name, unit = nv.md_escape(ctx.indicator_name(ind)), nv.md_escape(ctx.indicator_unit(ind))
        top = ctx.names().get(v.idxmax(), v.idxmax())
        off = None
        if tot is not None and len(tot):
            row = tot[(tot["indicator_code"] == ind) & (tot["year"] == ctx.year)]
            off = float(row["official"].iloc[0]) if len(row) and pd.notna(row["official"].iloc[0]) else None
        label = f"{len(v)}{unit_word}合计"
        if off is not None:
            text = f"{ctx.year}年{scope}{name}{nv.fmt_num(off)}{unit}（{scope}合计，官方统计的{scope}数）"
            gap = off - v.sum()
            if abs(gap) >= 0.5:
                text += (f"；{label}{nv.fmt_num(v.sum())}{unit}，比{scope}数{'少' if gap > 0 else '多'}{nv.fmt_num(abs(gap))}{unit}"
                         f"（{scope}数还包括未能归入各地区的数量，故各地区之和与之不等；占比均以{scope}数为分母）")
            text += f"；{nv.md_escape(top)}最多，占{scope}的{nv.fmt_pct(v.max() / off, 2)}。"
        else:
            text = (f"{ctx.year}年{nv.md_escape(ctx.territory_name)}{label}{name}{nv.fmt_num(v.sum())}{unit}"
                    f"（无官方{scope}数，按各地区加总），{nv.md_escape(top)}最多（占{nv.fmt_pct(v.max() / v.sum(), 2)}）。")
        out.append(text)
    return "\n\n".join(out)


def territory_table(ctx: ReportContext, indicators=OVERVIEW):
    """All regions side by side on the overview indicators, ranked by the first one."""
    p = ctx.table("profile")
    p = p[p["indicator_code"].isin(indicators)]
    wide = p.pivot_table(index="region_code", columns="indicator_code", values="value", aggfunc="first")
    wide = wide[[c for c in indicators if c in wide.columns]]
    rank = wide.iloc[:, 0].rank(ascending=False, method="min") if wide.shape[1] else None
    wide = wide.assign(name=wide.index.map(ctx.names()), rank=rank).sort_values("rank").reset_index()
    cols = {"name": ("地区", "text"), "rank": (f"{ctx.indicator_name(wide.columns[1])}排名" if len(wide.columns) > 1 else "排名", "rank")}
    cols.update({c: (f"{ctx.indicator_name(c)}({ctx.indicator_unit(c)})", "int") for c in indicators if c in wide.columns})
    demo = {c: demo_flags(ctx, wide["region_code"], [c] * len(wide)) for c in indicators if c in wide.columns}
    return style_table(wide, cols, caption=f"{ctx.year}年{ctx.territory_name}各地区知识产权资源一览", demo=demo)


def territory_maps(ctx: ReportContext, indicators=(("patent_grants", "value"), ("valid_patents_invention", "per_10k_pop"),
                                                  ("trademark_registrations", "value"), ("plant_variety_grants", "value"))):
    """One choropleth per key indicator with data in the year (totals, or per 10k people for intensity); 无底图 note otherwise.

    An indicator known for fewer than :data:`MIN_MAP_COVERAGE` of the member regions gets a sentence naming the
    regions that have it instead of a map: a map of one coloured province says nothing about a distribution.
    """
    if not maps.has_boundaries(ctx.territory):
        return [maps.no_map_note(ctx.territory_name)]
    geo = maps.territory_geometry(ctx.territory, ctx.members)
    figs = []
    for ind, column in indicators:
        v = _value_map(ctx, ind, column)
        known = v.dropna()
        if known.empty:
            continue
        name = ctx.indicator_name(ind)
        if len(known) < MIN_MAP_COVERAGE * len(ctx.members):
            who = "、".join(nv.md_escape(ctx.names().get(c, c)) for c in known.sort_values(ascending=False).index)
            figs.append(maps.NoMap(f"*（{ctx.year}年{name}仅有{len(known)}个地区有数据（{who}），不足成员地区的一半，"
                                   f"不绘制分布图；数值见上表与数据覆盖表。）*"))
            continue
        per = column == "per_10k_pop"
        figs.append(maps.plot_choropleth(
            geo, v, territory=ctx.territory, labels=ctx.names(short=True),
            legend_label=f"{ctx.indicator_unit(ind)}/万人" if per else ctx.indicator_unit(ind),
            title=f"{ctx.year}年{ctx.territory_name}各地区{name}" + ("（每万人）" if per else "")))
    return figs


def concentration_trend_chart(ctx: ReportContext, measure: str = "gini"):
    """Gini (or HHI / CR3) of every key indicator over the years."""
    c = ctx.table("concentration")
    wide = c.pivot_table(index="year", columns="indicator_code", values=measure, aggfunc="first")
    wide = wide.rename(columns=ctx.indicator_name)
    label = {"gini": "基尼系数", "hhi": "HHI", "cr3": "CR3"}[measure]
    return charts.plot_trend(wide, title=f"{ctx.territory_name}各指标地区分布{label}变化", ylabel=label,
                             percent=measure == "cr3", source=_src(ctx))


def growth_text(ctx: ReportContext, indicator: str = "patent_grants") -> str:
    """Fastest and slowest growing regions over the five-year window."""
    from ..survey import leaders_laggards

    g = ctx.table("growth")
    g = g[g["indicator_code"] == indicator]
    if g.empty:
        return "近五年数据不足，无法计算增速。"
    ll = leaders_laggards(g.set_index("region_code")["cagr"], n=3)
    names = ctx.names()
    picked = {grp: [(names.get(r.region_code, r.region_code), r.cagr) for r in ll[ll.group == grp].itertuples()]
              for grp in ("leader", "laggard")}
    return nv.growth_sentence(indicator_name=ctx.indicator_name(indicator), start_year=int(g["start_year"].min()),
                              end_year=ctx.year, leaders=picked["leader"], laggards=picked["laggard"])


def growth_chart(ctx: ReportContext, indicator: str = "patent_grants"):
    """Bars of every region's five-year CAGR."""
    g = ctx.table("growth")
    g = g[g["indicator_code"] == indicator].set_index("region_code")["cagr"]
    names = ctx.names(short=True)
    return charts.plot_rank_bars(g.rename(index=names), percent=True, highlight=names.get(ctx.region_code),
                                 title=f"各地区{ctx.indicator_name(indicator)}近五年年均增速", source=_src(ctx))


def groups_table(ctx: ReportContext, indicators=("patent_grants", "valid_patents_invention", "rd_expenditure")):
    """Totals, shares and per-10k figures by region group (东部/中部/西部/东北 or 苏南/苏中/苏北)."""
    g = ctx.table("groups")
    cols = {"region_group": ("区域", "text"), "n_regions": ("地区数", "rank")}
    for ind in indicators:
        if ind in g.columns:
            name = ctx.indicator_name(ind)
            cols[ind] = (f"{name}({ctx.indicator_unit(ind)})", "int")
            cols[f"{ind}_share"] = (f"{name}占比", "pct1")
            cols[f"{ind}_per_10k_pop"] = (f"{name}每万人", "float2")
    return style_table(g, cols, caption=f"{ctx.year}年{ctx.territory_name}分区域比较")


def groups_chart(ctx: ReportContext, indicators=("patent_grants", "valid_patents_invention", "rd_expenditure",
                                                  "gdp_share")):
    """Grouped bars of each region group's share of the key indicators and of GDP."""
    g = ctx.table("groups").set_index("region_group")
    if "gdp" in g.columns:
        g["gdp_share"] = g["gdp"] / g["gdp"].sum()
    cols = [f"{i}_share" if not i.endswith("_share") else i for i in indicators]
    wide = g[[c for c in cols if c in g.columns]]
    wide = wide.rename(columns=lambda c: "地区生产总值" if c == "gdp_share" else ctx.indicator_name(c[:-6]))
    return charts.plot_grouped_bars(wide, title="各区域占比比较", ylabel="占比", percent=True, source=_src(ctx))


# --- industry -------------------------------------------------------------------------------
def _industry(ctx: ReportContext) -> pd.DataFrame:
    t = ctx.table("industry")
    t = t[t["industry_code"] == ctx.industry_code].copy()
    t["name"] = t["region_code"].map(ctx.names())
    return t


def industry_name(ctx: ReportContext) -> str:
    """Chinese name of the report's industry."""
    return ctx.extras.get("industry_names", {}).get(ctx.industry_code, ctx.industry_code or "")


def industry_text(ctx: ReportContext) -> str:
    """Industry totals and the regions with the highest patent location quotient."""
    t = _industry(ctx)
    y = int(t["year"].iloc[0])
    pat = t.set_index("region_code")["industry_patent_applications"].dropna()
    lq = t.set_index("region_code")["lq_patents"].dropna().sort_values(ascending=False)
    names = ctx.names()
    size = "营业收入" if t["output_measure"].iloc[0] == "industry_revenue" else "产值"
    text = (f"{y}年{nv.md_escape(ctx.territory_name)}{nv.md_escape(industry_name(ctx))}专利申请合计{nv.fmt_num(pat.sum())}件，"
            f"{size}合计{nv.fmt_num(t['output_value'].sum(), 1)}亿元。")
    text += nv.list_sentence("专利区位熵最高的地区", [f"{names.get(c, c)}（{v:.2f}）" for c, v in lq.head(3).items()])
    if y != ctx.year:
        text += f"（行业数据最近年份为{y}年，报告年份{ctx.year}年无该口径数据。）"
    return text


def industry_table(ctx: ReportContext):
    """Industry size, patents, IP density and location quotients by region."""
    t = _industry(ctx).sort_values("industry_patent_applications", ascending=False, na_position="last")
    cols = {k: v for k, v in INDUSTRY_COLUMNS.items() if k in t.columns and t[k].notna().any()}
    return style_table(t, cols, caption=f"{industry_name(ctx)}知识产权密度与区位熵（{int(t['year'].iloc[0])}年）")


def industry_map(ctx: ReportContext, column: str = "lq_patents"):
    """Choropleth of an industry column (default: patent location quotient)."""
    if not maps.has_boundaries(ctx.territory):
        return maps.no_map_note(ctx.territory_name)
    t = _industry(ctx)
    geo = maps.territory_geometry(ctx.territory, ctx.members)
    lq = column.startswith("lq_")
    return maps.plot_choropleth(geo, t.set_index("region_code")[column], territory=ctx.territory,
                                legend_label=INDUSTRY_COLUMNS[column][0], labels=ctx.names(short=True),
                                title=f"{int(t['year'].iloc[0])}年{industry_name(ctx)}{INDUSTRY_COLUMNS[column][0]}"
                                      + ("（1为区域平均水平）" if lq else ""),
                                cmap="RdYlBu_r" if lq else "YlGnBu", center=1.0 if lq else None)


def industry_chart(ctx: ReportContext, column: str = "per_100m_revenue"):
    """Bars of an industry column by region (default: patents per 亿元 revenue/output)."""
    t = _industry(ctx)
    return charts.plot_rank_bars(t.set_index("name")[column], source=_src(ctx),
                                 title=f"{int(t['year'].iloc[0])}年{industry_name(ctx)}{INDUSTRY_COLUMNS[column][0]}")


def industry_findings_text(ctx: ReportContext) -> str:
    """主要发现、问题与建议 of the industry report: leaders/laggards on the industry's patents, its patent location
    quotient, whether its IP follows the industrial base (patent vs output LQ), invention share and patents per
    亿元 of output (rules in :func:`iplayout.views.findings.industry_findings`)."""
    from .findings import findings_markdown, industry_findings

    t = _industry(ctx)
    f = industry_findings(t, names=ctx.names().to_dict(), industry_name=industry_name(ctx))
    return findings_markdown(f, is_demo=ctx.is_demo)


# --- data notes -----------------------------------------------------------------------------
def notes_text(ctx: ReportContext) -> str:
    """Data notes: years, missing-value handling, quality flags and the demo warning."""
    cov = ctx.table("coverage") if "coverage" in ctx.tables else pd.DataFrame()
    miss = cov[cov["missing_at_year"].astype(str) != ""] if len(cov) else cov
    first = int(cov["first_year"].median()) if len(cov) else ctx.year
    text = (f"报告年份为{ctx.year}年，时间序列自{first}年起（各指标起止年份见下表）。缺失值不做插补：表中以“—”表示，排名、占比、集中度只在有数据的地区间计算；"
            f"五年增速在起始年份缺失时改用窗口内最早年份，并在表中注明。本年度有{len(miss)}项指标存在地区缺失。")
    flagged = cov[cov["quality_flags"].astype(str) != ""] if len(cov) else cov
    if len(flagged):
        text += nv.list_sentence("带质量标记（约数、下限、待核实等）的指标", [str(n) for n in flagged["name"]])
    if ctx.is_demo:
        text += "\n\n" + nv.DEMO_NOTE
    return text


def sources_table(ctx: ReportContext):
    """Data packages behind the report, with original source, years and demo flag."""
    s = ctx.report_packages().copy()
    s["demo"] = s["is_demo"].map({True: "是（演示）", False: "否"})
    return style_table(s, {"title": ("数据包", "text"), "publisher": ("发布机构", "text"), "original_source": ("原始来源", "text"),
                           "years": ("年份", "text"), "demo": ("演示数据", "text")},
                       caption=f"数据来源（{len(s)}个数据包；各数值的逐条出处见运行记录 manifest.json）")


#: Chinese names of the observations' quality flags (docs/architecture.md, ``quality_flag``)
FLAG_ZH = {"about": "约数", "lower_bound": "下限", "verify": "待核实", "secondary": "二手转录", "provisional": "初步数",
           "unit_label_fixed": "单位标注已更正"}


def flags_zh(flags: str) -> str:
    """"about,verify" → "约数、待核实" (unknown flags are kept, so nothing is hidden)."""
    parts = [f for f in str(flags).replace(";", ",").split(",") if f]
    return "、".join(FLAG_ZH.get(f, f) for f in parts)


def coverage_table(ctx: ReportContext):
    """Per indicator: years covered, regions reporting in the report year, missing regions, quality flags."""
    c = ctx.table("coverage").copy()
    n_all = len(ctx.members)
    c["missing_names"] = ["全部地区" if len([x for x in str(m).split(",") if x]) == n_all else
                          "、".join(ctx.names().get(x, x) for x in str(m).split(",") if x) for m in c["missing_at_year"]]
    c["quality_flags"] = c["quality_flags"].map(flags_zh)
    return style_table(c, {"name": ("指标", "text"), "unit": ("单位", "text"), "first_year": ("起始年", "rank"),
                           "last_year": ("截止年", "rank"), "n_regions_at_year": (f"{ctx.year}年有数据地区数", "rank"),
                           "missing_names": (f"{ctx.year}年缺失地区", "text"), "quality_flags": ("质量标记", "text")},
                       caption="指标覆盖与缺失情况")
