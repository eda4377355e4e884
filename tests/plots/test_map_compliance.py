"""National maps fit for an official submission: 台湾 drawn and labelled as China (grey 无数据, never hatched),
the South China Sea dashed line on the map and in the 南海诸岛 inset, no overlapping labels for 北京/天津/上海."""
import json

import pandas as pd
import pytest
from matplotlib.text import Annotation

import iplayout
from iplayout.config import default_db_path
from iplayout.plots import interactive as im
from iplayout.plots import maps


@pytest.fixture(scope="module")
def national():
    with iplayout.open_db(default_db_path()) as db:
        members = db.members("100000")
    geo = maps.territory_geometry("100000", members)
    labels = members.set_index("code")["name"].str.slice(0, 2)
    return geo, members, labels


def test_boundary_file_has_taiwan_and_the_dashed_line():
    gj = json.loads((maps.boundaries_dir() / "china_provinces.geojson").read_text(encoding="utf-8"))
    names = [f["properties"]["name"] for f in gj["features"]]
    assert len(names) == 34 and "台湾省" in names and "香港特别行政区" in names and "澳门特别行政区" in names
    dashes = maps.maritime_dashes()
    lines = list(dashes.geometry.iloc[0].geoms)
    assert len(lines) == 10  # ten dashes of the 2013 standard map (nine in the sea, one east of Taiwan)
    lo, la = zip(*[c for ln in lines for c in ln.coords])
    assert 3.3 < min(la) < 3.5 and 24.5 < max(la) < 24.7 and 108 < min(lo) and max(lo) < 123


def test_static_map_draws_taiwan_grey_labelled_and_the_dashes(national):
    geo, members, labels = national
    vals = pd.Series(1.0, index=members["code"])
    fig = maps.plot_choropleth(geo, vals, territory="100000", title="全国", labels=labels)
    ax = fig.axes[0]
    texts = {t.get_text(): t for t in ax.texts}
    assert "台湾" in texts
    assert not any(getattr(p, "get_hatch", lambda: None)() for c in ax.collections for p in [c])  # nothing hatched
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["无数据"]  # 台湾/香港/澳门: grey 无数据
    inset = [a for a in ax.child_axes if a.get_title() == "南海诸岛"]
    assert len(inset) == 1 and any(type(c).__name__ == "LineCollection" for c in inset[0].collections)
    assert any(type(c).__name__ == "LineCollection" for c in ax.collections)  # the dash east of Taiwan
    # 北京/天津/上海 sit inside or next to larger neighbours: labelled off the shape with a leader line
    for short in ("北京", "天津", "上海"):
        t = texts[short]
        assert isinstance(t, Annotation) and t.arrow_patch is not None and t.xyann != t.xy


def test_interactive_map_has_taiwan_label_and_the_dashes(national):
    _, members, labels = national
    b = im.territory_boundary("100000")
    assert b["context_labels"] == {"710000": "台湾"} and len(b["dashes"]) == 10
    gj, file_names = json.loads(im._load_geojson(str(b["geojson_path"]), None, tuple(sorted(b["names"].items())), 2))
    spec = im.map_spec(pd.Series(1.0, index=members["code"]), gj, file_names=file_names, title="全国", unit="件",
                       short_labels=labels.to_dict(), dashes=b["dashes"], context_labels=b["context_labels"])
    assert spec["short"]["710000"] == "台湾" and "710000" not in {d["name"] for d in spec["data"] if "value" in d}
    codes = [f["properties"]["name"] for f in spec["geojson"]["features"]]
    assert im.DASHES_CODE in codes and spec["names"][im.DASHES_CODE] == "南海断续线"
    html = im.map_html(spec, element_id="x", include_library=False)
    assert "hideOverlap" in html and "示意图" in html
