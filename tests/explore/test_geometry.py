"""The explorer's map follows the report maps: 台湾 drawn, 南海诸岛 inset with the dashed line, 苏南 outline."""
from shapely.geometry import Point, shape

from iplayout.explore.geometry import MAIN_DASHES_LAT, territory_geometry
from iplayout.plots.maps import SCS_LAT


def _lats(gj):
    return [pt[1] for f in gj["features"] for poly in
            (f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiPolygon" else [f["geometry"]["coordinates"]])
            for ring in poly for pt in ring]


def test_national_layout(db):
    members = db.members("100000")["code"].astype(str).tolist()
    g = territory_geometry("100000", members)
    codes = {f["properties"]["name"] for f in g["main"]["features"]}
    assert set(members) <= codes and "710000" in codes and g["context"] == {"710000": "台湾"}
    assert min(_lats(g["main"])) >= SCS_LAT - 1e-9  # the islands left the main map …
    inset = {f["properties"]["name"] for f in g["inset"]["features"]}
    assert "460000" in inset and min(_lats(g["inset"])) < 10  # … for the inset (南沙群岛 near 4–10°N)
    assert len(g["inset_dashes"]) == 10 and all(min(p[1] for p in line) >= MAIN_DASHES_LAT for line in g["dashes"])
    assert 1 <= len(g["dashes"]) < len(g["inset_dashes"])  # only the dash east of Taiwan on the main map
    assert 0.7 < g["main_aspect"] < 0.85 and g["outline"] == []


def test_jiangsu_outline_and_label_points(db):
    m = db.members("320000")
    members = m["code"].astype(str).tolist()
    sunan = m[m["in_sunan_demo_zone"]]["code"].astype(str).tolist()
    g = territory_geometry("320000", members, outline=sunan)
    assert g["inset"] is None and g["dashes"] == [] and sorted(sunan) == ["320100", "320200", "320400", "320500", "321100"]
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in g["main"]["features"]}
    for c in members:
        assert shapes[c].buffer(1e-6).contains(Point(g["points"][c])), c
    # the outline encloses the five 苏南 cities and none of the others
    outline = max((shape({"type": "Polygon", "coordinates": [ring]}) for ring in g["outline"]), key=lambda s: s.area)
    assert all(outline.contains(Point(g["points"][c])) for c in sunan)
    assert not any(outline.contains(Point(g["points"][c])) for c in members if c not in sunan)
