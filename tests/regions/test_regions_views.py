"""Views of the regions reports with and without an allocation stage (fake inputs, no kernel)."""
from iplayout.stages.context import ReportContext
from iplayout.stages.store import StageResult
from iplayout.views import demo_zone as dz
from iplayout.views import layout_report as lr
from iplayout.views import regions as rv


def _ctx(result, **kw):
    tables, meta = result
    meta = {**meta, "territory_name": "江苏"}
    st = StageResult(stage="regions", territory="320000", year=2018, tables=tables, meta=meta)
    return ReportContext(stage=st, territory="320000", year=2018, **kw)


def test_views_with_allocation(regions_with_allocation):
    ins = regions_with_allocation
    ctx = _ctx(ins, region_code="320500")
    assert "功能区类型为知识产权高地（判定概率80%）" in rv.profile_text(ctx)
    text = rv.catalogue_text(ctx)
    assert "重点布局：新一代信息技术产业" in text and "缺少专利导航专项政策" in text
    assert rv.catalogue_table(ctx) is not None
    assert "重点布局" in dz.layout_plan_table(ctx).to_html()
    gctx = _ctx(ins, group="苏南")
    assert "功能区构成：知识产权高地5个" in rv.group_text(gctx)
    assert "［G10］" in rv.guidance_text(gctx)
    assert "导向目录“重点布局”条目" in lr.catalogue_highlights(gctx) and "苏州·新一代信息技术产业" in lr.catalogue_highlights(gctx)


def test_views_without_allocation(regions_without_allocation):
    ctx = _ctx(regions_without_allocation, region_code="320500")
    assert rv.NO_ALLOCATION in rv.profile_text(ctx) and rv.catalogue_text(ctx) == rv.NO_ALLOCATION
    assert rv.catalogue_table(ctx) is None
    html = dz.layout_plan_table(ctx).to_html()
    assert "导向目录尚未生成" in html and "引领" in html
    assert lr.catalogue_highlights(ctx) == rv.NO_ALLOCATION


def _legend(fig):
    ax = fig.axes[0]
    return {t.get_text(): h.get_facecolor() for t, h in zip(ax.get_legend().get_texts(), ax.get_legend().legend_handles)}


def test_location_and_group_maps_outline_the_report_subject(regions_with_allocation, regions_without_allocation):
    from matplotlib.colors import to_rgba

    from iplayout.plots.style import HIGHLIGHT
    from iplayout.views.allocation import zone_colour

    ctx = _ctx(regions_with_allocation, region_code="320500")
    fig = rv.location_map(ctx)
    ax = fig.axes[0]
    assert "功能区与苏州的位置" in ax.get_title()
    zones = ctx.table("profile").drop_duplicates("zone").set_index("zone_name")["zone"]
    # each zone in its colour by code, the same colour the allocation report's zone map gives it
    assert _legend(fig) == {name: to_rgba(zone_colour(code)) for name, code in zones.items()}
    red = [t.get_text() for t in ax.texts if t.get_color() == HIGHLIGHT]
    assert red == ["苏州"]  # the region's label, and its outline
    assert any(to_rgba(HIGHLIGHT) in [tuple(c) for c in col.get_edgecolor()] for col in ax.collections)
    # before the allocation stage: coloured by 苏南/苏中/苏北
    fig = rv.location_map(_ctx(regions_without_allocation, region_code="320500"))
    assert set(_legend(fig)) <= {"苏南", "苏中", "苏北"} and "区域划分" in fig.axes[0].get_title()
    gfig = rv.group_map(_ctx(regions_with_allocation, group="苏南"))
    members = ctx.table("profile").query("region_group == '苏南'")["region_code"]
    names = ctx.names(short=True)
    assert sorted(t.get_text() for t in gfig.axes[0].texts if t.get_color() == HIGHLIGHT) == sorted(names[members])
