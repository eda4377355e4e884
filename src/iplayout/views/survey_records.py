"""Record-based sections of the survey reports (issue 11): fields and industries, applicants, IP intensity,
high-value patents, co-applicant links — shown only when patent records are imported.

Every function returns Markdown text or a styled table / chart; without records the first section's text says so
(and how to import) and the others return ``""`` / ``None`` so the notebook shows nothing more.
"""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import charts
from ..plots.tables import style_table
from ..stages.context import ReportContext

NO_RECORDS = ("数据库中尚无专利记录级数据，本节从略。导入智慧芽（Patsnap）、incoPat 或国家知识产权局检索系统导出的专利记录后"
              "（`iplayout db records import 导出文件.csv --format patsnap`，见 docs/records.md），本节将给出技术领域与"
              "产业分布、主要申请人、知识产权密集度、高价值发明专利占比和城市间合作申请。")
NOT_OFFICIAL = "记录级数据统计的是所导入的导出文件，不是官方统计总量"


def _meta(ctx: ReportContext) -> dict:
    return ctx.stage.meta.get("records", {}) or {}


def records_present(ctx: ReportContext) -> bool:
    return bool(_meta(ctx).get("present")) and len(ctx.tables.get("rec_overview", ())) > 0


def _names(ctx: ReportContext) -> dict:
    return ctx.table("industries").set_index("code")["name"].astype(str).to_dict()


def _label(ctx: ReportContext, codes) -> pd.Series:
    n = ctx.names()
    return pd.Series([n.get(c, "全区域合计" if c == "_territory" else c) for c in codes], index=codes)


def records_text(ctx: ReportContext) -> str:
    """What the records are, how they were counted, and the unmapped shares (or how to import records)."""
    if not records_present(ctx):
        return NO_RECORDS
    m, over = _meta(ctx), ctx.table("rec_overview")
    y = int(m["year"])
    cur = over[over["year"] == y]
    un = ctx.table("rec_unmapped").set_index("year")
    ver = m.get("concordance_version", {})
    basis = "按每件专利全部IPC分类号分数计数（每件合计为1）" if m.get("basis") == "fractional" else "按主分类号计数"
    text = (f"本节依据导入的专利记录（{NOT_OFFICIAL}）。{y}年各地区合计{nv.fmt_num(cur['apps'].sum())}件，其中发明"
            f"{nv.fmt_num(cur['apps_inv'].sum())}件。技术领域采用WIPO IPC—技术领域对照表（35个领域，版本"
            f"{nv.md_escape(ver.get('field', ''))}），战略性新兴产业采用对照表{nv.md_escape(ver.get('industry', ''))}"
            + ("（本项目建议，非官方；待导入《战略性新兴产业分类与国际专利分类参照关系表（2021）》后替换）"
               if "proposal" in str(ver.get("industry", "")) else "") + f"；{basis}。")
    if y in un.index:
        text += (f"{y}年未能对应技术领域的记录占{un.loc[y, 'unmapped_field_share']:.1%}，未对应战略性新兴产业的占"
                 f"{un.loc[y, 'unmapped_industry_share']:.1%}（各年见数据说明）。")
    if m.get("agreement") is not None:
        text += f"导出文件自带的战略新兴产业标签与本报告对照结果一致的记录占{m['agreement']:.1%}。"
    if m.get("is_demo"):
        text += "\n\n" + nv.DEMO_NOTE
    return text


def records_industry_text(ctx: ReportContext) -> str:
    """The report's industry (or all SEI industries): leading members by RTA and IP intensity (件/亿元 output)."""
    if not records_present(ctx):
        return ""
    t = ctx.table("rec_industries")
    code = ctx.industry_code if ctx.industry_code in set(t["industry_code"]) else None
    sel = t[t["industry_code"] == code] if code else t.groupby("region_code", as_index=False)[["patents"]].sum()
    name = _names(ctx).get(code, "战略性新兴产业") if code else "战略性新兴产业"
    y, names = _meta(ctx)["year"], ctx.names()
    text = "### 技术领域与产业分布、知识产权密集度\n\n" + f"{y}年{nv.md_escape(name)}专利（记录级，分数计数）合计{nv.fmt_num(sel['patents'].sum(), 1)}件。"
    if code:
        lead = sel.dropna(subset=["rta"]).sort_values(["rta", "region_code"], ascending=[False, True]).head(3)
        text += nv.list_sentence("显示性技术优势（RTA）最高的地区",
                                 [f"{nv.md_escape(names.get(r, r))}（{v:.2f}）" for r, v in zip(lead["region_code"], lead["rta"])])
        dens = sel.dropna(subset=["per_100m_output"])
        if len(dens):
            top = dens.sort_values("per_100m_output", ascending=False).iloc[0]
            text += (f"知识产权密集度（每亿元产值专利件数）最高的是{nv.md_escape(names.get(top['region_code'], top['region_code']))}"
                     f"（{top['per_100m_output']:.3f}件/亿元）。")
        else:
            text += "数据库中无该产业分地区产值，知识产权密集度从略。"
    return text


def records_industry_table(ctx: ReportContext):
    """Members × strategic emerging industries: patents, share, RTA, high-value patents, patents per 亿元 output."""
    if not records_present(ctx):
        return None
    t = ctx.table("rec_industries").copy()
    if ctx.industry_code and ctx.industry_code in set(t["industry_code"]):
        t = t[t["industry_code"] == ctx.industry_code]
    t["name"] = _label(ctx, t["region_code"]).to_numpy()
    t["industry"] = t["industry_code"].map(_names(ctx))
    t = t[t["patents"] > 0].sort_values(["industry_code", "patents"], ascending=[True, False])
    cols = {"industry": ("产业", "text"), "name": ("地区", "text"), "patents": ("专利(件,分数计数)", "float1"),
            "share": ("占本地区专利", "pct1"), "rta": ("显示性技术优势RTA", "float2"), "high_value": ("高价值发明(件)", "float1"),
            "per_100m_output": ("每亿元产值专利(件)", "float3")}
    if t["per_100m_output"].isna().all():
        cols.pop("per_100m_output")
    return style_table(t, cols, caption=f"战略性新兴产业专利分布与显示性技术优势（{_meta(ctx)['year']}年，记录级）",
                       demo={c: [bool(_meta(ctx).get("is_demo"))] * len(t) for c in ("patents",)})


def records_rta_chart(ctx: ReportContext):
    """Heat map of RTA by member × strategic emerging industry (1 = the territory's average)."""
    if not records_present(ctx):
        return None
    t = ctx.table("rec_industries")
    w = t.pivot_table(index="region_code", columns="industry_code", values="rta", aggfunc="first")
    w.index = _label(ctx, w.index).to_numpy()
    w.columns = [_names(ctx).get(c, c) for c in w.columns]
    return charts.plot_heatmap(w, title=f"{_meta(ctx)['year']}年战略性新兴产业显示性技术优势（RTA，1为区域平均）",
                               source="记录级专利数据", center=1.0)


def records_fields_table(ctx: ReportContext, n: int = 10):
    """The territory's largest technology fields (WIPO 35) with the member most specialised in each."""
    if not records_present(ctx):
        return None
    t = ctx.table("rec_fields")
    tot = t.groupby("industry_code")["patents"].sum().sort_values(ascending=False).head(n)
    best = t.sort_values(["rta", "region_code"], ascending=[False, True]).drop_duplicates("industry_code")
    best = best.set_index("industry_code")
    out = pd.DataFrame({"field": [_names(ctx).get(c, c) for c in tot.index], "patents": tot.to_numpy(),
                        "share": (tot / t["patents"].sum()).to_numpy(),
                        "lead": _label(ctx, best["region_code"].reindex(tot.index)).to_numpy(),
                        "lead_rta": best["rta"].reindex(tot.index).to_numpy()})
    cols = {"field": ("技术领域", "text"), "patents": ("专利(件,分数计数)", "float1"), "share": ("占比", "pct1"),
            "lead": ("RTA最高地区", "text"), "lead_rta": ("其RTA", "float2")}
    return style_table(out, cols, caption=f"专利最多的{n}个技术领域（WIPO 35个领域，{_meta(ctx)['year']}年）")


def records_applicants_text(ctx: ReportContext) -> str:
    """Applicant concentration (HHI, CR4) of the territory and its most and least concentrated members."""
    if not records_present(ctx):
        return ""
    c = ctx.table("rec_concentration").set_index("region_code")
    if "_territory" not in c.index:
        return "记录中无申请人信息。"
    t = c.loc["_territory"]
    mem = c.drop(index="_territory").sort_values("hhi", ascending=False)
    names = ctx.names()
    text = "### 主要申请人与集中度\n\n" + (f"{_meta(ctx)['year']}年共有{nv.fmt_num(t['applicants'])}个申请人，申请人集中度HHI为{t['hhi']:.4f}，前4位申请人"
            f"合计占{t['cr4']:.1%}（每个共同申请人各计1件）；首位申请人为{nv.md_escape(t['top_applicant'])}。")
    if len(mem):
        r = mem.index[0]
        text += f"集中度最高的地区是{nv.md_escape(names.get(r, r))}（HHI {mem.loc[r, 'hhi']:.4f}）。"
    return text


def records_applicants_table(ctx: ReportContext):
    """The territory's top applicants (whole counting) with their share of the territory's patents."""
    if not records_present(ctx):
        return None
    t = ctx.table("rec_applicants")
    t = t[t["region_code"] == "_territory"]
    cols = {"rank": ("位次", "rank"), "applicant": ("申请人", "text"), "patents": ("专利(件)", "int"), "share": ("占比", "pct1")}
    return style_table(t, cols, caption=f"主要申请人（{_meta(ctx)['year']}年，记录级）")


def records_highvalue_text(ctx: ReportContext) -> str:
    """High-value invention patents: which CNIPA criteria the records allow, and the share by member."""
    if not records_present(ctx):
        return ""
    crit = ctx.table("rec_highvalue_criteria")
    over = ctx.table("rec_overview")
    cur = over[over["year"] == _meta(ctx)["year"]]
    ok = [nv.md_escape(n) for n, a in zip(crit["name"], crit["available"]) if a]
    no = [nv.md_escape(n) for n, a in zip(crit["name"], crit["available"]) if not a]
    share = cur["hv"].sum() / cur["valid_inv"].sum() if cur["valid_inv"].sum() > 0 else float("nan")
    text = "### 高价值发明专利\n\n" + ("高价值发明专利按国家知识产权局五项标准中导出数据可计算的标准认定（满足其一即计入）："
            + ("、".join(ok) or "无") + "；" + ("、".join(no) + "不可用（导出数据无相应字段，未作推断）" if no else "五项均可用")
            + f"。{_meta(ctx)['year']}年高价值发明专利{nv.fmt_num(cur['hv'].sum())}件")
    if pd.notna(share):
        text += f"，占有效发明专利的{share:.1%}"
    return text + "。"


def records_highvalue_chart(ctx: ReportContext):
    """Bars: share of valid invention patents that are high-value, by member."""
    if not records_present(ctx):
        return None
    over = ctx.table("rec_overview")
    cur = over[over["year"] == _meta(ctx)["year"]].set_index("region_code")["high_value_share"].dropna()
    cur.index = _label(ctx, cur.index).to_numpy()
    return charts.plot_rank_bars(cur, title=f"{_meta(ctx)['year']}年高价值发明专利占有效发明专利比重",
                                 source="记录级专利数据", percent=True)


def records_links_text(ctx: ReportContext) -> str:
    """Co-applicant links between members, with how many co-applied records could be placed."""
    if not records_present(ctx):
        return ""
    a = _meta(ctx).get("links", {})
    links = ctx.table("rec_links")
    names = ctx.names()
    text = "### 城市间合作申请\n\n" + (f"合作申请（2个及以上申请人）的记录{nv.fmt_num(a.get('records_multi', 0))}件，其中全部申请人可定位到地区的"
            f"{nv.fmt_num(a.get('records_placed', 0))}件、跨地区合作{nv.fmt_num(a.get('records_cross', 0))}件。导出数据只给出"
            "第一申请人的地区，其余申请人按其作为第一申请人时的地区或名称开头的地名定位，无法定位的记录不计入。")
    if len(links):
        top = [f"{names.get(r.region_a, r.region_a)}—{names.get(r.region_b, r.region_b)}（{r.links}件）"
               for r in links.head(3).itertuples()]
        text += nv.list_sentence("合作最多的城市对", [nv.md_escape(x) for x in top])
    return text


def records_links_table(ctx: ReportContext):
    """Co-applicant links between members (pairs, most links first)."""
    if not records_present(ctx) or ctx.table("rec_links").empty:
        return None
    t = ctx.table("rec_links").head(15).copy()
    t["a"], t["b"] = _label(ctx, t["region_a"]).to_numpy(), _label(ctx, t["region_b"]).to_numpy()
    return style_table(t, {"a": ("地区甲", "text"), "b": ("地区乙", "text"), "links": ("合作申请(件)", "int")},
                       caption="城市间合作申请（记录级）")


def records_agreement_table(ctx: ReportContext):
    """Confusion table: the export's own 战略新兴产业分类 label against our top SEI industry per record."""
    if not records_present(ctx) or ctx.table("rec_agreement").empty:
        return None
    t = ctx.table("rec_agreement").copy()
    names = _names(ctx)
    w = t.pivot_table(index="export_industry", columns="top_sei", values="records", aggfunc="sum", fill_value=0)
    w.columns = [names.get(c, c) for c in w.columns]
    w = w.reset_index()
    cols = {"export_industry": ("导出文件标签", "text"), **{c: (c, "int") for c in w.columns if c != "export_industry"}}
    share = _meta(ctx).get("agreement")
    return style_table(w, cols, caption="导出标签与本报告对照结果（记录数；列为按IPC对照的首位产业）"
                       + (f"，一致率{share:.1%}" if share is not None else ""))


def records_unmapped_table(ctx: ReportContext):
    """Records per year and the shares left unmapped by the field and industry concordances."""
    if not records_present(ctx):
        return None
    t = ctx.table("rec_unmapped")
    return style_table(t, {"year": ("年份", "text"), "records": ("记录数(件)", "int"),
                           "unmapped_field_share": ("未对应技术领域", "pct1"),
                           "unmapped_industry_share": ("未对应战略性新兴产业", "pct1")},
                       caption="记录级数据：各年记录数与未对应比例")
