"""Sections of the 02_evaluation notebooks (territory report and per-region scorecard).

Each function takes a :class:`ReportContext` on the evaluation stage and returns Markdown text, a styled
table or a figure; the numbers come from the evaluation engine's tables stored in the stage.
"""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import charts, interactive, maps
from ..plots.tables import style_table
from ..stages.context import ReportContext
from ..stages.international import COMPARABLE as INTL_COLUMNS, REAL as INTL_REAL
from ..territories import CHINA
from .common import sources_table

INTL_DEMO_NOTE = ("> **⚠ 国际比较含演示（合成）数据**：各国数值由种子生成，仅用于展示流程，"
                  "不代表任何国家的真实统计，不得引用。")

#: Chinese names of the spec's conventions (reader-facing text never shows a slug such as eps_shrink)
NORMALISE_ZH = {"minmax": "极差标准化（min–max）", "eps_shrink": "极差标准化并压缩至[ε, 1−ε]（ε平移）",
                "minmax_range": "极差标准化至指定区间", "zscore": "Z分数标准化", "goalposts": "目标值（门槛值）标准化",
                "sum": "比重标准化", "none": "不标准化"}
MISSING_ZH = {"error": "不允许缺失", "drop_unit": "剔除有缺失的地区", "impute_median": "以中位数插补",
              "interpolate_median": "先在本地区相邻年份间线性插值，其余以中位数插补"}
POOL_ZH = {"panel": "面板整体（全部评价年份合并）", "year": "逐年"}
DEA_MODEL_ZH = {"ccr": "CCR（规模报酬不变）", "bcc": "BCC（规模报酬可变）"}
DEA_ORIENT_ZH = {"input": "投入导向", "output": "产出导向"}
#: Named peers compared on every subsystem in 区域比较 (a region report of another province uses its group).
DEFAULT_PEERS = {"320000": ["440000", "330000", "370000", "310000"]}

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
    if "justification" in t.columns and t["justification"].astype(str).str.strip().ne("").any():
        cols["justification"] = ("列入该子系统的理由", "text")
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


def _dea_spec(ctx) -> dict:
    return ctx.stage.meta.get("spec", {}).get("dea") or {}


def dea_title(ctx) -> str:
    """Chart title from the spec's DEA model and orientation, e.g. "DEA效率（BCC（规模报酬可变），投入导向）"."""
    d = _dea_spec(ctx)
    return (f"DEA效率（{DEA_MODEL_ZH.get(d.get('model'), d.get('model', ''))}，"
            f"{DEA_ORIENT_ZH.get(d.get('orientation'), d.get('orientation', ''))}）")


def dea_text(ctx: ReportContext) -> str:
    """Frontier regions under the spec's model, CCR vs BCC with scale efficiency, and the region's own values."""
    d = ctx.table("dea")
    eff = d[d["efficient"].astype(str).isin(["True", "true", "1"])]["region_code"].map(ctx.names()).tolist()
    terms = ctx.tables.get("dea_terms")
    ins = "、".join(terms[terms["role"] == "input"]["name"]) if terms is not None else ""
    outs = "、".join(terms[terms["role"] == "output"]["name"]) if terms is not None else ""
    spec = _dea_spec(ctx)
    model = DEA_MODEL_ZH.get(spec.get("model"), spec.get("model", ""))
    text = nv.list_sentence(f"知识产权布局效率（DEA {model}，{DEA_ORIENT_ZH.get(spec.get('orientation'), '')}，"
                            f"以{ins}为投入、{outs}为产出）位于有效前沿的地区", eff)
    m = ctx.tables.get("dea_models")
    if m is not None and len(m):
        m = m.set_index("region_code")
        names = ctx.names()
        n_ccr, n_bcc = int((m["ccr"] >= 0.999).sum()), int((m["bcc"] >= 0.999).sum())
        low_se = m["se"].nsmallest(3)
        text += (f"\n\n综合技术效率（CCR）有效的地区{n_ccr}个，纯技术效率（BCC）有效的地区{n_bcc}个。规模效率SE = CCR/BCC："
                 "SE = 1 表示规模适当；SE < 1 表示CCR下的无效率部分来自规模而非投入使用本身——BCC只与规模相近的地区比较，"
                 "因此小地区在BCC下容易显得有效。规模效率最低的地区："
                 + "、".join(f"{nv.md_escape(names.get(c, c))}（SE={nv.fmt_num(v, 3)}）" for c, v in low_se.items()) + "。")
    if ctx.region_code:
        r = d.set_index("region_code").loc[ctx.region_code]
        peers = [ctx.names().get(p, p) for p in str(r["peers"]).split(";") if p]
        text += f"\n\n{nv.md_escape(ctx.region_name)}效率值为{nv.fmt_num(r['efficiency'], 3)}" + (
            "" if float(r["efficiency"]) >= 0.999 else "，参照标杆：" + "、".join(nv.md_escape(p) for p in peers))
        if m is not None and ctx.region_code in m.index:
            mr = m.loc[ctx.region_code]
            text += (f"；CCR {nv.fmt_num(mr['ccr'], 3)}，BCC {nv.fmt_num(mr['bcc'], 3)}，规模效率 {nv.fmt_num(mr['se'], 3)}")
        text += "。"
    return text


def dea_table(ctx: ReportContext):
    """CCR and BCC efficiency side by side with scale efficiency SE = CCR/BCC."""
    m = ctx.tables.get("dea_models")
    if m is None or m.empty:
        return None
    m = m.assign(name=m["region_code"].map(ctx.names())).sort_values("ccr", ascending=False)
    return style_table(m, {"name": ("地区", "text"), "ccr": ("综合技术效率（CCR）", "float3"),
                           "bcc": ("纯技术效率（BCC）", "float3"), "se": ("规模效率SE=CCR/BCC", "float3")},
                       caption="DEA效率：CCR与BCC比较", highlight_rows=(m["region_code"] == ctx.region_code).tolist())


def dea_chart(ctx: ReportContext):
    """Bars of DEA efficiency by region under the spec's model (title from the spec)."""
    d = ctx.table("dea").set_index("region_code")["efficiency"]
    names = ctx.names(short=True)
    return charts.plot_rank_bars(d.rename(index=names), title=dea_title(ctx), highlight=names.get(ctx.region_code),
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
    ob = ctx.table("obstacles")
    ob = ob[(ob["region_code"] == ctx.region_code) & (ob["level"] == "indicator")].nlargest(2, "obstacle")
    weakest = "、".join(f"{_ind_name(ctx, c)}（障碍度{nv.fmt_pct(v)}）" for c, v in zip(ob["code"], ob["obstacle"]))
    s = ctx.table("scores").set_index("region_code")
    lag = _sub_name(ctx, s.loc[ctx.region_code, "lagging"]) if "lagging" in s.columns else ""
    weak = (nv.list_sentence("短板指标（低于区域中位数最多）", wk) if wk else
            nv.md_escape(f"短板指标：没有低于区域中位数的指标；相对最弱、障碍度最大的是{weakest}"
                         + (f"，滞后子系统为{lag}" if lag else "") + "。"))
    return (nv.list_sentence(f"{ctx.region_name}的优势指标（标准化值高于区域中位数最多）", st) + "\n\n"
            + weak + "\n\n"
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


def peer_codes(ctx: ReportContext, peers=None) -> list[str]:
    """Named peers of the report's region: ``peers`` if given, :data:`DEFAULT_PEERS`, else its group's members."""
    codes = set(ctx.members["code"].astype(str))
    focus = ctx.region_code
    if peers is None and focus:
        peers = DEFAULT_PEERS.get(focus)
        if peers is None and "region_group" in ctx.members.columns:
            m = ctx.members.set_index("code")
            grp = m.loc[focus, "region_group"]
            peers = [c for c in m.index[m["region_group"] == grp] if c != focus][:4]
    return [p for p in (peers or []) if p in codes and p != focus]


def comparison_note(ctx: ReportContext) -> str:
    """Scope of the comparison: the region against its group and named peers on every subsystem."""
    text = f"本节以{nv.md_escape(ctx.territory_name)}全部{len(ctx.members)}个地区为比较对象。"
    if ctx.region_code:
        s = ctx.table("scores").set_index("region_code")
        m = ctx.members.set_index("code")
        grp = m.loc[ctx.region_code, "region_group"] if "region_group" in m.columns else None
        peers = peer_codes(ctx)
        u = [c for c in s.columns if c.startswith("U_")]
        parts = []
        for c in u:
            mine = s.loc[ctx.region_code, c]
            g = s.loc[m.index[m["region_group"] == grp].intersection(s.index), c].mean() if grp else float("nan")
            best = max(peers, key=lambda p: s.loc[p, c]) if peers else None
            parts.append(f"{nv.md_escape(_sub_name(ctx, c[2:]))}{nv.fmt_num(mine, 3)}（{nv.md_escape(str(grp))}平均"
                         f"{nv.fmt_num(g, 3)}" + (f"，对比地区中最高为{nv.md_escape(ctx.names().get(best, best))}"
                                                  f"{nv.fmt_num(s.loc[best, c], 3)}" if best else "") + "）")
        text += (f"{nv.md_escape(ctx.region_name)}与所在{nv.md_escape(str(grp))}地区平均及对比地区"
                 f"（{'、'.join(nv.md_escape(ctx.names().get(p, p)) for p in peers) or '无'}）逐子系统比较："
                 + "；".join(parts) + "。")
    return text


def peers_table(ctx: ReportContext, peers=None):
    """The region, its group average and the named peers on every subsystem score, D and the composite score."""
    if not ctx.region_code:
        return None
    s = ctx.table("scores").set_index("region_code")
    m = ctx.members.set_index("code")
    cols = [c for c in s.columns if c.startswith("U_")] + [c for c in ("D", "score", "rank") if c in s.columns]
    rows = [s.loc[[ctx.region_code], cols].assign(name=ctx.region_name)]
    if "region_group" in m.columns:
        grp = m.loc[ctx.region_code, "region_group"]
        members = m.index[m["region_group"] == grp].intersection(s.index)
        rows.append(s.loc[members, cols].mean().to_frame().T.assign(name=f"{grp}平均（{len(members)}个地区）", rank=None))
    rows.append(s.loc[peer_codes(ctx, peers), cols].assign(name=lambda d: d.index.map(ctx.names())))
    t = pd.concat(rows).reset_index(drop=True)
    labels = {"name": ("地区", "text")}
    labels.update({c: (_sub_name(ctx, c[2:]), "float3") for c in cols if c.startswith("U_")})
    labels.update({"D": ("耦合协调度D", "float3"), "score": ("综合得分", "float1"), "rank": ("排名", "rank")})
    return style_table(t, labels, caption=f"{ctx.year}年{ctx.region_name}与所在区域及对比地区逐子系统比较",
                       highlight_rows=[i == 0 for i in range(len(t))])


def international_text(ctx: ReportContext) -> str:
    """国内外比对: China's rank among the core IP economies on each real benchmark, and the province placed."""
    intl = ctx.tables.get("international")
    if intl is None or intl.empty:
        return ("国际比较需要各国同口径数据：本数据库未载入国际基准数据包（data/international）。可按 "
                "`data/templates/international_template.xlsx` 导入各国数据（`iplayout db import`）后重新运行。")
    real = [c for c, *_ in INTL_REAL]
    china = intl[(intl["region_code"] == CHINA) & intl["indicator_code"].isin(real)]
    n = intl["region_code"].nunique()
    years = sorted(intl["year"].unique())
    parts = [f"{nv.md_escape(r.indicator_name)}{nv.fmt_num(r.value, 2 if r.value < 100 else 0)}{nv.md_escape(r.unit)}"
             f"（{int(r.year)}年，居第{int(r.rank)}位/{int(r.n)}）" for r in china.itertuples()]
    text = (f"**国内外比对**：中国与{n - 1}个主要知识产权经济体（美国、日本、韩国、德国等，共{n}个经济体）在可比指标上的位置，"
            f"数据为{ctx.year}年或此前最近年份（{years[0]}—{years[-1]}年）。中国：" + "；".join(parts) + "。"
            "专利指标为发明专利（WIPO按申请人来源统计，含向国外的申请），不含实用新型和外观设计，"
            "因此不能与国家知识产权局“专利”合计数（含实用新型、外观设计）相比。")
    pl = ctx.tables.get("international_provinces")
    if pl is not None and len(pl):
        focus = ctx.region_code if ctx.region_code in set(pl["region_code"]) else (
            ctx.territory if ctx.territory in set(pl["region_code"]) else "320000")
        mine = pl[pl["region_code"] == focus]
        if len(mine):
            name = nv.md_escape(ctx.names().get(focus, mine["region_name"].iloc[0]) if focus in set(ctx.members["code"])
                                else mine["region_name"].iloc[0])
            text += (f"\n\n{name}置于上述经济体之中（仅限可比的发明专利与R&D投入指标）：" + "；".join(
                f"{nv.md_escape(r.note)} {nv.fmt_num(r.value, 2 if r.value < 100 else 0)}"
                f"（{int(r.year)}年），相当于第{int(r.rank_among)}位/{int(r.n) + 1}" for r in mine.itertuples()) + "。"
                "省级发明专利为国家知识产权局受理的国内发明专利申请，口径最接近WIPO的按来源统计。")
    src = ctx.tables.get("international_sources")
    if src is not None and len(src):
        text += "\n\n国际比较数据来源：World Bank, World Development Indicators（CC BY 4.0）；WIPO Statistics Database。"
    if intl["is_demo"].any():
        text += "\n\n" + INTL_DEMO_NOTE
    return text


def international_outputs(ctx: ReportContext) -> list:
    """Table and chart of the international comparison; an empty list without country data.

    Used as ``display(*ev.international_outputs(ctx))``.
    """
    return [x for x in (international_table(ctx), international_chart(ctx)) if x is not None]


#: short, distinct headers of the rank columns beside each real benchmark
RANK_LABELS = {"patent_applications_origin_per_million": "专利位次", "rd_intensity_wdi": "R&D强度位次",
               "researchers_per_million": "研究人员位次", "ip_receipts_usd": "使用费位次",
               "hightech_exports_share": "高技术出口位次"}


def international_table(ctx: ReportContext):
    """China and the core IP economies on the real benchmarks with ranks (China first, shaded)."""
    intl = ctx.tables.get("international")
    if intl is None or intl.empty:
        return None
    wide = intl.pivot_table(index=["region_code", "region_name"], columns="indicator_code", values="value",
                            aggfunc="first").reset_index()
    ranks = intl.pivot_table(index="region_code", columns="indicator_code", values="rank", aggfunc="first")
    wide = wide.assign(_c=wide["region_code"].ne(CHINA)).sort_values(["_c", "region_code"]).reset_index(drop=True)
    cols = {"region_name": ("国家/经济体", "text")}
    for code, name, unit, _ in INTL_COLUMNS:
        have = intl.loc[intl["indicator_code"] == code, "region_code"].nunique()
        if code in wide.columns and have >= 2 and (code in {c for c, *_ in INTL_REAL} or code not in ("gdp_usd", "gdp_usd_per_10k_pop")):
            cols[code] = (f"{name}（{unit}）", "float2" if unit not in ("件", "亿美元", "人/百万人", "件/百万人") else "int")
            if code in {c for c, *_ in INTL_REAL}:
                wide[f"{code}_rank"] = wide["region_code"].map(ranks[code]) if code in ranks.columns else None
                # one label per rank column: equal labels would overwrite each other in the formatted table
                cols[f"{code}_rank"] = (RANK_LABELS.get(code, f"{code}位次"), "rank")
    yrs = intl.groupby("region_code")["year"].agg(lambda y: f"{y.min()}" if y.min() == y.max() else f"{y.min()}—{y.max()}")
    wide["years"] = wide["region_code"].map(yrs)
    cols["years"] = ("年份", "text")
    cap = (f"国内外比对：中国与主要知识产权经济体（{ctx.year}年或此前最近年份；来源：World Bank WDI，WIPO Statistics Database）"
           + ("（含演示数据）" if intl["is_demo"].any() else ""))
    return style_table(wide, cols, caption=cap, highlight_rows=(wide["region_code"] == CHINA).tolist())


def international_chart(ctx: ReportContext):
    """Invention patent applications per million people: economies, China and the province placed among them."""
    intl = ctx.tables.get("international")
    if intl is None or intl.empty:
        return None
    key = "patent_applications_origin_per_million"
    v = intl[intl["indicator_code"] == key].set_index("region_name")["value"]
    if len(v) < 2:
        return None
    pl = ctx.tables.get("international_provinces")
    hl = "中国"
    if pl is not None and len(pl):
        focus = ctx.region_code if ctx.region_code in set(pl["region_code"]) else (
            ctx.territory if ctx.territory in set(pl["region_code"]) else "320000")
        mine = pl[(pl["region_code"] == focus) & (pl["indicator_code"] == key)]
        if len(mine):
            label = f"{mine['region_name'].iloc[0]}（国内发明专利申请）"
            v = pd.concat([v, pd.Series({label: float(mine["value"].iloc[0])})])
    note = ("注：发明专利口径（WIPO按申请人来源；省份为国家知识产权局受理的国内发明专利申请），不含实用新型和外观设计，"
            "不可与国家知识产权局“专利”合计数比较。数据来源：World Bank WDI（CC BY 4.0）；WIPO Statistics Database")
    return charts.plot_rank_bars(v, title="每百万人发明专利申请量：中国、主要经济体与本省", xlabel="件/百万人",
                                 highlight=hl, source=note)


def findings_text(ctx: ReportContext) -> str:
    """主要发现、问题与建议 of the evaluation report (rules in :mod:`iplayout.views.findings`)."""
    from .findings import evaluation_findings, findings_markdown

    ind = ctx.table("indicators").set_index("code")["name"].astype(str).to_dict()
    sub = ctx.table("subsystems").set_index("code")["name"].astype(str).to_dict()
    f = evaluation_findings(ctx.table("scores"), ctx.table("obstacles"), ctx.table("trend"), subsystem_names=sub,
                            indicator_names=ind, names=ctx.names().to_dict(), year=ctx.year, region=ctx.region_code)
    return findings_markdown(f, is_demo=ctx.is_demo)


def notes_text(ctx: ReportContext) -> str:
    """Data notes: years, missing-value handling, quality flags and the demo warning."""
    spec = ctx.stage.meta.get("spec", {})
    norm = spec.get("normalise", {})
    text = (f"评价规范文件：{nv.md_escape(ctx.stage.meta.get('spec_file', ''))}；缺失值处理："
            f"{nv.md_escape(MISSING_ZH.get(spec.get('missing', ''), spec.get('missing', '')))}（逐格记录）；标准化："
            f"{nv.md_escape(NORMALISE_ZH.get(norm.get('method', ''), norm.get('method', '')))}，标准化与赋权范围："
            f"{nv.md_escape(POOL_ZH.get(norm.get('pool', ''), norm.get('pool', '')))}，报告年份的数值即各趋势图的最后一点；"
            f"主赋权方法：{nv.md_escape(METHOD_NAMES.get(spec.get('weights', {}).get('method', ''), ''))}；"
            f"不确定性分析：{spec.get('uncertainty', {}).get('reps', '—')}次蒙特卡洛模拟（随机种子{spec.get('uncertainty', {}).get('seed', '—')}）。")
    if ctx.is_demo:
        text += "\n\n" + nv.DEMO_NOTE
    return text


def packages_table(ctx: ReportContext):
    """Data packages behind the report (the same table as the survey reports' data notes)."""
    return sources_table(ctx)