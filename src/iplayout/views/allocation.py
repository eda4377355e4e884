"""Sections of the 03_allocation notebooks: functional zones and the guidance catalogue.

Each function takes a :class:`ReportContext` on the allocation stage and returns Markdown, a styled table or
a figure; every number comes from the stage's tables. The typology and the catalogue are this project's
proposal, and :func:`proposal_note` says so at the top of each report.
"""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import interactive, maps
from ..plots.tables import style_table
from ..stages.context import ReportContext

ZONE_COLOURS = ["#1a9850", "#66bd63", "#a6d96a", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43", "#d9c9a3"]
PROPOSAL = ("> **本项目提出的方案**：知识产权功能区划分与资源配置导向目录无官方模板可循，本报告的分类规则"
            "（`params/allocation/`）由本项目提出、公开且可配置，须经专家组审定后方可作为正式目录发布。")


def _src(ctx: ReportContext) -> str:
    titles = ctx.table("packages")["title"].astype(str) if "packages" in ctx.tables and len(ctx.table("packages")) else []
    return f"数据来源：{'；'.join(titles)}" + ("（含演示数据）" if ctx.is_demo else "")


def _ind_names(ctx: ReportContext) -> dict:
    return ctx.table("industries").set_index("code")["name"].astype(str).to_dict()


def proposal_note(ctx: ReportContext) -> str:
    """The 本项目提出的方案 label every allocation report carries."""
    return PROPOSAL


def zone_types_table(ctx: ReportContext):
    """The eight zone types: code, pattern (IP / innovation / industry high-low), names and meaning."""
    t = ctx.table("zone_types").copy()
    t["pattern_zh"] = t["pattern"].map(lambda p: "/".join("高" if c == "H" else "低" for c in p))
    t["n"] = t["zone"].map(ctx.table("zones")["zone"].value_counts()).fillna(0)
    return style_table(t, {"zone": ("代码", "text"), "zone_name": ("功能区", "text"), "zone_name_en": ("英文名", "text"),
                           "pattern_zh": ("知识产权/创新/产业", "text"), "meaning": ("含义", "text"), "n": ("地区数", "int")},
                       caption="功能区类型（本项目提出的方案）")


def thresholds_text(ctx: ReportContext) -> str:
    """How high/low is decided, with the thresholds used."""
    z = ctx.table("zones").iloc[0]
    spec = ctx.stage.meta["spec"]["zones"]
    how = {"median": "地域内各地区得分的中位数", "quantile": f"地域内得分的{spec['threshold']['q']:.0%}分位数",
           "fixed": "固定值"}[spec["threshold"]["method"]]
    return (f"以综合评价的三个子系统得分为依据：某子系统得分不低于阈值（{how}）记为“高”，否则为“低”。本年度阈值为"
            f"知识产权{nv.fmt_num(z['t_ip'], 3)}、创新能力{nv.fmt_num(z['t_innovation'], 3)}、产业基础{nv.fmt_num(z['t_industry'], 3)}。"
            f"得分与阈值相差不超过阈值的{spec['band']:.0%}时标注为“临界”（参照欧洲区域创新记分牌的分组细分）。")


def zones_text(ctx: ReportContext) -> str:
    """Zone counts, borderline regions and the threshold-sensitivity count."""
    z = ctx.table("zones")
    counts = z.groupby("zone_name", sort=False).size()
    text = f"{ctx.year}年{nv.md_escape(ctx.territory_name)}{len(z)}个地区划分为{len(counts)}类功能区：" + "，".join(
        f"{nv.md_escape(k)}{v}个" for k, v in counts.items()) + "。"
    b = z[z["borderline"]]
    n_draws = int(ctx.table("zone_probabilities")["n_draws"].max()) if len(ctx.table("zone_probabilities")) else 0
    if n_draws:
        text += (f"在综合评价的{n_draws}次蒙特卡罗抽样中，" + (nv.list_sentence("最可能功能区概率低于60%的边界地区",
                 [f"{r.region_name}（{r.candidates}）" for r in b.itertuples()])
                 if len(b) else "各地区最可能功能区的概率均不低于60%，无边界地区。"))
    other = z[z["most_likely"] != z["zone"]]
    if len(other):
        text += nv.list_sentence("按名义得分划定的功能区并非抽样中最可能功能区的地区",
                                 [f"{r.region_name}（名义{r.zone_name}{r.probability:.0%}，最可能{r.most_likely_name}"
                                  f"{r.p_most_likely:.0%}）" for r in other.itertuples()])
    s = ctx.table("zone_sensitivity").set_index("shift")
    both = s.iloc[-1]
    text += f"阈值整体上下移动{s.index[-1][1:]}时，共有{int(both['n_changed'])}个地区的功能区发生变化"
    names = ctx.names()
    text += ("（" + "、".join(nv.md_escape(names.get(c, c)) for c in str(both["regions"]).split("、") if c) + "）。"
             if both["n_changed"] else "。")
    return text


def zones_table(ctx: ReportContext):
    """Each region's zone, subsystem scores, 临界 band, probability of the zone and candidates."""
    z = ctx.table("zones").copy()
    z["bl"] = z["borderline"].map({True: "是", False: ""})
    # the most likely zone over the draws, shown only where it differs from the nominal one
    z["ml"] = [f"{n}（{p:.0%}）" if m != c else "" for m, c, n, p in
               zip(z["most_likely"], z["zone"], z["most_likely_name"], z["p_most_likely"])]
    return style_table(z, {"region_name": ("地区", "text"), "zone_name": ("功能区", "text"), "U_ip": ("知识产权", "float3"),
                           "U_innovation": ("创新能力", "float3"), "U_industry": ("产业基础", "float3"),
                           "band": ("临界", "text"), "probability": ("该区概率", "pct1"),
                           "ml": ("最可能功能区", "text"), "bl": ("边界地区", "text"),
                           "candidates": ("候选功能区", "text"), "coupling_class": ("协调等级", "text")},
                       caption=f"{ctx.year}年各地区功能区（概率为蒙特卡罗抽样中落入该功能区的比例）",
                       highlight_rows=z["borderline"].tolist())


def _zone_number(zone_code) -> int:
    """1 for ``Z1`` …; 0 for a code without digits."""
    return int("".join(ch for ch in str(zone_code) if ch.isdigit()) or 0)


def zone_colour(zone_code: str) -> str:
    """The colour of a functional zone by its code (Z1 → the first colour …): the same zone has the same colour
    on every map of a run, also where only some zones occur (the 04_regions plans)."""
    n = _zone_number(zone_code)
    return ZONE_COLOURS[(n - 1) % len(ZONE_COLOURS)] if n else ZONE_COLOURS[-1]


def zone_colours(zones: pd.DataFrame) -> dict:
    """``zone_name`` → colour for the rows of ``zones`` (columns ``zone``, ``zone_name``), in zone-code order."""
    z = zones[["zone", "zone_name"]].dropna().drop_duplicates()
    z = z.iloc[z["zone"].map(_zone_number).argsort(kind="stable")]
    return {name: zone_colour(code) for code, name in zip(z["zone"], z["zone_name"])}


def _zone_colours(ctx: ReportContext) -> dict:
    return zone_colours(ctx.table("zone_types"))


def zone_map(ctx: ReportContext):
    """Static map of the functional zones with Chinese labels (PDF and HTML)."""
    if not maps.has_boundaries(ctx.territory):
        return maps.no_map_note(ctx.territory_name)
    z = ctx.table("zones").set_index("region_code")
    geo = maps.territory_geometry(ctx.territory, ctx.members)
    return maps.plot_category_map(geo, z["zone_name"], colours=_zone_colours(ctx), territory=ctx.territory,
                                  title=f"{ctx.year}年{ctx.territory_name}知识产权功能区（本项目提出的方案）",
                                  labels=ctx.names(short=True), source=_src(ctx), legend_title="功能区")


def zone_interactive_map(ctx: ReportContext) -> list:
    """Interactive map (HTML only): colour = zone code number, tooltip = region and zone name."""
    if not maps.has_boundaries(ctx.territory):
        return []
    z = ctx.table("zones").set_index("region_code")
    # colour index = position in the typology, the same colours as the static map's legend
    pos = {c: i + 1 for i, c in enumerate(ctx.table("zone_types")["zone"])}
    num = z["zone"].map(pos).astype(float)
    tips = (ctx.names() + "：" + z["zone_name"] + "（" + z["zone"] + "）").to_dict()
    return [interactive.interactive_map(num, **interactive.territory_boundary(ctx.territory),
                                        title=f"{ctx.year}年{ctx.territory_name}知识产权功能区", unit="（类型序号）",
                                        labels=tips, short_labels=(ctx.names(short=True) + " " + z["zone"]).to_dict(),
                                        colours=ZONE_COLOURS, value_range=(1, len(ZONE_COLOURS)), source=_src(ctx))]


def probability_table(ctx: ReportContext):
    """Region × zone probabilities (share of Monte Carlo draws), zones never reached left blank."""
    p = ctx.table("zone_probabilities")
    if p.empty:
        return nv.Note("未进行蒙特卡罗不确定性分析，无功能区概率。")
    names = ctx.table("zone_types").set_index("zone")["zone_name"]
    wide = p.pivot_table(index="region_code", columns="zone", values="probability", aggfunc="first")
    wide.columns = [names.get(c, c) for c in wide.columns]
    wide.insert(0, "地区", wide.index.map(ctx.names()))
    cols = {"地区": ("地区", "text")} | {c: (c, "pct1") for c in wide.columns[1:]}
    return style_table(wide.reset_index(drop=True), cols, caption="各地区落入各功能区的概率（蒙特卡罗抽样）")


def sensitivity_table(ctx: ReportContext):
    """Regions changing zone when thresholds move −10 % / +10 %."""
    s = ctx.table("zone_sensitivity").copy()
    names = ctx.names()
    s["names"] = s["regions"].map(lambda t: "、".join(str(names.get(c, c)) for c in str(t).split("、") if c) or "—")
    return style_table(s, {"shift": ("阈值变动", "text"), "n_changed": ("变化地区数", "int"), "names": ("地区", "text")},
                       caption="阈值敏感性：功能区发生变化的地区")


def cluster_text(ctx: ReportContext) -> str:
    """k chosen by silhouette and agreement (ARI, matched %) of k-means and Ward with the typology."""
    a = ctx.table("cluster_agreement")
    if a.empty:
        return "地区数少于4个，不进行聚类交叉检验。"
    parts = [f"{r.method_name}按轮廓系数选取k={r.k}，与规则分类的调整兰德指数ARI={nv.fmt_num(r.ari, 2)}，"
             f"最优标签匹配后一致率{r.agreement:.0%}" for r in a.itertuples()]
    return ("以标准化的三个子系统得分进行数据驱动聚类，作为规则分类的交叉检验：" + "；".join(parts) +
            "。聚类数少于功能区类型数时一致率受上限约束（每个聚类只能对应一个功能区）。")


def silhouette_table(ctx: ReportContext):
    """Mean silhouette by k for k-means and Ward (the chosen k marked)."""
    s = ctx.table("cluster_silhouette")
    if s.empty:
        return nv.Note("")
    wide = s.pivot_table(index="k", columns="method", values="silhouette").reset_index()
    chosen = s[s["chosen"]].set_index("method")["k"]
    wide["mark"] = wide["k"].map(lambda k: "、".join(m for m, v in {"K均值": chosen.get("kmeans"), "Ward": chosen.get("ward")}.items() if v == k))
    return style_table(wide, {"k": ("聚类数k", "int"), "kmeans": ("K均值轮廓系数", "float3"), "ward": ("Ward轮廓系数", "float3"),
                              "mark": ("选定", "text")}, caption="轮廓系数（越大聚类越清晰）")


def crosstab_table(ctx: ReportContext, method: str = "kmeans"):
    """Zones × clusters counts for one clustering."""
    c = ctx.table("cluster_crosstab")
    if c.empty:
        return nv.Note("")
    c = c[c["method"] == method]
    names = ctx.table("zone_types").set_index("zone")["zone_name"]
    wide = c.pivot_table(index="zone", columns="cluster", values="n", aggfunc="sum", fill_value=0)
    wide.columns = [f"聚类{k}" for k in wide.columns]
    wide.insert(0, "功能区", wide.index.map(names))
    cols = {"功能区": ("功能区", "text")} | {k: (k, "int") for k in wide.columns[1:]}
    return style_table(wide.reset_index(drop=True), cols, caption=f"功能区与{'K均值' if method == 'kmeans' else 'Ward'}聚类交叉表（地区数）")


def group_table(ctx: ReportContext):
    """Zone × region group (苏南/苏中/苏北 or 东部/中部/西部/东北) counts."""
    g = ctx.table("zone_groups")
    wide = g.pivot_table(index=["zone", "zone_name"], columns="region_group", values="n", aggfunc="sum", fill_value=0)
    order = [c for c in ("苏南", "苏中", "苏北", "东部", "中部", "西部", "东北") if c in wide.columns]
    wide = wide[order + [c for c in wide.columns if c not in order]].reset_index()
    cols = {"zone_name": ("功能区", "text")} | {c: (c, "int") for c in wide.columns[2:]}
    return style_table(wide, cols, caption="功能区 × 区域分组（地区数）")
