"""A figure reaches the report laid out once and drawn once, with the bytes ``savefig(bbox_inches="tight")`` gives.

Layouts are reused across reports only for figures whose highlight moves nothing (bars coloured by
region): the reused layout must give the same PNG bytes as laying the figure out afresh, and a change
of anything the figure shows must miss.
"""
import base64
import io

import pandas as pd
from matplotlib.figure import Figure

from iplayout.plots import charts, png
from iplayout.plots.style import PNG_COMPRESS_LEVEL

VALUES = pd.Series({"南京": 120.0, "苏州": 300.0, "无锡": 80.0, "常州": 60.0})
SOURCE = "数据来源：江苏省统计年鉴（演示）"


def _bars(highlight: str, title: str = "各市专利授权量"):
    return charts.plot_rank_bars(VALUES, title=title, xlabel="件", highlight=highlight, source=SOURCE)


def _bundle_png(fig) -> bytes:
    return base64.b64decode(fig._repr_mimebundle_()[0]["image/png"])


def test_one_draw_and_the_same_bytes_as_savefig_tight(monkeypatch):
    buf = io.BytesIO()
    _bars("苏州").savefig(buf, format="png", bbox_inches="tight", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(1), original(self, renderer))[1])
    png._LAYOUTS.clear()
    out = _bundle_png(_bars("苏州"))
    assert len(draws) == 1  # savefig draws twice (a dry draw for the layout, then the real one)
    assert out == buf.getvalue()  # the source line under the axes is inside the image, as with bbox tight


def test_reused_layout_gives_the_bytes_of_a_fresh_one():
    png._LAYOUTS.clear()
    fresh = _bundle_png(_bars("无锡"))
    png._LAYOUTS.clear()
    _bundle_png(_bars("苏州"))  # another region's report of the territory: same bars, another one red
    assert len(png._LAYOUTS) == 1
    reused = _bundle_png(_bars("无锡"))
    assert len(png._LAYOUTS) == 1 and reused == fresh
    _bundle_png(_bars("无锡", title="各市专利授权量（万件）"))  # a longer title can move the axes: a new layout
    assert len(png._LAYOUTS) == 2


def test_a_figure_named_whole_by_its_content_reuses_the_png():
    curve = pd.DataFrame({"pop_share": [0.0, 0.5, 1.0], "value_share": [0.0, 0.2, 1.0]})
    png._IMAGES.clear()
    png._LAYOUTS.clear()
    first = _bundle_png(charts.plot_lorenz({"专利授权": curve}, title="洛伦兹曲线", source=SOURCE))
    again = _bundle_png(charts.plot_lorenz({"专利授权": curve.copy()}, title="洛伦兹曲线", source=SOURCE))
    assert len(png._IMAGES) == 1 and again == first
    png._IMAGES.clear()
    assert _bundle_png(charts.plot_lorenz({"专利授权": curve}, title="洛伦兹曲线", source=SOURCE)) == first  # drawn
    other = curve.assign(value_share=[0.0, 0.3, 1.0])
    assert _bundle_png(charts.plot_lorenz({"专利授权": other}, title="洛伦兹曲线", source=SOURCE)) != first
    assert len(png._IMAGES) == 2


def _regression(highlight: str):
    x = [1e5, 3e5, 1e6, 3e6, 5e6]
    points = pd.DataFrame({"x": x, "y": [v / 50 for v in x], "outlier": [False, True, False, False, False]},
                          index=["320100", "320200", "320300", "320400", "320500"])
    band = pd.DataFrame({"x": x, "fit": [v / 50 for v in x], "ci_low": [v / 60 for v in x],
                         "ci_high": [v / 40 for v in x]})
    labels = pd.Series({"320100": "南京", "320200": "无锡", "320300": "徐州", "320400": "常州", "320500": "连云港市区"})
    return charts.plot_regression(points, band, labels=labels, highlight=highlight, title="授权量与研发经费",
                                  xlabel="研发经费（万元）", ylabel="授权量（件）", note="弹性 1.00", source=SOURCE)


def test_regression_layout_is_reused_and_the_region_label_still_fits():
    """The highlighted point's label is left out of the layout and its key, then the tight box grows to hold
    it: a reused layout gives the bytes of a fresh one, and a long name at the right edge is not cut off."""
    png._LAYOUTS.clear()
    fresh = _bundle_png(_regression("320500"))
    png._LAYOUTS.clear()
    _bundle_png(_regression("320100"))
    assert len(png._LAYOUTS) == 1
    assert _bundle_png(_regression("320500")) == fresh and len(png._LAYOUTS) == 1
    _bundle_png(_regression("320200"))  # the outlier itself: its label leaves the layout, another key
    assert len(png._LAYOUTS) == 2
    from PIL import Image

    wide = Image.open(io.BytesIO(fresh)).size[0]
    short = Image.open(io.BytesIO(_bundle_png(_regression("320100")))).size[0]
    assert wide > short  # the rightmost point's five-character label widened the picture
