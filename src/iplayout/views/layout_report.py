"""The 全省区域和重点产业知识产权布局报告 (04_regions/layout_report.ipynb): every stage's findings in one report.

Each conclusion links to the detailed report of the same run folder; links are built with the runner's own
naming rule (:func:`iplayout.naming.report_stem`) relative to this report's folder, and only for notebooks that
exist in this checkout (a run plan may still leave a report out: the index lists what was run).
"""
from __future__ import annotations

import dataclasses
import posixpath

import pandas as pd

from .. import narrative as nv
from ..config import notebooks_dir
from ..naming import report_stem
from ..plots.maps import NoMap
from ..stages.api import load_stage
from ..stages.context import ReportContext
from ..stages.registry import REGISTRY
from .demo_zone import NO_PARKS, _industry_names, _zone_name
from .regions import NO_ALLOCATION, _allocation, _e, _target_names

HERE = "04_regions"


def attach_stages(ctx: ReportContext, *, stage_dir: str = "", db_path: str = "") -> ReportContext:
    """Load the survey, evaluation and (when registered) allocation results of the same run into ``ctx.extras``."""
    for name in ("survey", "evaluation", "allocation"):
        if name in REGISTRY:
            ctx.extras[name] = load_stage(name, territory=ctx.territory, year=ctx.year, stage_dir=stage_dir,
                                          db_path=db_path)
    return ctx


def link(text: str, notebook: str, codes=()) -> str:
    """Markdown link from this report to the report of ``notebook`` for ``codes`` (plain text if no such notebook)."""
    if not (notebooks_dir() / notebook).is_file():
        return _e(text)
    target = posixpath.relpath(report_stem(notebook, [str(c) for c in codes]) + ".html", HERE)
    return f"[{_e(text)}]({target})"


def _top(series: pd.Series, names, n: int = 3) -> str:
    return "、".join(_e(names.get(c, c)) for c in series.sort_values(ascending=False).head(n).index)


def summary_text(ctx: ReportContext) -> str:
    """Main findings of the four stages, one line each, with links."""
    names = ctx.names()
    out = []
    sv = ctx.extras.get("survey")
    if sv is not None:
        p = sv.table("profile")
        v = p[p["indicator_code"] == "valid_patents_invention"].set_index("region_code")["value"].dropna()
        if len(v):
            out.append(f"**资源分布**：{ctx.year}年{len(v)}个地区有效发明专利合计{nv.fmt_num(v.sum())}件，"
                       f"{_top(v, names)}居前三，前三位合计占{nv.fmt_pct(v.sort_values().tail(3).sum() / v.sum())}"
                       f"（{link('资源分布状况报告', '01_survey/territory.ipynb')}）。")
    s = ctx.table("profile").dropna(subset=["score"])
    if len(s):
        cls = s.groupby("class")["D"].agg(["size", "mean"]).sort_values("mean", ascending=False)["size"]
        out.append(f"**综合评价**：综合得分前三位为{_top(s.set_index('region_code')['score'], names)}；耦合协调等级"
                   + "，".join(f"{_e(k)}{v}个" for k, v in cls.items())
                   + f"（{link('综合评价报告', '02_evaluation/territory.ipynb')}）。")
    out.append("**功能区与导向目录**：" + zones_sentence(ctx) if _allocation(ctx) else NO_ALLOCATION)
    g = ctx.table("group_comparison").set_index("group").drop(index="全域", errors="ignore")
    if len(g) > 1:
        hi, lo = g["ip_per_10k"].idxmax(), g["ip_per_10k"].idxmin()
        out.append(f"**区域差异**：每万人有效发明专利最高的{link(hi, '04_regions/group.ipynb', [hi])}"
                   f"（{nv.fmt_num(g.loc[hi, 'ip_per_10k'], 2)}件）是最低的{link(lo, '04_regions/group.ipynb', [lo])}"
                   f"（{nv.fmt_num(g.loc[lo, 'ip_per_10k'], 2)}件）的{nv.fmt_num(g.loc[hi, 'ip_per_10k'] / g.loc[lo, 'ip_per_10k'], 1)}倍。")
    m = ctx.table("demo_zone_members")
    if (m["kind"] == "member").sum() >= 2:
        out.append(f"**{_e(_zone_name(ctx))}**：{(m['kind'] == 'member').sum()}个成员城市，"
                   f"分工与布局方案见{link('示范区布局方案', '04_regions/demo_zone.ipynb')}。")
    return "\n\n".join(f"{i + 1}. {t}" for i, t in enumerate(out))


def zones_sentence(ctx: ReportContext) -> str:
    """Zone counts and the catalogue's actions (allocation stage)."""
    z = ctx.table("zones")
    cat = ctx.table("catalogue")
    counts = z["zone_name"].value_counts()
    text = "功能区：" + "，".join(f"{_e(k)}{v}个" for k, v in counts.items()) + "；"
    text += "导向目录" + "，".join(f"{_e(k)}{v}项" for k, v in cat["action"].value_counts().items()) + "。"
    return text + f"（{link('功能区划分报告', '03_allocation/zones.ipynb')}；{link('导向目录', '03_allocation/catalogue.ipynb')}）"


def zone_map(ctx: ReportContext):
    """The functional-zone map of the zones report, drawn from the same allocation stage tables (one picture
    of the layout in the final report); a sentence when the allocation stage is not available."""
    from .allocation import zone_map as allocation_zone_map  # noqa: PLC0415 (views.allocation imports plots)

    alloc = ctx.extras.get("allocation")
    if alloc is None:
        return NoMap(f"*（{NO_ALLOCATION}）*")
    return allocation_zone_map(dataclasses.replace(ctx, stage=alloc))


def catalogue_highlights(ctx: ReportContext, action: str = "重点布局", top: int = 12) -> str:
    """The catalogue's priority entries (city × industry) with their levers."""
    if not _allocation(ctx):
        return NO_ALLOCATION
    cat = ctx.table("catalogue")
    pick = cat[cat["action"] == action].head(top)
    if pick.empty:
        return f"导向目录中没有“{_e(action)}”条目。"
    names, inds = ctx.names(), _industry_names(ctx)
    return nv.list_sentence(f"导向目录“{action}”条目（前{len(pick)}项）",
                            [f"{names.get(r['region_code'], r['region_code'])}·{inds.get(r['industry_code'], r['industry_code'])}"
                             + (f"（{r['levers']}）" if isinstance(r.get("levers"), str) and r["levers"] else "")
                             for _, r in pick.iterrows()])


def guidance_overview(ctx: ReportContext) -> str:
    """For every group: members, relative level and the rules that fired, linking to the group plan."""
    g = ctx.table("group_comparison").set_index("group").drop(index="全域", errors="ignore")
    fired = ctx.table("guidance").groupby("group")["rule_id"].apply(list)
    rows = []
    for grp, r in g.iterrows():
        rules = "、".join(fired.get(grp, [])) or "无"
        rows.append(f"- {link(f'{grp}分类指导', '04_regions/group.ipynb', [grp])}：{_e(r['members'])}；每万人有效发明专利为全域的"
                    f"{nv.fmt_num(r['ip_level_ratio'], 2)}倍，平均耦合协调度{nv.fmt_num(r['mean_D'], 3)}；触发规则{_e(rules)}。")
    return "\n".join(rows) if rows else "地域成员没有区域分组。"


def demo_zone_overview(ctx: ReportContext) -> str:
    """Members, leading cities per industry and the most complementary pair (with a link to the zone plan)."""
    m = ctx.table("demo_zone_members")
    if (m["kind"] == "member").sum() < 2:
        return f"{_e(ctx.territory_name)}没有被标记为{_e(_zone_name(ctx))}成员的地区，本节不适用。"
    names, inds = ctx.names(), _industry_names(ctx)
    d = ctx.table("division")
    lead = d[d["role"] == "引领"]
    text = f"成员：{'、'.join(_e(n) for n in m.loc[m['kind'] == 'member', 'name'])}。"
    text += (nv.list_sentence("引领城市", [f"{inds.get(i, i)}—{names.get(c, c)}" for c, i in zip(lead["region_code"], lead["industry_code"])])
             if len(lead) else "按分工规则，没有城市在任何产业达到“引领”条件，各产业以协同布局为主。")
    c = ctx.table("complementarity").dropna(subset=["index_output"])
    if len(c):
        top = c.sort_values("index_output", ascending=False).iloc[0]
        text += f"产业专业化互补性最高的城市对为{_e(names.get(top['region_code']))}—{_e(names.get(top['peer_code']))}（K={top['index_output']:.2f}）。"
    return text + f"（{link('示范区布局方案', '04_regions/demo_zone.ipynb')}）"


def parks_overview(ctx: ReportContext) -> str:
    """Parks with their city and level, or the plain statement that no verified list is bundled."""
    p = ctx.table("parks")
    if not ctx.stage.meta.get("parks_listed") or p.empty:
        return NO_PARKS
    return nv.list_sentence("专利导航园区", [f"{r['name']}（{r['city_name']}，{r['level_zh']}）" for _, r in p.iterrows()])


def problems_text(ctx: ReportContext) -> str:
    """Problems found: lagging IP, targets beyond any past growth, coupling imbalance, data gaps."""
    names = ctx.names()
    out = []
    p = ctx.table("profile")
    lag_ip = p[p["lagging"] == "ip"]
    if len(lag_ip):
        out.append(f"{len(lag_ip)}个地区的滞后子系统为知识产权创造与运用（" + "、".join(
            link(names.get(c, c), "04_regions/region.ipynb", [c]) for c in lag_ip["region_code"]) + "）。")
    t = ctx.table("targets")
    beyond = t[t["history_leader"] == "beyond"]
    if len(beyond):
        tn = _target_names(ctx)
        # one sentence per indicator (a list of 19 regions each followed by the same indicator reads as noise)
        for ind, g in beyond.groupby("indicator_code", sort=False):
            who = "、".join(link(names.get(c, c), "04_regions/region.ipynb", [c]) for c in g["region_code"].drop_duplicates())
            out.append(f"{g['region_code'].nunique()}个地区的{_e(tn.get(ind, ind))}追上组内领先地区所需的年均增速超过本地区"
                       f"历史上任何一年的实际增速：{who}。")
    low = p[p["D"] < 0.5]
    if len(low):
        out.append(f"{len(low)}个地区耦合协调度低于0.5（失调或濒临失调）：" + "、".join(_e(names.get(c, c)) for c in low["region_code"]) + "。")
    ti = ctx.table("target_indicators")
    miss = ti[~ti["available"]]
    if len(miss):
        out.append("数据缺口：" + "、".join(_e(n) for n in miss["name"]) + "无数据，无法设定量化目标。")
    if ctx.is_demo:
        out.append("城市面板部分为演示（合成）数据：本报告的城市数值不得引用，导入真实统计表后重新运行即可。")
    return "\n".join(f"- {s}" for s in out) if out else "未发现需要特别指出的问题。"


def recommendations_text(ctx: ReportContext) -> str:
    """The differentiated recommendations of every group (rule texts, deduplicated, with the groups they apply to)."""
    g = ctx.table("guidance")
    if g.empty:
        return "按现行规则未触发任何建议。"
    by = g.groupby(["rule_id", "text"], sort=False)["group"].apply(lambda s: "、".join(s)).reset_index()
    return "\n".join(f"- **{_e(r['group'])}**：{_e(r['text'])}" for _, r in by.iterrows())


def region_links(ctx: ReportContext) -> str:
    """A Markdown table linking every region's plan, survey and evaluation report."""
    p = ctx.table("profile")
    rows = ["| 地区 | 区域 | 区域布局规划 | 资源调查 | 综合评价 |", "|---|---|---|---|---|"]
    for _, r in p.iterrows():
        c = r["region_code"]
        rows.append(f"| {_e(r['region_name'])} | {_e(r['region_group'])} | {link('规划', '04_regions/region.ipynb', [c])} | "
                    f"{link('调查', '01_survey/region.ipynb', [c])} | {link('评价', '02_evaluation/region.ipynb', [c])} |")
    return "\n".join(rows)
