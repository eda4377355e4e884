"""Sections of the 02_evaluation notebooks (territory report and per-region scorecard).

Each function takes a :class:`ReportContext` on the evaluation stage and returns Markdown text, a styled
table or a figure; the numbers come from the evaluation engine's tables stored in the stage.
"""
from __future__ import annotations

from .. import narrative as nv
from ..plots import charts, interactive, maps
from ..plots.tables import style_table
from ..stages.context import ReportContext
from ..stages.international import COMPARABLE as INTL_COLUMNS
from ..territories import CHINA
from .common import sources_table

INTL_DEMO_NOTE = ("> **⚠ 国际比较含演示（合成）数据**：各国数值由种子生成，仅用于展示流程，"
                  "不代表任何国家的真实统计，不得引用。")

METHOD_NAMES = {"entropy": "熵权法", "critic": "CRITIC", "equal": "等权", "pca": "主成分", "ahp": "层次分析",
                "combined": "组合赋权", "cv": "变异系数"}
TYPE_NAMES = {"benefit": "正向", "cost": "逆向", "middle": "适度", "interval": "区间"}


def _ind_name(ctx, code: str) -> str:
    ind = ctx.table("indicators").set_index("code")
    return str(ind["name"].get(code, code))


def _sub_name(ctx, code: str) -> str:
    sub = ctx.table("subsystems").set_index("code")
    return str(sub["name"].get(code, code))


def _src(ctx) -> str:
    return f"数据来源：{'；'.join(ctx.table('packages')['title'].astype(str))}" + ("（含演示数据）" if ctx.is_demo else "")


def indicator_table(ctx: ReportContext):
    """Indicator system: subsystem, indicator, direction, unit and global weight under every weighting method."""
    t = ctx.table("indicators").copy()
    t["sub"] = t["subsystem"].map(lambda c: _sub_name(ctx, c))
    t["dir"] = t["type"].map(TYPE_NAMES)
    cols = {"sub": ("子系统", "text"), "name": ("指标", "text"), "dir": ("方向", "text"), "unit": ("单位", "text")}
    cols.update({m: (f"权重：{METHOD_NAMES.get(m, m)}", "float3") for m in METHOD_NAMES if m in t.columns})
    return style_table(t, cols, caption="评价指标体系与各方法权重（全局权重）")


def weights_chart(ctx: ReportContext):
    """Grouped bars of each indicator's global weight by weighting method."""
    t = ctx.table("indicators").set_index("name")
    wide = t[[m for m in METHOD_NAMES if m in t.columns]].rename(columns=METHOD_NAMES)
    return charts.plot_grouped_bars(wide, title="不同赋权方法的指标权重比较", ylabel="全局权重", horizontal=True,
                                    source=_src(ctx))


def scores_text(ctx: ReportContext) -> str:
    """Top five regions and, for a region report, its score, rank and 5–95 % rank interval."""
    s = ctx.table("scores").sort_values("rank")
    top = "、".join(nv.md_escape(n) for n in s["region_name"].head(5))
    text = f"{ctx.year}年{nv.md_escape(ctx.territory_name)}{len(s)}个地区综合得分前五位为：{top}。"
    if ctx.region_code:
        r = s.set_index("region_code").loc[ctx.region_code]
        text += nv.rank_sentence(region_name=ctx.region_name, score=r["score"], rank=r["rank"], n=len(s),
                                 p05=r.get("rank_p05"), p95=r.get("rank_p95"), territory=ctx.territory)
    return text


def scores_table(ctx: ReportContext):
    """Scores, ranks with intervals, subsystem scores, coupling coordination, class, lagging subsystem, DEA."""
    s = ctx.table("scores").sort_values("rank").copy()
    s["lag"] = s["lagging"].map(lambda c: _sub_name(ctx, c))
    cols = {"region_name": ("地区", "text"), "score": ("综合得分", "float2"), "rank": ("排名", "rank"),
            "rank_p05": ("排名5%分位", "rank"), "rank_p95": ("排名95%分位", "rank"),
            "U_ip": ("知识产权", "float3"), "U_innovation": ("创新能力", "float3"), "U_industry": ("产业基础", "float3"),
            "U_economy": ("经济基础", "float3"),
            "D": ("耦合协调度D", "float3"), "class": ("协调等级", "text"), "lag": ("滞后子系统", "text"),
            "relative": ("知识产权相对发展", "text"), "dea_efficiency": ("DEA效率", "float3")}
    return style_table(s, cols, caption=f"{ctx.year}年综合评价得分、排名与耦合协调度",
                       highlight_rows=(s["region_code"] == ctx.region_code).tolist())


def rank_interval_chart(ctx: ReportContext):
    """Dot-and-whisker chart of ranks with the Monte Carlo 5–95 % interval."""
    s = ctx.table("scores").copy()
    s["label"] = s["region_code"].map(ctx.names(short=True))
    return charts.plot_rank_intervals(s.set_index("label"), title="综合排名及其5%–95%不确定区间",
                                      highlight=ctx.names(short=True).get(ctx.region_code), source=_src(ctx))


def rank_shift_chart(ctx: ReportContext):
    """Heatmap of each region's rank under each weighting method (base method first)."""
    mr = ctx.table("method_ranks").set_index("region_code")
    mr.index = mr.index.map(ctx.names(short=True))
    mr = mr.rename(columns=METHOD_NAMES)
    base = METHOD_NAMES["entropy"] if METHOD_NAMES["entropy"] in mr.columns else mr.columns[0]
    mr = mr[[base] + [c for c in mr.columns if c != base]].sort_values(base)
    return charts.plot_heatmap(mr, title="不同赋权方法下的排名（加权求和）", fmt="{:.0f}", cmap="YlGnBu_r",
                               source=_src(ctx))


def rank_shift_text(ctx: ReportContext) -> str:
    """Which regions move most when the weighting method changes (range of ranks across methods)."""
    mr = ctx.table("method_ranks").set_index("region_code")
    spread = (mr.max(axis=1) - mr.min(axis=1)).sort_values(ascending=False, kind="mergesort")
    moved = spread[spread >= 2]
    names = ctx.names()
    text = (f"在{len(mr.columns)}种赋权方法（{'、'.join(METHOD_NAMES.get(m, m) for m in mr.columns)}）下，"
            f"{len(mr) - len(moved)}个地区排名变动不超过1位；")
    text += (nv.list_sentence("排名变动2位及以上的地区", [f"{names.get(c, c)}（{int(mr.loc[c].min())}—{int(mr.loc[c].max())}位）"
                                                    for c in moved.index]) if len(moved) else "各地区排名基本稳定。")
    return text


def coupling_text(ctx: ReportContext) -> str:
    """Range and classes of D, lagging subsystems, IP-vs-innovation relative development and the D trend."""
    s = ctx.table("scores")
    # classes in order of coordination (highest mean D first), not by frequency
    cls = s.groupby("class")["D"].agg(["size", "mean"]).sort_values("mean", ascending=False)["size"]
    lag = s["lagging"].map(lambda c: _sub_name(ctx, c)).value_counts()
    text = (f"{ctx.year}年各地区知识产权—创新能力—产业基础耦合协调度D介于{nv.fmt_num(s['D'].min(), 3)}—"
            f"{nv.fmt_num(s['D'].max(), 3)}；" + "，".join(f"{nv.md_escape(k)}{v}个" for k, v in cls.items()) + "。")
    text += "滞后子系统分布：" + "，".join(f"{nv.md_escape(k)}{v}个" for k, v in lag.items()) + "。"
    if "relative" in s.columns:
        rel = s["relative"].value_counts()
        text += "知识产权相对创新能力的发展状态：" + "，".join(f"{nv.md_escape(k)}{v}个" for k, v in rel.items()) + "。"
    t = ctx.table("trend")
    if len(t):
        first = int(t["year"].min())
        med = t.groupby("year")["D"].median()
        text += (f"区域D中位数由{first}年的{nv.fmt_num(med.iloc[0], 3)}变为{int(med.index[-1])}年的{nv.fmt_num(med.iloc[-1], 3)}"
                 + (f"（时间序列自{first}年起：此前年份部分评价指标无数据，不作插补）。" if first > 2010 else "。"))
    if ctx.region_code:
        r = s.set_index("region_code").loc[ctx.region_code]
        text += (f"{nv.md_escape(ctx.region_name)}D={nv.fmt_num(r['D'], 3)}，属{nv.md_escape(r['class'])}，"
                 f"滞后子系统为{nv.md_escape(_sub_name(ctx, r['lagging']))}。")
    return text


def coupling_map(ctx: ReportContext):
    """Choropleth of the coupling coordination degree D."""
    if not maps.has_boundaries(ctx.territory):  # e.g. the world territory WLD: say so instead of failing
        return maps.no_map_note(ctx.territory_name)
    s = ctx.table("scores").set_index("region_code")["D"]
    geo = maps.territory_geometry(ctx.territory, ctx.members)
    return maps.plot_choropleth(geo, s, territory=ctx.territory, title=f"{ctx.year}年{ctx.territory_name}各地区耦合协调度D", legend_label="D",
                                highlight=ctx.region_code, labels=ctx.names(short=True), cmap="RdYlGn")


def coupling_interactive_map(ctx: ReportContext) -> list:
    """Interactive (HTML-only) map of D, as a list to ``display(*…)``; empty without a boundary file."""
    if not maps.has_boundaries(ctx.territory):
        return []
    s = ctx.table("scores").set_index("region_code")["D"]
    return [interactive.interactive_map(
        s, **interactive.territory_boundary(ctx.territory), title=f"{ctx.year}年{ctx.territory_name}各地区耦合协调度D",
        unit="", highlight=ctx.region_code, labels=ctx.names(), short_labels=ctx.names(short=True), cmap="RdYlGn",
        source=_src(ctx))]


def coupling_trend_chart(ctx: ReportContext):
    """Median / min / max of D by year (and the region's own line in a region report)."""
    t = ctx.table("trend")
    if t.empty:  # fewer than two complete years: the text says so, no empty chart
        return None
    wide = t.groupby("year")["D"].agg(["median", "min", "max"]).rename(columns={"median": "中位数", "min": "最小值", "max": "最大值"})
    if ctx.region_code:
        wide[ctx.region_name] = t[t["region_code"] == ctx.region_code].set_index("year")["D"]
    return charts.plot_trend(wide, title=f"{ctx.territory_name}耦合协调度D变化（{int(wide.index.min())}—{int(wide.index.max())}年）",
                             ylabel="D",
                             highlight=ctx.region_name if ctx.region_code else None, source=_src(ctx))


def class_table(ctx: ReportContext):
    """Coordination classes with their member regions, best class first."""
    s = ctx.table("scores")
    g = s.groupby("class", sort=False).agg(n=("region_code", "size"), members=("region_name", lambda x: "、".join(x)),
                                           D=("D", "mean")).sort_values("D", ascending=False).reset_index()
    return style_table(g, {"class": ("协调等级", "text"), "n": ("地区数", "rank"), "D": ("平均D", "float3"),
                           "members": ("地区", "text")}, caption="耦合协调等级分布")


def dea_text(ctx: ReportContext) -> str:
    """Regions on the DEA efficient frontier and, for a region report, its efficiency and benchmark peers."""
    d = ctx.table("dea")
    eff = d[d["efficient"].astype(str).isin(["True", "true", "1"])]["region_code"].map(ctx.names()).tolist()
    terms = ctx.tables.get("dea_terms")
    ins = "、".join(terms[terms["role"] == "input"]["name"]) if terms is not None else ""
    outs = "、".join(terms[terms["role"] == "output"]["name"]) if terms is not None else ""
    text = nv.list_sentence(f"知识产权布局效率（DEA，以{ins}为投入、{outs}为产出）位于有效前沿的地区", eff)
    if ctx.region_code:
        r = d.set_index("region_code").loc[ctx.region_code]
        peers = [ctx.names().get(p, p) for p in str(r["peers"]).split(";") if p]
        text += f"{nv.md_escape(ctx.region_name)}效率值为{nv.fmt_num(r['efficiency'], 3)}" + (
            "。" if float(r["efficiency"]) >= 0.999 else "，参照标杆：" + "、".join(nv.md_escape(p) for p in peers) + "。")
    return text


def dea_chart(ctx: ReportContext):
    """Bars of DEA efficiency by region."""
    d = ctx.table("dea").set_index("region_code")["efficiency"]
    names = ctx.names(short=True)
    return charts.plot_rank_bars(d.rename(index=names), title="DEA效率（CCR，投入导向）", highlight=names.get(ctx.region_code),
                                 source=_src(ctx))


# --- per region scorecard ---------------------------------------------------------------------
def scorecard_text(ctx: ReportContext) -> str:
    """Strengths, weaknesses (vs the territory median, normalised) and nearest structural peers of the region."""
    sc = ctx.table("scorecard")
    sc = sc[sc["region_code"] == ctx.region_code]
    st = [_ind_name(ctx, c) for c in sc[sc["kind"] == "strength"]["indicator_code"]]
    wk = [_ind_name(ctx, c) for c in sc[sc["kind"] == "weakness"]["indicator_code"]]
    pr = ctx.table("peers")
    pr = pr[pr["region_code"] == ctx.region_code].sort_values("rank")
    return (nv.list_sentence(f"{ctx.region_name}的优势指标（标准化值高于区域中位数最多）", st) + "\n\n"
            + nv.list_sentence("短板指标（低于区域中位数最多）", wk) + "\n\n"
            + nv.list_sentence("结构最相近的地区", [ctx.names().get(c, c) for c in pr["peer_code"]]))


def scorecard_table(ctx: ReportContext):
    """The region's strengths and weaknesses with normalised value, territory median and deviation."""
    sc = ctx.table("scorecard")
    sc = sc[sc["region_code"] == ctx.region_code].copy()
    sc["name"] = sc["indicator_code"].map(lambda c: _ind_name(ctx, c))
    sc["kind_zh"] = sc["kind"].map({"strength": "优势", "weakness": "短板"})
    return style_table(sc, {"kind_zh": ("类型", "text"), "name": ("指标", "text"), "normalised": ("标准化值", "float3"),
                            "median_normalised": ("区域中位数", "float3"), "deviation": ("差值", "float3")},
                       caption="优势与短板指标（标准化值）")


def obstacle_table(ctx: ReportContext, top: int = 5):
    """The region's largest obstacle degrees (indicator level)."""
    ob = ctx.table("obstacles")
    ob = ob[(ob["region_code"] == ctx.region_code) & (ob["level"] == "indicator")].nlargest(top, "obstacle").copy()
    ob["name"] = ob["code"].map(lambda c: _ind_name(ctx, c))
    return style_table(ob, {"name": ("指标", "text"), "obstacle": ("障碍度", "pct1")}, caption=f"主要障碍因子（前{top}位）")


def obstacle_chart(ctx: ReportContext):
    """Bars of the region's obstacle degree for every indicator."""
    ob = ctx.table("obstacles")
    ob = ob[(ob["region_code"] == ctx.region_code) & (ob["level"] == "indicator")].copy()
    v = ob.set_index(ob["code"].map(lambda c: _ind_name(ctx, c)))["obstacle"]
    return charts.plot_rank_bars(v, title=f"{ctx.region_name}各指标障碍度", percent=True, source=_src(ctx))


def comparison_note(ctx: ReportContext) -> str:
    """Scope of the comparison; the international comparison when country data was imported, else how to import it."""
    text = (f"本节以{nv.md_escape(ctx.territory_name)}全部{len(ctx.members)}个地区为比较对象"
            + (f"，{nv.md_escape(ctx.region_name)}与其余{len(ctx.members) - 1}个地区并列比较。" if ctx.region_code else "。"))
    intl = ctx.tables.get("international")
    if intl is None or intl.empty:
        return text + ("国际比较需要各国同口径数据，本数据包不含。将各国数据按 `data/templates/international_template.xlsx`"
                       "（国家用 ISO 3166-1 三字母代码如 USA、JPN，或中英文国名）以“国家为地区”导入数据库"
                       "（`iplayout db import`）后重新运行本报告，本节即给出中国与各经济体的可比指标对比；"
                       "以世界（WLD）为地域运行评价报告可得到各国综合评价。")
    peers = intl.loc[intl["region_code"] != CHINA, "region_name"].drop_duplicates()
    years = sorted(intl["year"].unique())
    text += (f"\n\n**国际比较**：中国与已导入数据的{len(peers)}个经济体（{'、'.join(nv.md_escape(n) for n in peers)}）"
             f"在可比指标上的对比，数据年份为{ctx.year}年" + (f"或此前最近年份（{years[0]}—{years[-1]}年）" if len(years) > 1 else "")
             + "。强度指标按每万人口计算；GDP 以现价美元计，不与人民币口径混用。")
    key = intl[intl["indicator_code"] == "patent_applications_invention_per_10k_pop"]
    if len(key) > 1 and (key["region_code"] == CHINA).any():
        rank = int(key["value"].rank(ascending=False, method="min")[key["region_code"] == CHINA].iloc[0])
        text += f"中国每万人发明专利申请量在{len(key)}个经济体中居第{rank}位。"
    if intl["is_demo"].any():
        text += "\n\n" + INTL_DEMO_NOTE
    src = ctx.tables.get("international_sources")
    if src is not None and len(src):
        text += "\n\n国际比较数据来源：" + "；".join(nv.md_escape(t) + ("（演示）" if d else "")
                                             for t, d in zip(src["title"].astype(str), src["is_demo"].astype(bool))) + "。"
    return text


def international_outputs(ctx: ReportContext) -> list:
    """Table and chart of the international comparison; an empty list when no country data was imported.

    Used as ``display(*ev.international_outputs(ctx))`` so a report without imports shows only the sentence.
    """
    return [x for x in (international_table(ctx), international_chart(ctx)) if x is not None]


def international_table(ctx: ReportContext):
    """China and the imported peer economies on the comparable indicators (China first, shaded); None without imports."""
    intl = ctx.tables.get("international")
    if intl is None or intl.empty:
        return None
    wide = intl.pivot_table(index=["region_code", "region_name"], columns="indicator_code", values="value",
                            aggfunc="first").reset_index()
    wide = wide.assign(_c=wide["region_code"].ne(CHINA)).sort_values(["_c", "region_code"]).reset_index(drop=True)
    yrs = intl.groupby("region_code")["year"].agg(lambda y: f"{y.min()}" if y.min() == y.max() else f"{y.min()}—{y.max()}")
    wide["years"] = wide["region_code"].map(yrs)
    cols = {"region_name": ("国家/经济体", "text")}
    for code, name, unit, _ in INTL_COLUMNS:
        if code in wide.columns:
            cols[code] = (f"{name}（{unit}）", "float2" if unit not in ("件", "亿美元") else "int")
    cols["years"] = ("年份", "text")
    cap = f"国际比较：中国与各经济体可比指标（{ctx.year}年或此前最近年份）" + ("（含演示数据）" if intl["is_demo"].any() else "")
    return style_table(wide, cols, caption=cap, highlight_rows=(wide["region_code"] == CHINA).tolist())


def international_chart(ctx: ReportContext):
    """Bars of invention patent applications per 10,000 residents, China highlighted (None without imports)."""
    intl = ctx.tables.get("international")
    if intl is None or intl.empty:
        return None
    v = intl[intl["indicator_code"] == "patent_applications_invention_per_10k_pop"].set_index("region_name")["value"]
    if len(v) < 2:
        return None
    src = ctx.tables.get("international_sources")
    note = "数据来源：" + "；".join(src["title"].astype(str)) if src is not None and len(src) else None
    if intl["is_demo"].any():
        note = (note or "数据来源：") + "（含演示数据）"
    return charts.plot_rank_bars(v, title="每万人发明专利申请量：中国与各经济体", xlabel="件/万人",
                                 highlight="中国", source=note)


def notes_text(ctx: ReportContext) -> str:
    """Data notes: years, missing-value handling, quality flags and the demo warning."""
    spec = ctx.stage.meta.get("spec", {})
    text = (f"评价规范文件：{nv.md_escape(ctx.stage.meta.get('spec_file', ''))}；缺失值处理：{nv.md_escape(spec.get('missing', ''))}"
            f"（逐格记录）；标准化：{nv.md_escape(spec.get('normalise', {}).get('method', ''))}；"
            f"主赋权方法：{nv.md_escape(METHOD_NAMES.get(spec.get('weights', {}).get('method', ''), ''))}；"
            f"不确定性分析：{spec.get('uncertainty', {}).get('reps', '—')}次蒙特卡洛模拟（随机种子{spec.get('uncertainty', {}).get('seed', '—')}）。")
    if ctx.is_demo:
        text += "\n\n" + nv.DEMO_NOTE
    return text


def packages_table(ctx: ReportContext):
    """Data packages behind the report (the same table as the survey reports' data notes)."""
    return sources_table(ctx)