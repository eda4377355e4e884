"""Charts and maps draw with the CJK font and no missing-glyph warnings."""
import warnings

import numpy as np
import pandas as pd

from iplayout.plots import charts, maps
from iplayout.plots.tables import format_value, style_table
from iplayout.survey import fit_output_on_input, lorenz_curve

CITIES = ["南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"]
CODES = [f"32{i:02d}00" for i in range(1, 14)]


def _render(fig):
    fig.canvas.draw()  # glyph lookup happens at draw time
    return fig


def _no_glyph_warnings(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = _render(make())
    bad = [str(w.message) for w in caught if "glyph" in str(w.message).lower() or "font" in str(w.message).lower()]
    assert bad == []
    return fig


def test_charts_render_chinese_without_missing_glyphs():
    vals = pd.Series(np.arange(13, 0, -1) * 1000.0, index=CITIES)
    fig = _no_glyph_warnings(lambda: charts.plot_rank_bars(vals, title="各市专利授权量（件）", highlight="苏州",
                                                            source="数据来源：江苏统计年鉴（演示）"))
    assert fig.axes[0].get_yticklabels()[0].get_text() == "1. 南京"
    wide = pd.DataFrame({"南京": [1.0, 2.0, 3.0], "宿迁": [0.5, 0.7, -0.2]}, index=[2020, 2021, 2022])
    _no_glyph_warnings(lambda: charts.plot_trend(wide, title="趋势 −0.2", highlight="南京"))
    _no_glyph_warnings(lambda: charts.plot_lorenz({"专利": lorenz_curve(vals)}, title="洛伦兹曲线"))
    ranks = pd.DataFrame({"rank": [1, 2, 3], "rank_p05": [1, 1, 2], "rank_p95": [2, 3, 3]}, index=CITIES[:3])
    _no_glyph_warnings(lambda: charts.plot_rank_intervals(ranks, title="排名区间", highlight="无锡"))
    _no_glyph_warnings(lambda: charts.plot_heatmap(pd.DataFrame(np.eye(3), index=CITIES[:3], columns=["熵权", "等权", "CRITIC"]),
                                                   title="热力图"))
    _no_glyph_warnings(lambda: charts.plot_grouped_bars(pd.DataFrame({"熵权": [.2, .8], "等权": [.5, .5]}, index=["甲", "乙"]),
                                                        title="权重", horizontal=True))


def test_regression_chart_names_outliers():
    x = np.array([1, 2, 4, 8, 16, 32, 64, 128], dtype=float)
    y = 3.0 * x ** 0.8
    y[5] *= 6
    res = fit_output_on_input(pd.DataFrame({"x": x, "y": y}, index=CODES[:8]), x="x", y="y")
    fig = _no_glyph_warnings(lambda: charts.plot_regression(res.points, res.band, labels=pd.Series(CITIES[:8], index=CODES[:8]),
                                                             title="回归", xlabel="R&D", ylabel="专利", highlight=CODES[0]))
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert CITIES[5] in texts and CITIES[0] in texts


def test_choropleth_jiangsu_has_attribution_and_labels():
    members = pd.DataFrame({"code": CODES, "name": [c + "市" for c in CITIES]})
    geo = maps.territory_geometry("320000", members)
    assert set(geo["region_code"]) == set(CODES)
    vals = pd.Series(np.arange(13.0), index=CODES)
    vals.iloc[2] = np.nan
    fig = _no_glyph_warnings(lambda: maps.plot_choropleth(geo, vals, territory="320000", title="各市专利", highlight="320500",
                                                           labels=pd.Series(CITIES, index=CODES)))
    fig_text = " ".join(t.get_text() for t in fig.texts)
    assert maps.ATTRIBUTION in fig_text
    assert {"苏州", "连云港"} <= {t.get_text() for t in fig.axes[0].texts}


def test_choropleth_national_matches_provinces_by_name():
    names = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
             "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
             "青海", "宁夏", "新疆"]
    codes = ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000", "330000",
             "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000", "460000", "500000",
             "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000", "650000"]
    geo = maps.territory_geometry("100000", pd.DataFrame({"code": codes, "name": names}))
    assert geo.loc[geo["name"] == "江苏省", "region_code"].item() == "320000"
    assert geo.loc[geo["name"] == "山西省", "region_code"].item() == "140000"
    assert geo.loc[geo["name"] == "台湾省", "region_code"].item() == ""
    _no_glyph_warnings(lambda: maps.plot_choropleth(geo, pd.Series(1.0, index=codes), territory="100000", title="全国"))


def test_tables_format_and_escape():
    assert format_value(250290, "int") == "250,290"
    assert format_value(0.1394, "pct1") == "13.9%"
    assert format_value(float("nan"), "int") == "—"
    html = style_table(pd.DataFrame({"n": ["<b>x</b>"], "v": [1.5]}), {"n": ("名称", "text"), "v": ("值", "float1")}).to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html and "1.5" in html
    again = style_table(pd.DataFrame({"n": ["<b>x</b>"], "v": [1.5]}), {"n": ("名称", "text"), "v": ("值", "float1")}).to_html()
    assert html == again  # no random table id: reports render byte-identically
    # text left-aligned, numbers right-aligned, by id-scoped class rules that outrank the theme's "td"
    assert 'class="data row0 col0 ipl-txt ipl-nowrap"' in html and 'class="data row0 col1 ipl-num"' in html
    assert "td.ipl-num {\n  text-align: right;" in html and "td.ipl-txt {\n  text-align: left;" in html
    assert format_value(90059.0, "auto") == "90,059" and format_value(3.125, "auto") == "3.12"


def test_narrative_sentence_golden():
    from iplayout.narrative import headline_sentence, md_escape

    s = headline_sentence(year=2015, region_name="江苏省", indicator_name="国内专利授权量", value=250290, unit="件", rank=2,
                          n_regions=31, share=0.139, cagr=0.126, cagr_start_year=2010, invention_share=0.1439)
    assert s.startswith("2015年江苏省国内专利授权量250,290件，居全国第2位")
    assert "2010—2015年年均增长12.6%" in s and "其中发明专利占14.4%" in s
    assert md_escape("a*<script>") == "a\\*&lt;script&gt;"


def test_small_shares_never_read_as_zero():
    from iplayout import narrative as nv

    assert nv.fmt_pct(12 / 434039) == "不足0.1%"      # 西藏 12 of 434,039 high-tech patent applications
    assert nv.fmt_pct(0.00051) == "0.1%" and nv.fmt_pct(0.0) == "0.0%" and nv.fmt_pct(0.1394) == "13.9%"
    assert nv.fmt_pct(0.00002, 2) == "不足0.01%"
    assert nv.fmt_pct(-0.0002, signed=True) == "-0.0%" and nv.fmt_pct(None) == "—"
