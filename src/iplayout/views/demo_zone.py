"""Sections of the 苏南国家自主创新示范区 layout plan (04_regions/demo_zone.ipynb) and of the park list.

Members come from the database flag ``in_sunan_demo_zone``; specialisation from the survey stage's location
quotients; complementarity, division of labour and the layout plan from the regions stage.
"""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import charts
from ..plots.tables import style_table
from ..stages.context import ReportContext
from .regions import NO_ALLOCATION, _allocation, _e
from .survey import _src

ROLE_ORDER = {"引领": 0, "协同": 1, "配套": 2}
NO_PARKS = ("本报告集未附经核实的专利导航园区名单：params/parks.yaml 只收录有公开认定文件（文件名称、文号、日期）可查的园区，"
            "目前未能核实任何一个，故为空，不以记忆或转载信息代替。取得认定文件后，按 data/templates/parks_template.csv "
            "填写并运行 `iplayout parks import 文件.csv`（逐行校验城市代码与产业代码），重新运行本报告即给出各园区所在城市的"
            "主导产业区位熵和导向目录安排。")


def _zone_name(ctx: ReportContext) -> str:
    return str(ctx.stage.meta.get("demo_zone_name", "示范区"))


def _industry_names(ctx: ReportContext) -> pd.Series:
    return ctx.table("industries").set_index("code")["name"].astype(str)


def members_text(ctx: ReportContext) -> str:
    """Members of the zone as the database flags them (cities, and zones such as 苏州工业园区 inside a city)."""
    m = ctx.table("demo_zone_members")
    cities = m[m["kind"] == "member"]
    zones = m[m["kind"] == "zone"]
    if len(cities) < 2:
        return (f"{_e(ctx.territory_name)}的成员地区中没有被数据库标记为{_e(_zone_name(ctx))}成员的地区"
                "（regions.in_sunan_demo_zone），本报告不适用于该地域。")
    text = (f"{_e(_zone_name(ctx))}成员（数据库 regions 表 in_sunan_demo_zone 标记）：{'、'.join(_e(n) for n in cities['name'])}"
            f"共{len(cities)}个设区市")
    if len(zones):
        parent = ctx.names()
        text += "；" + "、".join(f"{_e(r['name'])}（位于{_e(parent.get(r['parent_code'], r['parent_code']))}）"
                                 for _, r in zones.iterrows()) + "作为示范区园区成员列出，其统计数据计入所在城市"
    return text + "。"


def specialisation_chart(ctx: ReportContext, measure: str = "lq_output"):
    """Heatmap of location quotients (city × industry; 1 = the territory's average)."""
    s = ctx.table("specialisation")
    if s.empty:
        return None
    w = s.pivot_table(index="region_code", columns="industry_code", values=measure, aggfunc="first")
    w.index = w.index.map(ctx.names(short=True))
    w.columns = w.columns.map(_industry_names(ctx))
    label = "产值区位熵" if measure == "lq_output" else "专利区位熵（RTA）"
    return charts.plot_heatmap(w, title=f"{_zone_name(ctx)}成员城市{label}（全省=1）", center=1.0, source=_src(ctx))


def specialisation_charts(ctx: ReportContext) -> list:
    """Output and patent (RTA) specialisation heatmaps, as a list to ``display(*…)`` (empty without data)."""
    return [f for f in (specialisation_chart(ctx, m) for m in ("lq_output", "lq_patents")) if f is not None]


def complementarity_text(ctx: ReportContext) -> str:
    """Most and least complementary pairs of member cities (1 − cosine similarity of symmetric LQ profiles)."""
    c = ctx.table("complementarity").dropna(subset=["index_output"])
    if c.empty:
        return "成员城市不足两个或产业数据不足，无法计算互补性。"
    names = ctx.names()
    c = c.sort_values("index_output", ascending=False)
    hi, lo = c.iloc[0], c.iloc[-1]
    return ("互补性指数 K = 1 − 余弦相似度，按对称区位熵 (LQ−1)/(LQ+1) 的产业专业化向量计算：0 表示专业化结构相同，"
            "1 表示无关，2 表示完全相反；指数越高，分工协作的空间越大。"
            f"产值专业化互补性最高的是{_e(names.get(hi['region_code']))}—{_e(names.get(hi['peer_code']))}（K={hi['index_output']:.2f}），"
            f"最低的是{_e(names.get(lo['region_code']))}—{_e(names.get(lo['peer_code']))}（K={lo['index_output']:.2f}）；"
            f"专利专业化（RTA）互补性均值为{nv.fmt_num(c['index_patents'].mean(), 2)}。")


def complementarity_chart(ctx: ReportContext):
    """Heatmap of the complementarity index between member cities (output specialisation)."""
    c = ctx.table("complementarity")
    if c.empty:
        return None
    both = pd.concat([c, c.rename(columns={"region_code": "peer_code", "peer_code": "region_code"})])
    w = both.pivot_table(index="region_code", columns="peer_code", values="index_output", aggfunc="first")
    names = ctx.names(short=True)
    w = w.rename(index=names, columns=names)
    return charts.plot_heatmap(w, title="成员城市产业专业化互补性指数（1−余弦相似度）", cmap="YlGnBu", source=_src(ctx))


def division_text(ctx: ReportContext) -> str:
    """Leading city per industry and the rule behind the roles."""
    d = ctx.table("division")
    if d.empty:
        return "无成员城市产业数据，未给出分工建议。"
    spec = ctx.stage.meta.get("spec", {}).get("demo_zone", {})
    names, inds = ctx.names(), _industry_names(ctx)
    lead = d[d["role"] == "引领"].groupby("industry_code")["region_code"].apply(lambda s: "、".join(names.get(c, c) for c in s))
    none = [inds.get(i, i) for i in sorted(set(d["industry_code"]) - set(lead.index))]
    text = (f"分工规则（本项目提出）：区位熵≥{spec.get('lead_lq')}且占示范区产值份额≥{nv.fmt_pct(spec.get('lead_share'), 0)}为“引领”，"
            f"区位熵≥{spec.get('collab_lq')}或份额≥{nv.fmt_pct(spec.get('collab_share'), 0)}为“协同”，其余为“配套”。")
    text += nv.list_sentence("各产业引领城市", [f"{inds.get(i, i)}：{v}" for i, v in lead.items()], empty="无")
    if none:
        text += nv.list_sentence("没有城市达到引领条件的产业（宜由协同城市联合布局）", none)
    return text


def layout_plan_table(ctx: ReportContext):
    """City × industry × role (引领/协同/配套) with the catalogue's action where allocation is available."""
    p = ctx.table("layout_plan").copy()
    if p.empty:
        return None
    p["city"] = p["region_code"].map(ctx.names())
    p["industry"] = p["industry_code"].map(_industry_names(ctx))
    p = p.assign(_o=p["role"].map(ROLE_ORDER)).sort_values(["industry_code", "_o", "region_code"])
    cols = {"industry": ("产业", "text"), "city": ("城市", "text"), "role": ("分工", "text"), "lq": ("区位熵", "float2"),
            "share": ("示范区份额", "pct1")}
    if _allocation(ctx):
        cols.update({"action": ("导向目录", "text"), "levers": ("政策工具", "text")})
    cap = "示范区知识产权布局方案（城市×产业×分工）" + ("" if _allocation(ctx) else "；导向目录尚未生成")
    return style_table(p, cols, caption=cap)


def flows_text(ctx: ReportContext) -> str:
    """Cross-region flows: what the data hold (technology-market totals) and, plainly, what they do not."""
    f = ctx.table("flows")
    m = ctx.table("demo_zone_members")
    codes = set(m.loc[m["kind"] == "member", "code"])
    f = f[f["region_code"].isin(codes)] if codes else f
    text = ("要素流动：城市之间的技术市场合同（卖方—买方）流向、合作申请专利等“点对点”流动需要逐项合同或专利记录级数据，"
            "数据库中没有，因此无法给出城市间的流向矩阵。")
    if f.empty:
        return text + "数据库中也没有成员城市的技术市场合同成交额（输出/吸纳）汇总数据；导入《江苏科技统计年鉴》等城市表后本节自动给出。"
    names = ctx.names()
    return text + "各成员技术市场合同成交额（万元）：" + "；".join(
        f"{_e(names.get(r['region_code']))}输出{nv.fmt_num(r['outflow_value'])}、吸纳{nv.fmt_num(r['inflow_value'])}"
        for _, r in f.iterrows()) + "。"


def parks_text(ctx: ReportContext) -> str:
    """The patent-navigation parks of the territory, or the plain statement that no verified list is bundled."""
    p = ctx.table("parks")
    if not ctx.stage.meta.get("parks_listed"):
        return NO_PARKS
    if p.empty:
        return f"params/parks.yaml 中的{ctx.stage.meta.get('parks_listed')}个园区均不在{_e(ctx.territory_name)}。"
    return nv.list_sentence("专利导航园区", [f"{r['name']}（{r['city_name']}，{r['level_zh']}，{r['year_designated']}年，"
                                          f"{r['source_title']} {r['source_number']}）" for _, r in p.iterrows()])


def parks_table(ctx: ReportContext):
    """Each park's lead industries with its city's location quotients and catalogue action (None without parks)."""
    pi = ctx.table("park_industries")
    if pi.empty:
        return None
    cols = {"park": ("园区", "text"), "industry_name": ("主导产业", "text"), "lq_output": ("所在城市产值区位熵", "float2"),
            "lq_patents": ("所在城市专利区位熵", "float2")}
    if _allocation(ctx):
        cols["action"] = ("导向目录", "text")
    return style_table(pi, cols, caption="专利导航园区主导产业与所在城市专业化" + ("" if _allocation(ctx) else f"（{NO_ALLOCATION[:11]}）"))
