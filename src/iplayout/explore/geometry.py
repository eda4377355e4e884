"""Map geometry of a territory for the explorer: the reports' boundaries, inset and dashed line.

The boundary file, its join to region codes and the coordinate precision come from the territory profile
(:func:`iplayout.plots.interactive.territory_boundary`), exactly as for the reports' interactive maps. The
national layout follows the static report maps: the main map stops at latitude ``SCS_LAT`` with only the dash
east of Taiwan, and the South China Sea islands with the whole dashed line go into a 南海诸岛 inset; 台湾 is
drawn and labelled (grey 无数据 when it has no figure).
"""
from __future__ import annotations

import json
import math

from shapely import clip_by_rect, make_valid
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from ..plots.interactive import ATTRIBUTION, compact_geojson, territory_boundary
from ..plots.maps import SCS_LAT

MAIN_BOX = (70.0, SCS_LAT, 140.0, 56.0)   # lon/lat box of the national main map (as plots.maps)
INSET_BOX = (105.0, 2.5, 125.0, 25.0)     # the 南海诸岛 inset
MAIN_DASHES_LAT = 22.5                    # on the main map only the dash east of Taiwan


def _clip(gj: dict, bbox: tuple[float, float, float, float], decimals: int) -> dict:
    """Features of ``gj`` clipped to ``bbox`` (features left empty are dropped), re-rounded."""
    feats = []
    for f in gj["features"]:
        g = clip_by_rect(shape(f["geometry"]), *bbox)  # tolerant of the self-touching rings rounding leaves
        polys = [p for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon" and not p.is_empty]
        if polys:
            geom = {"type": "MultiPolygon", "coordinates": [mapping(p)["coordinates"] for p in polys]}
            feats.append({"type": "Feature", "properties": {"name": f["properties"]["name"]}, "geometry": geom})
    out, _ = compact_geojson({"type": "FeatureCollection", "features": feats}, code_field="name", decimals=decimals)
    return out


def _lines(geom, decimals: int) -> list[list[list[float]]]:
    """Exterior rings of a (multi)polygon as ``[[lon, lat], …]`` lines."""
    polys = getattr(geom, "geoms", [geom])
    return [[[round(x, decimals), round(y, decimals)] for x, y in p.exterior.coords] for p in polys
            if p.geom_type == "Polygon"]


def _clip_lines(lines: list, lat_min: float) -> list:
    return [line for line in lines if min(p[1] for p in line) >= lat_min]


def _coords(geometry: dict):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [pt for poly in polys for ring in poly for pt in ring]


def territory_geometry(territory: str, members: list[str], *, outline: list[str] = ()) -> dict:
    """JSON-able geometry of ``territory``: ``main`` (and ``inset``) GeoJSON keyed by region code, dashed lines,
    the outline of the regions in ``outline`` (the 苏南 demonstration zone), a label point per member and the
    labels of context units (台湾).
    """
    spec = territory_boundary(territory)
    decimals = int(spec.get("decimals", 3))
    with open(spec["geojson_path"], encoding="utf-8") as fh:
        raw = json.load(fh)
    gj, file_names = compact_geojson(raw, code_field=spec.get("code_field"), names=spec.get("names"),
                                     decimals=decimals, source=str(spec["geojson_path"]))
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in gj["features"]}
    out = {"attribution": ATTRIBUTION, "context": dict(spec.get("context_labels") or {}),
           "file_names": file_names, "inset": None, "dashes": [], "inset_dashes": []}
    if "dashes" in spec:  # national layout
        out["main"] = _clip(gj, MAIN_BOX, decimals)
        out["inset"] = _clip(gj, INSET_BOX, decimals)
        dashes = [[[round(p[0], 3), round(p[1], 3)] for p in line] for line in spec["dashes"]]
        out["dashes"] = _clip_lines(dashes, MAIN_DASHES_LAT)
        out["inset_dashes"] = dashes
    else:
        out["main"] = gj
    main_shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in out["main"]["features"]}
    out["points"] = {}
    for c in members:
        g = main_shapes.get(c) or shapes.get(c)
        if g is not None:
            p = g.representative_point()
            out["points"][c] = [round(p.x, 3), round(p.y, 3)]
    zone = [main_shapes[c] for c in outline if c in main_shapes]
    # make_valid: rounded rings may touch themselves; the small buffer closes slivers between neighbours
    for part in ("main", "inset"):
        if out[part]:
            lats = [pt[1] for f in out[part]["features"] for pt in _coords(f["geometry"])]
            out[f"{part}_aspect"] = round(math.cos(math.radians((min(lats) + max(lats)) / 2)), 4)
    out["outline"] = _lines(unary_union([make_valid(z).buffer(0.002) for z in zone]), 3) if zone else []
    return out
