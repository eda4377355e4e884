"""Map speed-ups keep the output: prepared boundary layers are cached by content, and a map is drawn once.

A cache hit must give the same PNG bytes as a miss (warm report kernels must equal fresh ones), a
changed boundary or member list must miss, and geopandas' redraw after every plot call is suppressed.
"""
import io

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.affinity import translate

from iplayout.plots import maps

CITIES = ["南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"]
CODES = [f"32{i:02d}00" for i in range(1, 14)]
MEMBERS = pd.DataFrame({"code": CODES, "name": [c + "市" for c in CITIES]})


def _png(geo) -> bytes:
    vals = pd.Series(np.arange(13.0), index=CODES)
    fig = maps.plot_choropleth(geo, vals, territory="320000", title="各市专利", highlight="320500",
                               labels=pd.Series(CITIES, index=CODES))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60, bbox_inches="tight")
    return buf.getvalue()


@pytest.mark.slow  # the first map of a session pays geopandas' and the CJK font's first use (≈ 3–8 s)
def test_cache_hit_gives_the_same_png_bytes_as_a_miss():
    geo = maps.territory_geometry("320000", MEMBERS)
    maps._LAYERS.clear()
    miss = _png(geo)
    assert len(maps._LAYERS) == 1
    hit = _png(maps.territory_geometry("320000", MEMBERS))  # a new but equal frame: same content key
    assert len(maps._LAYERS) == 1
    assert hit == miss


def test_changed_geometry_or_members_miss_and_callers_get_copies():
    geo = maps.territory_geometry("320000", MEMBERS)
    maps._LAYERS.clear()
    main, _, anchors = maps.projected_layers(geo, "320000")
    main["value"] = 1.0  # a caller's column must not reach the cache
    again, _, anchors2 = maps.projected_layers(geo, "320000")
    assert "value" not in again.columns and anchors2 == anchors
    assert len(anchors) == 13 and {a[0] for a in anchors} == set(CODES)
    moved = geo.copy()
    moved.loc[moved["region_code"] == "320100", "geometry"] = moved.loc[moved["region_code"] == "320100", "geometry"].map(
        lambda g: translate(g, xoff=0.01))
    m2, _, anchors3 = maps.projected_layers(moved, "320000")
    assert len(maps._LAYERS) == 2  # changed boundary: a miss
    nj = dict((a[0], a[2]) for a in anchors3)["320100"]
    assert nj.x != dict((a[0], a[2]) for a in anchors)["320100"].x
    renamed = geo.assign(region_code=geo["region_code"].replace({"320100": ""}))
    maps.projected_layers(renamed, "320000")
    assert len(maps._LAYERS) == 3  # changed member list: a miss
    # the cached projection is the one geopandas computes directly
    direct = geo.to_crs(maps.map_profile("320000").projection)
    assert shapely.equals_exact(again.geometry.values, direct.geometry.values, tolerance=1e-6).all()
    assert not shapely.equals_exact(m2.geometry.values, direct.geometry.values, tolerance=1e-6).all()


def test_a_map_is_not_redrawn_while_it_is_built(monkeypatch):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    orig = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self, *a, **k: (draws.append(1), orig(self, *a, **k))[1])
    geo = maps.territory_geometry("320000", MEMBERS)
    vals = pd.Series(np.arange(13.0), index=CODES)
    maps.plot_choropleth(geo, vals, territory="320000", title="各市专利", highlight="320500")
    assert draws == []  # before: one full draw per geopandas plot call (polygons, highlight outline)
