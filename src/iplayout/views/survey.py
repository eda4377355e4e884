"""Sections of the 01_survey notebooks: each function takes a ReportContext and returns text, a table or a figure.

Notebooks call these and nothing else, so every number they show comes from the survey stage tables.
"""
from __future__ import annotations

import pandas as pd

from .. import narrative as nv
from ..plots import charts, interactive, maps
from ..plots.tables import style_table
from ..stages.context import ReportContext

HEADLINE = ["patent_applications", "patent_applications_invention", "patent_applications_utility",
            "patent_applications_design", "patent_grants", "patent_grants_invention", "patent_grants_utility",
            "patent_grants_design", "valid_patents", "valid_patents_invention", "valid_patents_utility",
            "valid_patents_design", "pct_applications", "plant_variety_applications",
            "plant_variety_grants", "trademark_applications", "trademark_registrations", "valid_trademarks",
            "madrid_trademark_applications", "copyright_registrations", "geographical_indications"]
CONTEXT = ["rd_expenditure", "rd_intensity", "rd_personnel_fte", "rd_researchers_fte", "tech_market_outflow_value",
           "tech_market_inflow_value", "hightech_enterprises_certified", "public_budget_science", "gdp", "population"]
TRENDS = ["patent_applications", "patent_grants", "valid_patents_invention", "patent_grants_invention"]
PROFILE_COLUMNS = {"name": ("指标", "text"), "unit": ("单位", "text"), "value": ("数值", "auto"),
                   "rank": ("排名", "rank"), "share": ("占比", "pct2"), "per_10k_pop": ("每万人", "float2"),
                   "per_100m_gdp": ("每亿元GDP", "float3"), "cagr": ("五年年均增速", "pct1"),
                   "invention_share": ("发明占比", "pct1")}


def _src(ctx: ReportContext) -> str:
    demo = "（含演示数据）" if ctx.is_demo else ""
    titles = ctx.table("packages")["title"].astype(str) if "packages" in ctx.tables else []
    return f"数据来源：{'；'.join(titles)}{demo}"


def _profile(ctx: ReportContext, region: str | None = None) -> pd.DataFrame:
    p = ctx.table("profile")
    p = p[p["region_code"] == (region or ctx.region_code)].copy()
    p["name"] = p["indicator_code"].map(ctx.indicator_name)
    p["unit"] = p["indicator_code"].map(ctx.indicator_unit)
    return p


def _value_map(ctx: ReportContext, indicator: str, column: str = "value") -> pd.Series:
    p = ctx.table("profile")
    p = p[p["indicator_code"] == indicator]
    return p.set_index("region_code")[column].astype("float64")


# --- per region -----------------------------------------------------------------------------
def headline_text(ctx: ReportContext) -> str:
    """Sentences on the region's patent applications, grants, valid invention patents and trademarks."""
    p = _profile(ctx).set_index("indicator_code")
    out = []
    for ind in ("patent_applications", "patent_grants", "valid_patents_invention", "trademark_registrations"):
        if ind in p.index and pd.notna(p.loc[ind, "value"]):
            r = p.loc[ind]
            out.append(nv.headline_sentence(year=ctx.year, region_name=ctx.region_name, indicator_name=r["name"],
                                            value=r["value"], unit=r["unit"], rank=r["rank"], n_regions=r["n_regions"],
                                            share=r["share"], territory=ctx.territory, cagr=r["cagr"],
                                            cagr_start_year=r["cagr_start_year"], invention_share=r["invention_share"]))
    return "\n\n".join(out) or f"{ctx.year}年{nv.md_escape(ctx.region_name)}暂无知识产权统计数据。"


def headline_table(ctx: ReportContext, indicators=None):
    """The region's headline table: value, rank, share, per 10k people, per 亿元 GDP, CAGR, invention share."""
    p = _profile(ctx)
    order = list(indicators or HEADLINE)
    p = p[p["indicator_code"].isin(order) & p["value"].notna()]
    p = p.set_index("indicator_code").reindex([c for c in order if c in set(p["indicator_code"])]).reset_index()
    return style_table(p, PROFILE_COLUMNS, caption=f"{ctx.region_name}{ctx.year}年知识产权资源主要指标"
                                                   f"（排名与占比相对于{nv.scope_word(ctx.territory)}）")


def rank_chart(ctx: ReportContext, indicator: str = "patent_grants"):
    """Bars of all regions on one indicator with the report's region highlighted."""
    v = _value_map(ctx, indicator)
    names = ctx.names(short=True)
    return charts.plot_rank_bars(v.rename(index=names), title=f"{ctx.year}年各地区{ctx.indicator_name(indicator)}",
                                 xlabel=ctx.indicator_unit(indicator), highlight=names.get(ctx.region_code),
                                 source=_src(ctx))


def trend_text(ctx: ReportContext) -> str:
    """Five-year change of the main patent indicators of the region."""
    g = ctx.table("growth")
    g = g[(g["region_code"] == ctx.region_code) & g["indicator_code"].isin(TRENDS)]
    parts = [f"{int(r.start_year)}—{int(r.end_year)}年{nv.md_escape(ctx.indicator_name(r.indicator_code))}由"
             f"{nv.fmt_num(r.start_value)}增至{nv.fmt_num(r.end_value)}，年均{'增长' if r.cagr >= 0 else '下降'}"
             f"{nv.fmt_pct(abs(r.cagr))}" for r in g.itertuples() if pd.notna(r.cagr)]
    return (f"{nv.md_escape(ctx.region_name)}：" + "；".join(parts) + "。") if parts else "近五年数据不足，无法计算增速。"


def trend_chart(ctx: ReportContext, region: str | None = None):
    """Lines of the main patent indicators of the region since the first year with data."""
    region = region or ctx.region_code
    pl = ctx.table("panel")
    pl = pl[(pl["region_code"] == region) & pl["indicator_code"].isin(TRENDS)]
    wide = pl.pivot_table(index="year", columns="indicator_code", values="value", aggfunc="first")
    wide = wide[[c for c in TRENDS if c in wide.columns]].rename(columns=ctx.indicator_name)
    if wide.empty:
        return None
    return charts.plot_trend(wide, title=f"{ctx.names().get(region, region)}知识产权主要指标变化（{int(wide.index.min())}—"
                                         f"{int(wide.index.max())}年）", ylabel="件", source=_src(ctx))


def map_chart(ctx: ReportContext, indicator: str = "patent_grants", column: str = "value"):
    """Choropleth of one indicator (value or per 10k people) with the region highlighted (a note when 无底图)."""
    if not maps.has_boundaries(ctx.territory):
        return maps.no_map_note(ctx.territory_name)
    geo = maps.territory_geometry(ctx.territory, ctx.members)
    label = {"value": ctx.indicator_unit(indicator), "per_10k_pop": f"{ctx.indicator_unit(indicator)}/万人"}[column]
    title = f"{ctx.year}年{ctx.territory_name}各地区{ctx.indicator_name(indicator)}" + ("（每万人）" if column == "per_10k_pop" else "")
    return maps.plot_choropleth(geo, _value_map(ctx, indicator, column), territory=ctx.territory, title=title,
                                legend_label=label, highlight=ctx.region_code, labels=ctx.names(short=True))


def interactive_map(ctx: ReportContext, indicator: str = "patent_grants", column: str = "per_10k_pop") -> list:
    """Interactive (HTML-only) choropleth of one indicator, as a list to ``display(*…)``.

    Empty when the territory has no boundary file (the static map's 无底图 note already says so) or the
    indicator has no value in the year; the PDF keeps only the static maps.
    """
    if not maps.has_boundaries(ctx.territory):
        return []
    v = _value_map(ctx, indicator, column)
    if not v.notna().any():
        return []
    per = column == "per_10k_pop"
    title = f"{ctx.year}年{ctx.territory_name}各地区{ctx.indicator_name(indicator)}" + ("（每万人）" if per else "")
    return [interactive.interactive_map(
        v, **interactive.territory_boundary(ctx.territory), title=title, highlight=ctx.region_code,
        unit=f"{ctx.indicator_unit(indicator)}/万人" if per else ctx.indicator_unit(indicator),
        labels=ctx.names(), short_labels=ctx.names(short=True), source=_src(ctx))]


def distribution_text(ctx: ReportContext, indicator: str = "patent_grants") -> str:
    """Gini, HHI, CR3 of the territory, their change since the first year, and the region's share."""
    c = ctx.table("concentration")
    c = c[c["indicator_code"] == indicator].set_index("year")
    if ctx.year not in c.index:
        return "本年度数据不足，无法计算集中度。"
    v = _value_map(ctx, indicator).dropna().sort_values(ascending=False)
    names = ctx.names()
    first = int(c.index.min())
    text = nv.concentration_sentence(year=ctx.year, indicator_name=ctx.indicator_name(indicator), territory=ctx.territory,
                                     gini=c.loc[ctx.year, "gini"], hhi=c.loc[ctx.year, "hhi"], cr3=c.loc[ctx.year, "cr3"],
                                     top3=[names.get(k, k) for k in v.index[:3]], gini_start=c.loc[first, "gini"],
                                     start_year=first)
    if ctx.region_code:
        r = _profile(ctx).set_index("indicator_code")
        if indicator in r.index and pd.notna(r.loc[indicator, "rank"]):
            text += f"{nv.md_escape(ctx.region_name)}占{nv.fmt_pct(r.loc[indicator, 'share'])}，居第{int(r.loc[indicator, 'rank'])}位。"
    return text


def concentration_table(ctx: ReportContext, years=None):
    """Gini, HHI, CR3 and top share of every key indicator in the report year (or given years)."""
    c = ctx.table("concentration").copy()
    c = c[c["year"] == ctx.year] if years is None else c[c["year"].isin(years)]
    c["name"] = c["indicator_code"].map(ctx.indicator_name)
    return style_table(c, {"name": ("指标", "text"), "year": ("年份", "rank"), "n": ("地区数", "rank"),
                           "gini": ("基尼系数", "float3"), "hhi": ("HHI", "float3"), "cr3": ("CR3", "pct1"),
                           "top_share": ("首位占比", "pct1")}, caption=f"{ctx.territory_name}知识产权资源集中度")


def lorenz_chart(ctx: ReportContext, indicators=("patent_grants", "valid_patents_invention", "rd_expenditure")):
    """Lorenz curves of key indicators in the report year."""
    lz = ctx.table("lorenz")
    curves = {ctx.indicator_name(i): lz[lz["indicator_code"] == i] for i in indicators if (lz["indicator_code"] == i).any()}
    return charts.plot_lorenz(curves, title=f"{ctx.year}年{ctx.territory_name}各地区分布的洛伦兹曲线", source=_src(ctx))


def context_text(ctx: ReportContext) -> str:
    """The region's R&D expenditure, intensity, personnel and technology-market turnover with ranks."""
    p = _profile(ctx).set_index("indicator_code")
    out = []
    for ind in ("rd_expenditure", "rd_intensity", "rd_personnel_fte", "tech_market_outflow_value"):
        if ind in p.index and pd.notna(p.loc[ind, "value"]):
            r = p.loc[ind]
            out.append(f"{nv.md_escape(r['name'])}{nv.fmt_num(r['value'], 2 if ind == 'rd_intensity' else 0)}"
                       f"{nv.md_escape(r['unit'])}" + (f"（第{int(r['rank'])}位）" if pd.notna(r["rank"]) else ""))
    return (f"{ctx.year}年{nv.md_escape(ctx.region_name)}" + "，".join(out) + "。") if out else "创新与产业背景数据缺失。"


def context_table(ctx: ReportContext):
    """Innovation capacity and industrial base of the region, including industry sizes by industry."""
    p = _profile(ctx)
    p = p[p["indicator_code"].isin(CONTEXT) & p["value"].notna()].copy()
    # a ratio (%) has no meaningful share or intensity; GDP per 亿元 GDP and people per 10k people are identities
    ratio = p["unit"] == "%"
    p.loc[ratio, ["share", "per_10k_pop", "per_100m_gdp"]] = float("nan")
    p.loc[p["indicator_code"] == "gdp", "per_100m_gdp"] = float("nan")
    p.loc[p["indicator_code"] == "population", "per_10k_pop"] = float("nan")
    ind = ctx.table("industry")
    extra = ind[ind["region_code"] == ctx.region_code] if "region_code" in ind.columns else ind.iloc[0:0]
    rows = [p]
    for r in extra.itertuples():
        for col in ("output_value", "industry_enterprises"):
            allv = ind[ind["industry_code"] == r.industry_code][col]
            val = getattr(r, col)
            if pd.isna(val):
                continue
            code = r.output_measure if col == "output_value" else col
            iname = ctx.extras.get("industry_names", {}).get(r.industry_code) or _industry_names(ctx).get(r.industry_code, r.industry_code)
            rows.append(pd.DataFrame([{"indicator_code": code, "name": f"{iname}{ctx.indicator_name(code)}（{r.year}年）",
                                       "unit": ctx.indicator_unit(code), "value": val,
                                       "rank": (allv > val).sum() + 1 if pd.notna(val) else None,
                                       "share": val / allv.sum() if pd.notna(val) else None}]))
    t = pd.concat(rows, ignore_index=True)
    return style_table(t, {k: v for k, v in PROFILE_COLUMNS.items() if k != "invention_share"},
                       caption=f"{ctx.region_name}创新能力与产业基础")


def _industry_names(ctx: ReportContext) -> dict:
    t = ctx.tables.get("industries")
    return t.set_index("code")["name"].astype(str).to_dict() if t is not None else {}


# R&D intensity is published for provinces every year but for cities only in some years; fall back to
# the next context measure the territory has rather than drawing an empty chart.
CONTEXT_CHART_CANDIDATES = ("rd_intensity", "rd_expenditure", "rd_personnel_fte")


def context_chart(ctx: ReportContext, indicator: str | None = None):
    """Bars of one context indicator with the region highlighted.

    Default: the first of ``CONTEXT_CHART_CANDIDATES`` with data for the territory in the report year.
    """
    candidates = [indicator] if indicator else list(CONTEXT_CHART_CANDIDATES)
    for indicator in candidates:
        raw = _value_map(ctx, indicator)
        if raw.notna().any():
            break
    else:
        return None
    v = raw / (100.0 if ctx.indicator_unit(indicator) == "%" else 1.0)
    names = ctx.names(short=True)
    return charts.plot_rank_bars(v.rename(index=names), title=f"{ctx.year}年各地区{ctx.indicator_name(indicator)}",
                                 highlight=names.get(ctx.region_code), percent=ctx.indicator_unit(indicator) == "%",
                                 source=_src(ctx))


def productivity_text(ctx: ReportContext) -> str:
    """Reading of the log-log regression: elasticity, fit, the region's residual and named outliers."""
    st = ctx.stage.meta.get("regression") or {}
    pts = ctx.table("regression_points")
    if not st or pts.empty:
        return "研发投入或专利数据不足，未进行回归分析。"
    pts = pts.set_index("region_code")
    names = ctx.names()
    res = pts.loc[ctx.region_code, "resid_student"] if ctx.region_code in pts.index else None
    return nv.regression_sentence(y_name=ctx.indicator_name(st["y"]), x_name=ctx.indicator_name(st["x"]),
                                  elasticity=st["elasticity"], r2=st["r2"], n=st["n"],
                                  region_name=ctx.region_name if ctx.region_code else None, region_residual=res,
                                  outliers=[names.get(c, c) for c in pts.index[pts["outlier"].astype(bool)]])


def productivity_table(ctx: ReportContext):
    """Patents per 亿元 R&D and per 100 R&D person-years by region."""
    pr = ctx.table("productivity").copy()
    pr["name"] = pr["region_code"].map(ctx.names())
    pr = pr.sort_values("patent_grants_per_100m_rd", ascending=False, na_position="last")
    cols = {"name": ("地区", "text"), "patent_applications_per_100m_rd": ("每亿元R&D专利申请(件)", "float1"),
            "patent_grants_per_100m_rd": ("每亿元R&D专利授权(件)", "float1"),
            "patent_grants_per_100_fte": ("每百人年R&D专利授权(件)", "float1"),
            "valid_patents_invention_per_100m_rd": ("每亿元R&D有效发明专利(件)", "float1")}
    return style_table(pr, cols, caption=f"{ctx.year}年知识产权产出效率", highlight_rows=(pr["region_code"] == ctx.region_code).tolist())


def regression_chart(ctx: ReportContext):
    """Scatter with fitted line, confidence band, outliers and the region named."""
    st = ctx.stage.meta.get("regression") or {}
    if not st:  # too few regions with data; productivity_text explains
        return None
    pts = ctx.table("regression_points").set_index("region_code")
    band = ctx.table("regression_band")
    return charts.plot_regression(pts, band, labels=ctx.names(short=True), highlight=ctx.region_code,
                                  title=f"{ctx.year}年{ctx.indicator_name(st['y'])}与{ctx.indicator_name(st['x'])}（双对数）",
                                  xlabel=f"{ctx.indicator_name(st['x'])}（{ctx.indicator_unit(st['x'])}，对数刻度）",
                                  ylabel=f"{ctx.indicator_name(st['y'])}（{ctx.indicator_unit(st['y'])}，对数刻度）",
                                  note=f"弹性 {st['elasticity']:.2f}，R² = {st['r2']:.2f}，n = {st['n']}",
                                  source=_src(ctx))
