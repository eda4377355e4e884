"""Sections of the 04_regions per-region plan and group plan (分类指导).

Each function takes a :class:`ReportContext` on the regions stage and returns Markdown, a styled table or a
figure. Numbers come from the regions stage tables; nothing is computed here beyond selecting and wording.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import narrative as nv
from ..plots import charts, maps
from ..plots.tables import style_table
from ..stages.context import ReportContext
from ..stages.regions import LOOKBACK_TARGETS as LOOKBACK
from .survey import _src

NO_ALLOCATION = ("功能区与导向目录尚未生成：资源配置阶段（03_allocation）的结果不在本次运行中，"
                 "本节在该阶段运行后自动给出功能区类型及其概率、导向目录条目与政策缺口。")
HISTORY_SHORT = {"reached": "已达到", "within": "可实现", "above_trend": "需明显加快", "beyond": "超出历史",
                 "unknown": "无历史数据", "undefined": "无定义"}


def _e(x) -> str:
    return nv.md_escape(x)


def _allocation(ctx: ReportContext) -> bool:
    return bool(ctx.stage.meta.get("allocation_available"))


def _target_names(ctx: ReportContext) -> dict[str, str]:
    return ctx.table("target_indicators").set_index("code")["name"].astype(str).to_dict()


def _ranks(r) -> str:
    if pd.isna(r.get("rank")):
        return "—"
    lo, hi = r.get("rank_p05"), r.get("rank_p95")
    band = f"（90%区间第{int(lo)}—{int(hi)}位）" if pd.notna(lo) and pd.notna(hi) and lo != hi else ""
    return f"第{int(r['rank'])}位{band}"


#: group colours in the order the stage lists the groups (苏南 苏中 苏北; 东部 中部 西部 东北)
GROUP_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2"]


def _group_colours(ctx: ReportContext) -> dict:
    groups = [g for g in ctx.table("group_comparison")["group"] if g != "全域"]
    return dict(zip(groups, GROUP_COLOURS))


def _map(ctx: ReportContext, categories: pd.Series, colours: dict, *, title: str, legend: str, highlight):
    if not maps.has_boundaries(ctx.territory):
        return maps.no_map_note(ctx.territory_name)
    geo = maps.territory_geometry(ctx.territory, ctx.members)
    return maps.plot_category_map(geo, categories, colours=colours, territory=ctx.territory, title=title,
                                  labels=ctx.names(short=True), source=_src(ctx), legend_title=legend,
                                  highlight=highlight)


# --- per-region plan --------------------------------------------------------------------------
def location_map(ctx: ReportContext):
    """Where the region sits: the territory's regions by functional zone (by 苏南/苏中/苏北 group before the
    allocation stage has run), the region outlined."""
    p = ctx.table("profile").set_index("region_code")
    if _allocation(ctx) and p["zone_name"].notna().any():
        from .allocation import zone_colours  # noqa: PLC0415

        return _map(ctx, p["zone_name"], zone_colours(p.reset_index()),
                    title=f"{ctx.year}年{ctx.territory_name}知识产权功能区与{ctx.region_name}的位置（本项目提出的方案）",
                    legend="功能区", highlight=ctx.region_code)
    return _map(ctx, p["region_group"], _group_colours(ctx),
                title=f"{ctx.territory_name}区域划分与{ctx.region_name}的位置", legend="区域",
                highlight=ctx.region_code)


def profile_text(ctx: ReportContext) -> str:
    """One-paragraph profile: score and rank with its interval, coupling class, lagging subsystem, zone, obstacles."""
    r = ctx.table("profile").set_index("region_code").loc[ctx.region_code]
    n = len(ctx.table("profile"))
    text = (f"{ctx.year}年{_e(ctx.region_name)}（{_e(r['region_group'])}）综合得分{nv.fmt_num(r['score'], 1)}，"
            f"在{_e(ctx.territory_name)}{n}个地区中居{_ranks(r)}；耦合协调度D={nv.fmt_num(r['D'], 3)}，属{_e(r['class'])}，"
            f"滞后子系统为{_e(r['lagging_name'])}。")
    if _allocation(ctx) and pd.notna(r.get("zone_name")):
        prob = f"（判定概率{nv.fmt_pct(r['probability'], 0)}" + ("，处于边界" if bool(r.get("borderline")) else "") + "）"
        text += f"功能区类型为{_e(r['zone_name'])}{prob if pd.notna(r.get('probability')) else ''}。"
    else:
        text += NO_ALLOCATION
    if isinstance(r.get("obstacles"), str) and r["obstacles"]:
        text += f"\n\n主要障碍因子：{_e(r['obstacles'])}。"
    return text


def profile_table(ctx: ReportContext):
    """The region's key IP levels next to the territory median and the best region."""
    lv = ctx.table("levels")
    names = _target_names(ctx)
    units = ctx.table("target_indicators").set_index("code")["unit"].astype(str)
    rows = []
    for ind, g in lv.groupby("indicator_code", sort=False):
        v = g.set_index("region_code")["value"]
        own = v.get(ctx.region_code)
        rank = v.rank(ascending=False, method="min").get(ctx.region_code)
        rows.append({"name": f"{names.get(ind, ind)}（{units.get(ind, '')}）", "value": own,
                     "year": g.set_index("region_code")["data_year"].get(ctx.region_code),
                     "median": v.median(), "max": v.max(), "rank": rank if pd.notna(own) else np.nan,
                     "n": int(v.notna().sum())})
    t = pd.DataFrame(rows)
    return style_table(t, {"name": ("指标", "text"), "value": (_e(ctx.region_name), "auto"), "year": ("数据年份", "rank"),
                           "median": ("全域中位数", "auto"), "max": ("全域最高", "auto"), "rank": ("排名", "rank"),
                           "n": ("有数据地区数", "rank")}, caption=f"{ctx.region_name}主要知识产权指标概况")


def peers_text(ctx: ReportContext) -> str:
    """The five structural peers and the indicators / dimensions that define structure (and what was dropped)."""
    pr = ctx.table("peers")
    pr = pr[pr["region_code"] == ctx.region_code].sort_values("rank")
    names = ctx.names()
    cov = ctx.table("structure_coverage")
    used = cov[cov["used"]]
    dims = "；".join(f"{_e(d)}（{'、'.join(_e(n) for n in g['name'])}）" for d, g in used.groupby("dimension_name", sort=False))
    text = (f"结构相近地区按S3平台区域对标方法确定：结构指标分为{used['dimension'].nunique()}个维度——{dims}；"
            "偏度超过阈值的指标依次尝试平方根、立方根、对数变换，标准化为z分数，各维度等权、维度权重在其指标间均分，"
            "以加权欧氏距离平方衡量相似程度（距离越小越相似）。")
    dropped = cov[~cov["used"]]
    if len(dropped):
        text += nv.list_sentence("因数据缺失未纳入的指标", [f"{r['name']}（{r['reason']}）" for _, r in dropped.iterrows()])
    if pr.empty:
        return text + "\n\n地区数不足或无可用结构指标，未能确定结构相近地区。"
    text += "\n\n" + nv.list_sentence(f"与{ctx.region_name}结构最相近的{len(pr)}个地区",
                                      [f"{names.get(p, p)}（距离{d:.2f}）" for p, d in zip(pr["peer_code"], pr["distance"])])
    return text


def peers_chart(ctx: ReportContext, top: int = 10):
    """Bars of structural similarity 1/(1+d) to the ``top`` most similar regions (longer = more similar)."""
    d = ctx.table("peer_distances")
    d = d[d["region_code"] == ctx.region_code].set_index("peer_code")["distance"]
    d.index = d.index.map(ctx.names(short=True))
    return charts.plot_rank_bars(1.0 / (1.0 + d), top=top, xlabel="相似度 1/(1+d)，d为结构距离",
                                 title=f"与{ctx.region_name}结构最相近的{min(top, len(d))}个地区", source=_src(ctx))


def structure_table(ctx: ReportContext):
    """Structural indicators of the region and its peers, with the skewness transform applied to each."""
    st = ctx.table("structure").set_index("region_code")
    pr = ctx.table("peers")
    keep = [ctx.region_code] + pr[pr["region_code"] == ctx.region_code].sort_values("rank")["peer_code"].tolist()
    cov = ctx.table("structure_coverage").set_index("indicator")
    tr = ctx.table("peer_transforms").set_index("indicator")
    t = st.reindex(keep).reset_index()
    t["name"] = t["region_code"].map(ctx.names())
    cols = {"name": ("地区", "text")}
    for c in st.columns:
        how = tr["transform_zh"].get(c, "") if "transform_zh" in tr.columns else ""
        cols[c] = (f"{cov['name'].get(c, c)}（{cov['unit'].get(c, '')}）" + (f"［{how}］" if how and how != "不变换" else ""),
                   "float2")
    return style_table(t, cols, caption="结构指标：本地区与结构相近地区（方括号内为偏度校正变换）",
                       highlight_rows=(t["region_code"] == ctx.region_code).tolist())


def peer_comparison_table(ctx: ReportContext):
    """How the region compares with its peers on each IP indicator (value, peer median / range, rank among them)."""
    c = ctx.table("peer_comparison")
    c = c[c["region_code"] == ctx.region_code].copy()
    c["name"] = c["indicator_code"].map(_target_names(ctx))
    c["rank_txt"] = [f"{int(r)}/{n}" if pd.notna(r) else "—" for r, n in zip(c["rank_among_peers"], c["n"])]
    return style_table(c, {"name": ("指标", "text"), "value": (_e(ctx.region_name), "auto"),
                           "peer_median": ("相近地区中位数", "auto"), "peer_min": ("相近地区最低", "auto"),
                           "peer_max": ("相近地区最高", "auto"), "ratio_to_median": ("与中位数之比", "float2"),
                           "rank_txt": ("在相近地区中排名", "text")},
                       caption=f"{ctx.region_name}与结构相近地区的知识产权指标比较")


def catalogue_text(ctx: ReportContext) -> str:
    """The region's catalogue entries (action and levers by rule) and the policy gaps that concern it."""
    if not _allocation(ctx):
        return NO_ALLOCATION
    cat = ctx.table("catalogue")
    cat = cat[cat["region_code"] == ctx.region_code]
    gaps = ctx.table("policy_gaps")
    gaps = gaps[gaps["region_code"] == ctx.region_code]
    ind = ctx.table("industries").set_index("code")["name"].astype(str)
    if cat.empty:
        return f"导向目录中没有{_e(ctx.region_name)}的条目。"
    by_action = cat.groupby("action", sort=False)["industry_code"].apply(lambda s: "、".join(_e(ind.get(c, c)) for c in s))
    text = "；".join(f"{_e(a)}：{v}" for a, v in by_action.items()) + "。"
    text = f"导向目录对{_e(ctx.region_name)}的安排——{text}"
    if len(gaps):
        text += "\n\n" + nv.list_sentence("相关政策缺口", [f"{ind.get(r['industry_code'], r['industry_code'])}：{r['gap']}"
                                                       for _, r in gaps.iterrows()])
    else:
        text += "\n\n未发现涉及本地区的政策缺口。"
    return text


def catalogue_table(ctx: ReportContext):
    """The region's catalogue rows (None when allocation is not available)."""
    if not _allocation(ctx):
        return None
    cat = ctx.table("catalogue")
    cat = cat[cat["region_code"] == ctx.region_code].copy()
    cat["industry"] = cat["industry_code"].map(ctx.table("industries").set_index("code")["name"])
    cat["over"] = cat["overridden"].map(lambda v: "是" if bool(v) else "")
    return style_table(cat, {"industry": ("产业", "text"), "action": ("导向", "text"), "levers": ("政策工具", "text"),
                             "rule_id": ("规则", "text"), "over": ("人工调整", "text")},
                       caption=f"{ctx.region_name}知识产权资源配置导向目录条目")


def targets_text(ctx: ReportContext) -> str:
    """Plain statements of the needed growth by the target year, and which key indicators have no data."""
    t = ctx.table("targets")
    t = t[t["region_code"] == ctx.region_code]
    ti = ctx.table("target_indicators")
    T = ctx.stage.meta.get("target_year")
    names = ctx.names()
    out = [f"目标年份为{T}年（params/regions.yaml 可改）。比较基准：所在区域（{_e(ctx.table('profile').set_index('region_code').loc[ctx.region_code, 'region_group'])}）"
           "的最高值（组内领先地区）和结构相近地区的中位数；所需年均增速 g = (基准值/现值)^(1/(目标年−数据年)) − 1，"
           "并与本地区近五年年均增速和历史最高年增速比较。"]
    for _, r in t.iterrows():
        name = _target_names(ctx).get(r["indicator_code"], r["indicator_code"])
        lead = names.get(r["leader_code"], r["leader_code"]) if isinstance(r["leader_code"], str) else "—"
        if pd.isna(r["value"]):
            out.append(f"**{_e(name)}**：{_e(ctx.region_name)}在{ctx.year}年及此前{LOOKBACK}年内无数据，无法计算差距与所需增速。")
            continue
        if r["status_leader"] == "reached":
            s = f"**{_e(name)}**：{_e(ctx.region_name)}为组内领先地区或已达到领先水平"
        elif r["status_leader"] == "needed":
            s = (f"**{_e(name)}**：追上组内领先的{_e(lead)}需年均增长{nv.fmt_pct(r['needed_leader'])}，"
                 f"{_e(r['history_leader_zh'])}")
        else:
            s = f"**{_e(name)}**：追赶组内领先地区的所需增速{_e(r['status_leader_zh'])}"
        if r["status_peer"] == "needed":
            s += f"；达到结构相近地区中位数需年均增长{nv.fmt_pct(r['needed_peer'])}（{_e(HISTORY_SHORT[r['history_peer']])}）"
        elif r["status_peer"] == "reached":
            s += "；已达到结构相近地区中位数"
        if pd.notna(r["past_cagr"]):
            s += f"。近年年均增速{nv.fmt_pct(r['past_cagr'])}（{int(r['past_cagr_start'])}—{int(r['data_year'])}年）"
        if pd.notna(r["best_yoy"]):
            s += f"，历史最高年增速{nv.fmt_pct(r['best_yoy'])}（{int(r['best_yoy_year'])}年）"
        out.append(s + "。")
    for _, r in ti[~ti["available"]].iterrows():
        out.append(f"**{_e(r['name'])}**：无法设定量化目标——{_e(r['note'] or '数据库中无该指标数据')}")
    return "\n\n".join(out)


def targets_table(ctx: ReportContext):
    """Gap to the group leader and to the peer median, needed growth, own past growth."""
    t = ctx.table("targets")
    t = t[t["region_code"] == ctx.region_code].copy()
    t["name"] = t["indicator_code"].map(_target_names(ctx))
    t["leader"] = t["leader_code"].map(ctx.names())
    t["h_leader"] = t["history_leader"].map(HISTORY_SHORT)
    t["h_peer"] = t["history_peer"].map(HISTORY_SHORT)
    return style_table(t, {"name": ("指标", "text"), "value": ("现值", "auto"), "data_year": ("数据年份", "rank"),
                           "leader": ("组内领先", "text"), "leader_value": ("领先值", "auto"),
                           "needed_leader": ("所需年增速（追领先）", "pct1"), "h_leader": ("判断", "text"),
                           "peer_median": ("相近地区中位数", "auto"), "needed_peer": ("所需年增速（达中位数）", "pct1"),
                           "h_peer": ("判断", "text"), "past_cagr": ("近年年均增速", "pct1"), "best_yoy": ("历史最高年增速", "pct1")},
                       caption=f"{ctx.region_name}量化目标（至{ctx.stage.meta.get('target_year')}年）")


# --- group plan (分类指导) ----------------------------------------------------------------------
GROUP_COLUMNS = {"group": ("区域", "text"), "n_regions": ("地区数", "rank"), "ip_total": ("有效发明专利(件)", "int"),
                 "ip_per_10k": ("每万人有效发明专利(件)", "float2"), "ip_level_ratio": ("相对全域水平", "float2"),
                 "ip_cagr": ("近五年年均增速", "pct1"), "mean_score": ("平均综合得分", "float1"),
                 "mean_D": ("平均耦合协调度", "float3"), "lagging_ip_share": ("知识产权滞后地区占比", "pct1")}


def group_comparison_table(ctx: ReportContext):
    """All groups side by side: levels, growth, coupling, lagging shares (the report's group highlighted)."""
    g = ctx.table("group_comparison")
    cols = dict(GROUP_COLUMNS)
    if g["zone_share_high_ip"].notna().any():
        cols["zone_share_high_ip"] = ("知识产权高值功能区占比", "pct1")
    return style_table(g, cols, caption=f"{ctx.year}年{ctx.territory_name}分区域比较",
                       highlight_rows=(g["group"] == ctx.group).tolist())


def group_chart(ctx: ReportContext):
    """Grouped bars of each group's level relative to the territory, mean D and IP-lagging share."""
    g = ctx.table("group_comparison")
    g = g[g["group"] != "全域"].set_index("group")
    wide = g[["ip_level_ratio", "mean_D", "lagging_ip_share"]].rename(columns={
        "ip_level_ratio": "每万人有效发明专利（全域=1）", "mean_D": "平均耦合协调度", "lagging_ip_share": "知识产权滞后地区占比"})
    return charts.plot_grouped_bars(wide, title="各区域知识产权水平、协调度与短板", source=_src(ctx))


def group_text(ctx: ReportContext) -> str:
    """What sets the group apart from the others (level, growth, coupling, zones, lagging subsystems)."""
    g = ctx.table("group_comparison").set_index("group")
    r = g.loc[ctx.group]
    others = g.drop(index=[ctx.group, "全域"], errors="ignore")
    rank = int((g.drop(index="全域")["ip_per_10k"] > r["ip_per_10k"]).sum()) + 1
    text = (f"{_e(ctx.group)}包括{_e(r['members'])}共{int(r['n_regions'])}个地区。{ctx.year}年每万人有效发明专利"
            f"{nv.fmt_num(r['ip_per_10k'], 2)}件，为全域平均的{nv.fmt_num(r['ip_level_ratio'], 2)}倍，在{len(g) - 1}个区域中居第{rank}位；"
            f"近五年年均增长{nv.fmt_pct(r['ip_cagr'])}（全域{nv.fmt_pct(g.loc['全域', 'ip_cagr'])}）；"
            f"平均耦合协调度{nv.fmt_num(r['mean_D'], 3)}（全域{nv.fmt_num(g.loc['全域', 'mean_D'], 3)}）。")
    lag = {"知识产权": r["lagging_ip_share"], "创新能力": r["lagging_innovation_share"], "产业基础": r["lagging_industry_share"]}
    text += "各子系统为滞后子系统的地区占比：" + "，".join(f"{k}{nv.fmt_pct(v, 0)}" for k, v in lag.items()) + "。"
    if len(others):
        gap = r["ip_per_10k"] / others["ip_per_10k"].max() if others["ip_per_10k"].max() else np.nan
        text += f"与其他区域中水平最高者相比，知识产权密度之比为{nv.fmt_num(gap, 2)}。"
    zm = ctx.table("group_zone_mix")
    zm = zm[zm["group"] == ctx.group]
    text += ("\n\n功能区构成：" + "，".join(f"{_e(z)}{int(n)}个" for z, n in zip(zm["zone_name"], zm["n"])) + "。"
             if len(zm) else "\n\n" + NO_ALLOCATION)
    return text


def group_map(ctx: ReportContext):
    """The territory's regions by group, the members of this report's group outlined."""
    p = ctx.table("profile")
    members = p.loc[p["region_group"] == ctx.group, "region_code"].astype(str).tolist()
    return _map(ctx, p.set_index("region_code")["region_group"], _group_colours(ctx),
                title=f"{ctx.territory_name}分区域划分（{ctx.group}）", legend="区域", highlight=members)


def group_members_table(ctx: ReportContext):
    """The group's regions: score, rank interval, D, class, lagging subsystem, zone."""
    p = ctx.table("profile")
    p = p[p["region_group"] == ctx.group].sort_values("rank").copy()
    p["rank_txt"] = [_ranks(r) for _, r in p.iterrows()]
    cols = {"region_name": ("地区", "text"), "score": ("综合得分", "float1"), "rank_txt": ("排名", "text"),
            "D": ("耦合协调度", "float3"), "class": ("协调等级", "text"), "lagging_name": ("滞后子系统", "text"),
            "obstacles": ("主要障碍因子", "text")}
    if _allocation(ctx):
        cols["zone_name"] = ("功能区", "text")
    return style_table(p, cols, caption=f"{ctx.group}各地区概况")


def guidance_text(ctx: ReportContext) -> str:
    """The recommendations the guidance rules give this group, each with the evidence that triggered it."""
    g = ctx.table("guidance")
    g = g[g["group"] == ctx.group]
    if g.empty:
        return f"按现行规则（params/regions.yaml），{_e(ctx.group)}未触发任何分类指导规则。"
    items = [f"{i + 1}. **［{_e(r['rule_id'])}］** {_e(r['text'])}（依据：{_e(r['evidence'])}）" for i, (_, r) in enumerate(g.iterrows())]
    return (f"依据分类指导规则（本项目提出的规则，见 params/regions.yaml），对{_e(ctx.group)}的差异化建议：\n\n"
            + "\n".join(items))


def guidance_rules_table(ctx: ReportContext):
    """Every guidance rule with its condition (the recipe, printed so a reader can check it)."""
    return style_table(ctx.table("guidance_rules"), {"rule_id": ("规则", "text"), "condition": ("条件", "text"),
                                                     "text": ("建议", "text")}, caption="分类指导规则")


# --- data notes (every 04 report) -----------------------------------------------------------------
def notes_text(ctx: ReportContext) -> str:
    """Conventions of the regions stage (peers, targets, rules) and the demo warning."""
    spec = ctx.stage.meta.get("spec", {})
    peers = spec.get("peers", {})
    text = (f"规范文件：params/{_e(ctx.stage.meta.get('spec_file', 'regions.yaml'))}。结构相近地区：偏度阈值"
            f"{peers.get('skew_threshold')}（调整后Fisher–Pearson偏度G1，依次尝试不变换→平方根→立方根→对数，取首个|G1|不超过阈值者，"
            f"均不满足时取|G1|最小者；左偏指标先镜像），z分数用样本标准差，维度权重在其指标间均分，加权欧氏距离平方，"
            f"取最近{peers.get('k')}个地区；结构指标取报告年份及此前{peers.get('lookback')}年内最近一年的数值，"
            "任一地区缺失的指标不纳入。量化目标：所需年均增速 g=(基准/现值)^(1/(T−t))−1；已达到时为0，"
            "现值为零或缺失时无定义（不以任何增速把零变为正数）。分类指导、分工规则为本项目提出的规则，非官方规定。")
    if ctx.is_demo:
        text += "\n\n" + nv.DEMO_NOTE
    return text
