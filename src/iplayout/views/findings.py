"""主要发现、问题与建议: findings derived by rule from stage tables, each sentence with its number.

Pure functions (tables in → :class:`Finding` list out) so the rules are tested on small fixtures; the views
only format them. Every recommendation names the finding it answers (``answers`` = finding number).

Rules (evaluation): leaders and laggards by composite score; the gap between subsystem means; the fastest and
slowest change of the coupling coordination degree D over the panel; the lagging subsystem and the main
obstacle factors. Rules (survey): leaders and laggards on patent grants with shares; concentration and its
change; fastest and slowest five-year growth; the region's position on IP output against R&D input. Rules
(industry): leaders and laggards on the industry's patent applications; patent location quotients; whether the
industry's IP follows its industrial base (patent vs output location quotient: IP lagging / leading / aligned);
invention share; patents per 亿元 of output.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import narrative as nv


@dataclass(frozen=True)
class Finding:
    """One finding: the rule that produced it, the sentence (Markdown, escaped) and its key number."""

    rule: str
    text: str
    value: float | None = None


@dataclass(frozen=True)
class Recommendation:
    """A recommendation and the number (1-based) of the finding it answers."""

    answers: int
    text: str


def _names(codes, names: dict) -> list[str]:
    return [nv.md_escape(names.get(c, c)) for c in codes]


def _ends(s: pd.Series, k: int) -> tuple[pd.Series, pd.Series]:
    s = s.dropna().sort_values(ascending=False, kind="mergesort")
    k = max(1, min(k, len(s) // 2))
    return s.head(k), s.tail(k).iloc[::-1]


def evaluation_findings(scores: pd.DataFrame, obstacles: pd.DataFrame, trend: pd.DataFrame, *,
                        subsystem_names: dict, indicator_names: dict, names: dict, year: int,
                        region: str | None = None, k: int = 3) -> list[Finding]:
    """Findings of an evaluation report from its stage tables (report year; ``trend`` for changes).

    ``scores`` needs ``region_code, score, rank`` and, with subsystems, ``U_<s>``, ``D``, ``lagging``;
    ``obstacles`` ``region_code, level, code, obstacle``; ``trend`` ``region_code, year, D`` (may be empty).
    """
    out: list[Finding] = []
    s = scores.set_index("region_code")
    top, bottom = _ends(s["score"], k)
    fmt = lambda ser: "、".join(f"{nv.md_escape(names.get(c, c))}（{nv.fmt_num(v, 1)}）" for c, v in ser.items())  # noqa: E731
    out.append(Finding("leaders_laggards", f"{year}年综合得分领先的地区为{fmt(top)}，落后的地区为{fmt(bottom)}；"
                                           f"最高分与最低分相差{nv.fmt_num(top.iloc[0] - bottom.iloc[0], 1)}分。",
                       float(top.iloc[0] - bottom.iloc[0])))
    u_cols = [c for c in s.columns if c.startswith("U_")]
    if len(u_cols) >= 2:
        means = s[u_cols].mean().sort_values(ascending=False)
        hi, lo = means.index[0][2:], means.index[-1][2:]
        gap = float(means.iloc[0] - means.iloc[-1])
        text = (f"各子系统平均发展水平中，{nv.md_escape(subsystem_names.get(hi, hi))}最高（{nv.fmt_num(means.iloc[0], 3)}），"
                f"{nv.md_escape(subsystem_names.get(lo, lo))}最低（{nv.fmt_num(means.iloc[-1], 3)}），相差{nv.fmt_num(gap, 3)}")
        if "lagging" in s.columns:
            lag = s["lagging"].value_counts()
            text += (f"；{int(lag.iloc[0])}个地区（共{len(s)}个）的滞后子系统为"
                     f"{nv.md_escape(subsystem_names.get(lag.index[0], lag.index[0]))}")
        out.append(Finding("subsystem_gap", text + "。", gap))
    if len(trend) and "D" in trend.columns and trend["year"].nunique() >= 2:
        first, last = int(trend["year"].min()), int(trend["year"].max())
        w = trend.pivot_table(index="region_code", columns="year", values="D", aggfunc="first")
        ch = (w[last] - w[first]).dropna()
        up, down = ch.idxmax(), ch.idxmin()
        out.append(Finding("fastest_slowest", f"{first}—{last}年耦合协调度D提升最快的是{nv.md_escape(names.get(up, up))}"
                                              f"（{ch[up]:+.3f}），变化最小或下降最多的是"
                                              f"{nv.md_escape(names.get(down, down))}（{ch[down]:+.3f}）；"
                                              f"区域中位数由{nv.fmt_num(w[first].median(), 3)}变为{nv.fmt_num(w[last].median(), 3)}。",
                           float(ch[up])))
    ob = obstacles[obstacles["level"] == "indicator"] if len(obstacles) else obstacles
    if len(ob):
        if region:
            mine = ob[ob["region_code"] == region].nlargest(2, "obstacle")
            who = nv.md_escape(names.get(region, region))
            lag = s.loc[region, "lagging"] if "lagging" in s.columns else None
            head = (f"{who}的滞后子系统为{nv.md_escape(subsystem_names.get(lag, lag))}，" if lag else f"{who}")
        else:
            mine = ob.groupby("code", as_index=False)["obstacle"].mean().nlargest(2, "obstacle")
            head = "全部地区平均，"
        items = "、".join(f"{nv.md_escape(indicator_names.get(c, c))}（障碍度{nv.fmt_pct(v)}）"
                          for c, v in zip(mine["code"], mine["obstacle"]))
        out.append(Finding("obstacles", f"{head}主要障碍因子为{items}。", float(mine["obstacle"].iloc[0])))
    if region:
        r = s.loc[region]
        out.insert(0, Finding("position", f"{nv.md_escape(names.get(region, region))}综合得分{nv.fmt_num(r['score'], 1)}，"
                                          f"居第{int(r['rank'])}位（共{len(s)}个地区）"
                                          + (f"，耦合协调度D={nv.fmt_num(r['D'], 3)}（{nv.md_escape(r['class'])}）" if "D" in r else "")
                                          + "。", float(r["score"])))
    return out


def survey_findings(profile: pd.DataFrame, growth: pd.DataFrame, concentration: pd.DataFrame, *, names: dict,
                    indicator_names: dict, year: int, region: str | None = None, indicator: str = "patent_grants",
                    k: int = 3) -> list[Finding]:
    """Findings of a survey report from the profile, growth and concentration tables of the survey stage."""
    out: list[Finding] = []
    iname = nv.md_escape(indicator_names.get(indicator, indicator))
    p = profile[profile["indicator_code"] == indicator].set_index("region_code")
    if p["value"].notna().sum() >= 2:
        top, bottom = _ends(p["value"], k)
        share = p["share"]
        fmt = lambda ser: "、".join(f"{nv.md_escape(names.get(c, c))}（{nv.fmt_num(v)}件" + (  # noqa: E731
            f"，占{nv.fmt_pct(share[c])}" if pd.notna(share.get(c)) else "") + "）" for c, v in ser.items())
        out.append(Finding("leaders_laggards", f"{year}年{iname}最多的地区为{fmt(top)}，最少的为{fmt(bottom)}。",
                           float(top.iloc[0])))
    c = concentration[concentration["indicator_code"] == indicator].set_index("year") if len(concentration) else None
    if c is not None and year in c.index:
        first = int(c.index.min())
        g0, g1 = float(c.loc[first, "gini"]), float(c.loc[year, "gini"])
        trend = "上升" if g1 > g0 + 0.005 else "下降" if g1 < g0 - 0.005 else "基本持平"
        out.append(Finding("concentration", f"{iname}的地区分布基尼系数为{nv.fmt_num(g1, 3)}，较{first}年"
                                            f"（{nv.fmt_num(g0, 3)}）{trend}；前三位地区合计占{nv.fmt_pct(c.loc[year, 'cr3'])}。", g1))
    g = growth[growth["indicator_code"] == indicator].set_index("region_code")["cagr"].dropna() if len(growth) else pd.Series(dtype=float)
    if len(g) >= 2:
        start = int(growth.loc[growth["indicator_code"] == indicator, "start_year"].min())
        out.append(Finding("fastest_slowest", f"{start}—{year}年{iname}年均增速最快的是{nv.md_escape(names.get(g.idxmax(), g.idxmax()))}"
                                              f"（{nv.fmt_pct(g.max())}），最慢的是{nv.md_escape(names.get(g.idxmin(), g.idxmin()))}"
                                              f"（{nv.fmt_pct(g.min())}）。", float(g.max())))
    if region:
        ranks = profile[profile["region_code"] == region].set_index("indicator_code")["rank"]
        ip, rd = ranks.get(indicator), ranks.get("rd_expenditure")
        if pd.notna(ip) and pd.notna(rd):
            who = nv.md_escape(names.get(region, region))
            gap = int(ip) - int(rd)
            verdict = ("知识产权产出位次低于研发投入位次，投入转化为知识产权的效率偏低" if gap > 0 else
                       "知识产权产出位次高于研发投入位次" if gap < 0 else "知识产权产出与研发投入位次相当")
            out.append(Finding("input_output_gap", f"{who}{iname}居第{int(ip)}位、R&D经费居第{int(rd)}位，{verdict}。", float(gap)))
    return out


def industry_findings(industry: pd.DataFrame, *, names: dict, industry_name: str, k: int = 3) -> list[Finding]:
    """Findings of an industry report from the survey stage's ``industry`` rows of one industry."""
    out: list[Finding] = []
    t = industry.set_index("region_code")
    if not len(t):
        return out
    y = int(t["year"].iloc[0])
    iname = nv.md_escape(industry_name)
    pat = t["industry_patent_applications"].dropna()
    if len(pat) >= 2:
        top, bottom = _ends(pat, k)
        fmt = lambda ser: "、".join(f"{nv.md_escape(names.get(c, c))}（{nv.fmt_num(v)}件，占{nv.fmt_pct(v / pat.sum())}）"  # noqa: E731
                                    for c, v in ser.items())
        out.append(Finding("leaders_laggards", f"{y}年{iname}专利申请最多的地区为{fmt(top)}，最少的为{fmt(bottom)}。",
                           float(top.iloc[0])))
    lq = t["lq_patents"].dropna()
    if len(lq) >= 2:
        n_hi = int((lq > 1 + LQ_BAND).sum())
        out.append(Finding("concentration", f"专利区位熵高于{nv.fmt_num(1 + LQ_BAND, 2)}（专利相对集中）的地区{n_hi}个，最高为"
                                            f"{nv.md_escape(names.get(lq.idxmax(), lq.idxmax()))}（{nv.fmt_num(lq.max(), 2)}），"
                                            f"最低为{nv.md_escape(names.get(lq.idxmin(), lq.idxmin()))}（{nv.fmt_num(lq.min(), 2)}）。",
                           float(lq.max())))
    out += _match_findings(t, names=names, iname=iname)
    inv = ((t["industry_invention_applications"] / t["industry_patent_applications"]).where(
        t["industry_patent_applications"] > 0).dropna() if "industry_invention_applications" in t
        else pd.Series(dtype=float))
    if len(inv) >= 2:
        out.append(Finding("invention_share", f"{iname}专利申请中发明专利占比最高的是{nv.md_escape(names.get(inv.idxmax(), inv.idxmax()))}"
                                              f"（{nv.fmt_pct(inv.max())}），最低的是{nv.md_escape(names.get(inv.idxmin(), inv.idxmin()))}"
                                              f"（{nv.fmt_pct(inv.min())}）。", float(inv.min())))
    dens = t["per_100m_revenue"].dropna()
    if len(dens) >= 2:
        out.append(Finding("input_output_gap", f"每亿元营业收入（产值）专利最高的是{nv.md_escape(names.get(dens.idxmax(), dens.idxmax()))}"
                                               f"（{nv.fmt_num(dens.max(), 2)}件），最低的是{nv.md_escape(names.get(dens.idxmin(), dens.idxmin()))}"
                                               f"（{nv.fmt_num(dens.min(), 2)}件）。", float(dens.max())))
    return out


#: location quotients within 1 ± LQ_BAND count as "about the territory's average" (the concentration rule's 1.05)
LQ_BAND = 0.05


def _match_findings(t: pd.DataFrame, *, names: dict, iname: str) -> list[Finding]:
    """Does the industry's IP follow its industrial base? Regions where the industry is concentrated
    (output LQ > 1 + band) but its patents are not (patent LQ < 1 − band): IP lags the industry; the reverse:
    IP leads it. Both LQs are against the territory (全域 = 1), so the comparison is scale-free."""
    if not {"lq_output", "lq_patents"} <= set(t.columns):
        return []
    both = t[["lq_output", "lq_patents"]].dropna()
    if len(both) < 2:
        return []
    hi, lo = 1 + LQ_BAND, 1 - LQ_BAND
    lags = both[(both["lq_output"] > hi) & (both["lq_patents"] < lo)]
    leads = both[(both["lq_patents"] > hi) & (both["lq_output"] < lo)]

    def listed(rows: pd.DataFrame) -> str:
        return "、".join(f"{nv.md_escape(names.get(c, c))}（产业{nv.fmt_num(r['lq_output'], 2)}、专利{nv.fmt_num(r['lq_patents'], 2)}）"
                        for c, r in rows.iterrows())

    out = []
    if len(lags):
        out.append(Finding("ip_lags_industry", f"{iname}产业相对集中而专利相对不足（产业区位熵高于{nv.fmt_num(hi, 2)}、专利区位熵低于"
                                               f"{nv.fmt_num(lo, 2)}）的地区{len(lags)}个：{listed(lags)}，知识产权滞后于产业基础。",
                           float(len(lags))))
    if len(leads):
        out.append(Finding("ip_leads_industry", f"{iname}专利相对集中而产业规模相对不足的地区{len(leads)}个：{listed(leads)}，"
                                                "知识产权领先于产业基础。", float(len(leads))))
    if not out:
        out.append(Finding("ip_industry_aligned", f"{iname}的专利分布与产业分布基本匹配：{len(both)}个有两项数据的地区中，"
                                                  f"没有产业区位熵高于{nv.fmt_num(hi, 2)}而专利区位熵低于{nv.fmt_num(lo, 2)}（或相反）的地区。",
                           0.0))
    return out


_ADVICE = {
    "leaders_laggards": "对排名靠后的地区实施分类指导：以领先地区为标杆开展结对帮扶，优先补齐知识产权创造与运用的基础条件",
    "subsystem_gap": "针对平均水平最低、滞后最普遍的子系统配置资源（政策、资金与服务），缩小子系统之间的发展差距",
    "fastest_slowest": "总结提升最快地区的做法加以推广，对提升缓慢或下降的地区开展专项诊断",
    "obstacles": "把主要障碍因子列为下一阶段的重点指标，设定年度目标并跟踪监测",
    "position": "以本地区在区域中的位次为基线，在知识产权区域布局中明确定位与分工",
    "concentration": "资源集中度较高时，引导知识产权服务与运营资源向后发地区延伸，促进区域均衡布局",
    "input_output_gap": "加强研发投入与知识产权创造的衔接：推动高价值专利培育、专利导航与成果转化",
    "ip_lags_industry": "在产业集中而专利不足的地区开展产业专利导航与高价值专利培育，补齐产业发展的知识产权支撑",
    "ip_leads_industry": "推动专利转化实施、许可与运营，把知识产权优势转化为产业优势，引导相关产业项目落地",
    "invention_share": "提高发明专利占比：把专利资助与奖励向发明专利和高价值专利倾斜，减少低质量申请",
}


def recommendations(findings: list[Finding]) -> list[Recommendation]:
    """One recommendation per finding whose rule has advice (in finding order)."""
    return [Recommendation(i, _ADVICE[f.rule]) for i, f in enumerate(findings, start=1) if f.rule in _ADVICE]


def findings_markdown(findings: list[Finding], *, is_demo: bool = False) -> str:
    """Numbered findings, then recommendations each naming the finding it answers."""
    if not findings:
        return "数据不足，未形成规则化结论。"
    lines = ["**主要发现与问题**", ""] + [f"{i}. {f.text}" for i, f in enumerate(findings, start=1)]
    lines += ["", "**建议**", ""] + [f"{j}. {r.text}（针对发现{r.answers}）。"
                                     for j, r in enumerate(recommendations(findings), start=1)]
    if is_demo:
        lines += ["", nv.DEMO_NOTE]
    return "\n".join(lines)
