"""Sections of the 02_evaluation notebooks on the index hierarchy (目标层 → 准则层 → … → 指标层): the
indicator system as a tree, the criteria-level score table, radar / bar charts of the criteria and
the rank intervals at the goal and criteria levels. Numbers come from the stage's ``tree``,
``level_scores``, ``contributions`` and ``level_uncertainty`` tables (the engine's level tables)."""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import charts
from ..plots.levels import plot_radar, plot_rank_interval_panels
from ..plots.tables import style_table
from ..stages.context import ReportContext
from .evaluation import METHOD_NAMES, _src

AGG_NAMES = {"weighted_sum": "加权求和", "geometric": "加权几何", "topsis": "TOPSIS"}
#: the criteria level: the groups right below the goal
CRITERIA_DEPTH = 1


def _criteria(ctx: ReportContext) -> pd.DataFrame:
    t = ctx.table("tree")
    return t[(t["kind"] == "group") & (t["depth"] == CRITERIA_DEPTH)]


def tree_table(ctx: ReportContext):
    """The indicator system as a tree: level, item (indented by depth), weight within its parent and
    in the goal, and how each node weighs and aggregates its children."""
    t = ctx.table("tree").copy()
    t["item"] = [("　" * int(d)) + (("└ " if d else "") + (str(n) if str(n) not in ("", "nan") else c))
                 for d, n, c in zip(t["depth"], t["name"], t["node"])]
    t["method"] = t["weighting"].map(lambda m: METHOD_NAMES.get(m, "由数据汇总" if m == "data" else m or ""))
    t["agg"] = t["aggregation"].map(lambda a: AGG_NAMES.get(a, a or ""))
    cols = {"level": ("层级", "text"), "item": ("指标体系", "text"), "weight": ("权重（在上级中）", "float3"),
            "global_weight": ("综合权重", "float3"), "method": ("下级赋权方法", "text"), "agg": ("下级合成方法", "text")}
    return style_table(t, cols, caption="评价指标体系（树状结构、各层权重与方法）")


def criteria_table(ctx: ReportContext):
    """Criteria-level (准则层) scores and ranks of every region, with the composite score and rank."""
    ls, crit = ctx.table("level_scores"), _criteria(ctx)
    wide = ls[ls["depth"] <= CRITERIA_DEPTH].pivot_table(index="region_code", columns="node", values=["score", "rank"],
                                                         aggfunc="first")
    goal = ctx.table("tree").iloc[0]["node"]
    out = pd.DataFrame({"region_code": wide.index})
    out["region_name"] = out["region_code"].map(ctx.names())
    cols = {"region_name": ("地区", "text"), "s_goal": ("综合得分", "float2"), "r_goal": ("排名", "rank")}
    out["s_goal"], out["r_goal"] = wide[("score", goal)].to_numpy(), wide[("rank", goal)].to_numpy()
    for code, name in zip(crit["node"], crit["name"]):
        out[f"s_{code}"], out[f"r_{code}"] = wide[("score", code)].to_numpy(), wide[("rank", code)].to_numpy()
        cols[f"s_{code}"], cols[f"r_{code}"] = (f"{name}得分", "float3"), (f"{name}排名", "rank")
    out = out.sort_values("r_goal", kind="mergesort")
    return style_table(out, cols, caption=f"{ctx.year}年准则层得分与排名",
                       highlight_rows=(out["region_code"] == ctx.region_code).tolist())


def criteria_text(ctx: ReportContext) -> str:
    """Leading region of each criterion; for a region report its strongest and weakest criterion and
    the criterion contributing most to its composite score."""
    ls, crit = ctx.table("level_scores"), _criteria(ctx)
    names = dict(zip(crit["node"], crit["name"]))
    lead = []
    for code in crit["node"]:
        g = ls[ls["node"] == code].sort_values("rank", kind="mergesort")
        lead.append(f"{nv.md_escape(names[code])}以{nv.md_escape(ctx.names().get(g['region_code'].iloc[0], ''))}居首")
    text = f"准则层共{len(crit)}项：" + "，".join(lead) + "。"
    if ctx.region_code:
        mine = ls[(ls["region_code"] == ctx.region_code) & ls["node"].isin(names)].set_index("node")
        ct = ctx.table("contributions")
        top = ct[(ct["region_code"] == ctx.region_code) & ct["node"].isin(names)].set_index("node")["contribution"]
        best, worst = mine["rank"].idxmin(), mine["rank"].idxmax()
        text += (f"{nv.md_escape(ctx.region_name)}的优势准则为{nv.md_escape(names[best])}（第{int(mine.loc[best, 'rank'])}位），"
                 f"短板准则为{nv.md_escape(names[worst])}（第{int(mine.loc[worst, 'rank'])}位）")
        if top.notna().any():
            c = top.idxmax()
            text += f"；对综合得分贡献最大的是{nv.md_escape(names[c])}（{top[c] * 100:.1f}%）"
        text += "。"
    return text


def criteria_chart(ctx: ReportContext):
    """Region report: radar of the region's criteria scores against the territory mean and maximum;
    territory report: grouped bars of every region's criteria scores."""
    ls, crit = ctx.table("level_scores"), _criteria(ctx)
    wide = ls[ls["node"].isin(crit["node"])].pivot_table(index="region_code", columns="node", values="score",
                                                         aggfunc="first")[list(crit["node"])]
    wide.columns = list(crit["name"])
    if ctx.region_code:
        frame = pd.DataFrame([wide.loc[ctx.region_code], wide.mean(), wide.max()],
                             index=[ctx.region_name, "各地区平均", "各地区最高"])
        return plot_radar(frame, title=f"{ctx.region_name}准则层得分", source=_src(ctx))
    order = ctx.table("scores").sort_values("rank")["region_code"]
    wide = wide.reindex(order)
    wide.index = wide.index.map(ctx.names(short=True))
    return charts.plot_grouped_bars(wide, title="各地区准则层得分", ylabel="准则层得分（0–1）", horizontal=True,
                                    source=_src(ctx))


def level_interval_chart(ctx: ReportContext):
    """Rank intervals (Monte Carlo 5–95 %) at the goal and at each criterion, side by side."""
    lu = ctx.table("level_uncertainty")
    ls = ctx.table("level_scores")
    if lu.empty:
        return None
    tree = ctx.table("tree")
    goal = tree.iloc[0]["node"]
    crit = _criteria(ctx)
    titles = {goal: "综合指数", **dict(zip(crit["node"], crit["name"]))}
    short = ctx.names(short=True)
    panels = {}
    for code, title in titles.items():
        d = lu[lu["node"] == code].merge(ls[ls["node"] == code][["region_code", "rank"]], on="region_code")
        panels[title] = d.assign(label=d["region_code"].map(short)).set_index("label")
    return plot_rank_interval_panels(panels, title="目标层与准则层排名的不确定区间", highlight=short.get(ctx.region_code),
                                     source=_src(ctx))
