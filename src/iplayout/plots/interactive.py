"""Interactive choropleth for the HTML reports: vendored Apache ECharts, inlined, never from a CDN.

The script (``assets/echarts.min.js``, see ``assets/README.md`` for version and checksum) is inlined
once per kernel, the boundaries are registered with ``echarts.registerMap`` and every data-derived
string travels as JSON inside the script (``<``, ``>``, ``&`` escaped), so a region name cannot close
the ``<script>`` element. The output is wrapped in ``<div class="ipl-screen-only">``: the PDF renderer
drops such outputs and keeps the static matplotlib map (``maps.plot_choropleth``) instead.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, Problem
from .maps import ATTRIBUTION, boundaries_dir, boundary_names, map_profile
from .style import CMAP, HIGHLIGHT

ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
ECHARTS_FILE = ASSETS_DIR / "echarts.min.js"
ECHARTS_VERSION = "5.6.0"
ECHARTS_SHA256 = "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1"
SCREEN_ONLY_CLASS = "ipl-screen-only"  # render.render_print_html drops outputs carrying this class
LIBRARY_ID = "ipl-echarts-lib"
NO_DATA_COLOUR = "#eeeeee"
HELP = "交互地图：悬停查看数值，滚轮缩放、拖动平移，拖动图例手柄筛选区间；PDF 版仅含静态地图。"
# Per-kernel state: a notebook is one kernel, so the 1 MB library is inlined with its first map only.
_STATE = {"library_inlined": False, "maps": 0}


def reset_inline_state() -> None:
    """Forget that the library was inlined (a new document starts; tests call this)."""
    _STATE["library_inlined"] = False
    _STATE["maps"] = 0


@lru_cache(maxsize=1)
def echarts_source() -> str:
    """Text of the vendored ``echarts.min.js``, checked against :data:`ECHARTS_SHA256`."""
    data = ECHARTS_FILE.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != ECHARTS_SHA256:
        raise DataError([Problem("vendored ECharts does not match its recorded sha256", file=str(ECHARTS_FILE),
                                 value=digest)])
    text = data.decode("utf-8")
    if "</script" in text.lower() or "<!--" in text:  # would end or confuse the inline <script> element
        raise DataError([Problem("vendored script contains '</script' or '<!--'", file=str(ECHARTS_FILE))])
    return text


def script_json(obj) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    Notes
    -----
    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``, ``\\u0026`` and the JavaScript line
    terminators U+2028/U+2029 are escaped too: the result is still the same JSON value, but no
    string in it can form ``</script>`` or ``<!--`` (the escaping OWASP recommends for JSON
    embedded in script blocks). NaN/inf are refused (``allow_nan=False``): they are not JSON.

    References
    ----------
    OWASP Cross Site Scripting Prevention Cheat Sheet, rule 3.1 (HTML-escape JSON values in an HTML
    context and read the data with ``JSON.parse``).
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return text


def _round_ring(ring, decimals: int) -> list:
    """Round a linear ring's positions and drop consecutive duplicates; [] when fewer than 4 remain."""
    out: list = []
    for pos in ring:
        p = [round(float(pos[0]), decimals), round(float(pos[1]), decimals)]
        if not out or p != out[-1]:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))  # GeoJSON rings are closed (RFC 7946 §3.1.6)
    return out if len(out) >= 4 else []


def _round_polygon(rings, decimals: int) -> list:
    """A polygon with rounded rings; [] when its exterior collapses, holes that collapse are dropped."""
    outer = _round_ring(rings[0], decimals) if rings else []
    if not outer:
        return []
    return [outer] + [r for r in (_round_ring(h, decimals) for h in rings[1:]) if r]


def compact_geojson(geojson: Mapping, *, code_field: str | None = None, names: Mapping[str, str] | None = None,
                    decimals: int = 3, source: str = "") -> tuple[dict, dict]:
    """Boundaries keyed by region code, coordinates rounded, for ``echarts.registerMap``.

    Parameters
    ----------
    geojson : mapping
        A GeoJSON FeatureCollection of Polygon/MultiPolygon features in WGS84 longitude/latitude.
    code_field : str, optional
        Feature property holding the region code (``"adcode"`` in ``jiangsu_cities.geojson``).
    names : mapping, optional
        Feature ``name`` → region code (``data/reference/boundary_names.csv``), for files without codes.
        Exactly one of ``code_field`` and ``names`` is given.
    decimals : int
        Decimal places kept: 3 ≈ 110 m, 2 ≈ 1.1 km, finer than the simplification of the bundled files
        (0.003° cities, 0.02° provinces), so rounding changes the drawing by less than a line width.
    source : str
        File name used in error messages.

    Returns
    -------
    (dict, dict)
        The compact FeatureCollection (each feature's only property is ``name`` = region code, which is
        how ECharts joins data items to areas) and region code → the file's own feature name.

    Raises
    ------
    DataError
        A feature without a code, a duplicated code, or a region that vanishes at this precision.
    """
    if (code_field is None) == (names is None):
        raise ParameterError("give exactly one of code_field and names")
    features, file_names, problems = [], {}, []
    for i, feat in enumerate(geojson.get("features", [])):
        props = feat.get("properties") or {}
        fname = str(props.get("name", ""))
        code = str(props.get(code_field, "")) if code_field else str(names.get(fname, ""))
        if not code or code == "None":
            problems.append(Problem("boundary feature has no region code", file=source, line=i,
                                    column=code_field or "name", value=fname))
            continue
        if code in file_names:
            problems.append(Problem("region code appears twice in the boundary file", file=source, line=i,
                                    column=code_field or "name", value=code))
            continue
        geom = feat.get("geometry") or {}
        polys = geom.get("coordinates", []) if geom.get("type") == "MultiPolygon" else [geom.get("coordinates", [])]
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(Problem("only Polygon/MultiPolygon geometries are supported", file=source, line=i,
                                    column="geometry", value=geom.get("type")))
            continue
        kept = [p for p in (_round_polygon(poly, decimals) for poly in polys) if p]
        if not kept:
            problems.append(Problem(f"region vanishes when rounded to {decimals} decimals", file=source, line=i,
                                    column="geometry", value=code))
            continue
        geometry = {"type": "Polygon", "coordinates": kept[0]} if len(kept) == 1 else \
            {"type": "MultiPolygon", "coordinates": kept}
        features.append({"type": "Feature", "properties": {"name": code}, "geometry": geometry})
        file_names[code] = fname
    if problems:
        raise DataError(problems)
    return {"type": "FeatureCollection", "features": features}, file_names


def equalised_colours(values, *, cmap: str = CMAP, stops: int = 33) -> list[str]:
    """Colour stops for a continuous ``visualMap`` whose gradient follows the values' empirical CDF.

    Notes
    -----
    ECharts spreads ``inRange.color`` evenly over ``[min, max]`` and interpolates linearly between
    stops. Stop ``j`` at ``t_j = min + j (max − min) / (stops − 1)`` gets ``cmap(F(t_j))`` where ``F`` is
    the piecewise-linear empirical CDF through the sorted distinct values ``x_(i)`` at plotting
    positions ``(i − 1) / (n − 1)`` (ties share the mean position). The colour of a region then tracks
    its percentile rank — histogram equalisation — so, as in the static map's quantile classes, one
    dominant region does not wash every other region into the lightest shade, while the legend stays
    continuous in the indicator's own units.

    References
    ----------
    Gonzalez, R. C., Woods, R. E. (2018). *Digital Image Processing*, 4th ed., §3.3 (histogram
    equalisation). Slocum, T. A. et al. (2009). *Thematic Cartography and Geovisualization*, 3rd ed.,
    ch. 5 (quantile classification).
    """
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    x = np.sort(np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64"))
    cm = mpl.colormaps[cmap]
    if len(x) < 2 or x[0] == x[-1]:
        return [to_hex(cm(0.5))] * 2
    pos = np.linspace(0.0, 1.0, len(x))
    uniq, inverse = np.unique(x, return_inverse=True)
    upos = np.bincount(inverse, weights=pos) / np.bincount(inverse)  # mean plotting position of ties
    t = np.linspace(x[0], x[-1], int(stops))
    return [to_hex(cm(float(f))) for f in np.interp(t, uniq, upos)]


def value_decimals(values) -> int:
    """Decimals for tooltip figures: 0 from 1,000 up, 1 from 10, 2 from 1, else 3 (by the largest |value|)."""
    v = pd.Series(values, dtype="float64").dropna().abs()
    top = float(v.max()) if len(v) else 0.0
    return 0 if top >= 1000 else 1 if top >= 10 else 2 if top >= 1 else 3


def map_spec(values: pd.Series, geojson: Mapping, *, file_names: Mapping[str, str], title: str, unit: str,
             highlight: str | None = None, labels: Mapping | None = None, short_labels: Mapping | None = None,
             cmap: str = CMAP, decimals: int | None = None) -> dict:
    """Everything the drawing script needs, as plain JSON-able data (pure; see :func:`map_html`).

    ``values`` is indexed by region code (codes as strings); NaN means no data (grey area, "无数据").
    ``geojson`` comes from :func:`compact_geojson`; only regions in ``values`` get an on-map label (the
    tooltip names every unit). Codes in ``values`` without a boundary raise
    :class:`DataError`. The equirectangular map is drawn with ``aspectScale = cos φ0`` at the mid
    latitude φ0 of the boundaries, so shapes are not stretched east–west.
    """
    v = pd.Series(values, dtype="float64")
    v.index = v.index.astype(str)
    codes = [f["properties"]["name"] for f in geojson["features"]]
    missing = sorted(set(v.index) - set(codes))
    if missing:
        raise DataError([Problem("region has a value but no boundary", column="region_code", value=c) for c in missing])
    finite = v[np.isfinite(v)]
    d = value_decimals(finite) if decimals is None else int(decimals)
    data = []
    for code in codes:  # boundary order: deterministic and independent of the Series order
        if code in finite.index:
            item = {"name": code, "value": round(float(finite[code]), 10), "text": f"{finite[code]:,.{d}f}"}
            if highlight is not None and code == str(highlight):
                item["itemStyle"] = {"borderColor": HIGHLIGHT, "borderWidth": 2.5}
            data.append(item)
    lats = [pos[1] for f in geojson["features"] for ring in _rings(f["geometry"]) for pos in ring]
    phi0 = (min(lats) + max(lats)) / 2 if lats else 0.0

    def name_of(code: str, table: Mapping | None) -> str:
        got = table.get(code) if table is not None else None
        return str(got) if got is not None and not (isinstance(got, float) and math.isnan(got)) else file_names.get(code, code)

    return {
        "title": str(title), "unit": str(unit),
        "names": {c: name_of(c, labels) for c in codes},
        # on-map labels for the regions mapped (members), not for context units such as 台湾/香港/澳门
        "short": {c: name_of(c, short_labels if short_labels is not None else labels) for c in codes if c in v.index},
        "min": round(float(finite.min()), 10) if len(finite) else 0.0,
        "max": round(float(finite.max()), 10) if len(finite) else 1.0,
        "precision": d, "colors": equalised_colours(finite, cmap=cmap),
        "aspect": round(math.cos(math.radians(phi0)), 4), "data": data, "geojson": geojson,
        "noData": NO_DATA_COLOUR, "highlight": HIGHLIGHT,
    }


def _rings(geometry: Mapping):
    coords = geometry["coordinates"]
    polys = coords if geometry["type"] == "MultiPolygon" else [coords]
    return [ring for poly in polys for ring in poly]


_DRAW_JS = """(function () {
  var spec = %(spec)s;
  var el = document.getElementById(%(el_id)s);
  if (!el) { return; }
  if (!window.echarts) { el.textContent = "交互地图未能显示（缺少 ECharts 脚本），请参阅静态地图。"; return; }
  var ec = window.echarts, esc = ec.format.encodeHTML;
  if (!ec.getMap(%(map_name)s)) { ec.registerMap(%(map_name)s, spec.geojson); }
  var chart = ec.init(el, null, {renderer: "canvas"});
  chart.setOption({
    animation: false,
    tooltip: {trigger: "item", formatter: function (p) {
      var text = p.data && p.data.text !== undefined ? p.data.text + (spec.unit ? " " + spec.unit : "") : "无数据";
      return "<b>" + esc(spec.names[p.name] || p.name) + "</b><br/>" + esc(text);
    }},
    visualMap: {type: "continuous", min: spec.min, max: spec.max, precision: spec.precision, calculable: true,
      inRange: {color: spec.colors}, text: ["高", "低"], left: 6, bottom: 10, itemHeight: 110,
      textStyle: {fontSize: 11}},
    series: [{type: "map", map: %(map_name)s, roam: true, aspectScale: spec.aspect, selectedMode: false,
      top: 10, bottom: 10, left: 70, right: 10,
      label: {show: true, fontSize: 10, color: "#1a1a1a", textBorderColor: "#ffffff", textBorderWidth: 2, formatter: function (p) { return spec.short[p.name] || ""; }},
      itemStyle: {areaColor: spec.noData, borderColor: "#ffffff", borderWidth: 0.6},
      emphasis: {label: {show: true}, itemStyle: {areaColor: "#edae49"}},
      data: spec.data}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();"""


def map_html(spec: Mapping, *, element_id: str, include_library: bool, height: int = 540,
             source: str | None = None) -> str:
    """HTML fragment: screen-only wrapper, title, chart container, note, attribution and scripts.

    Text shown as HTML is escaped with :func:`html.escape`; data reaches the script only through
    :func:`script_json`; the chart draws names on a canvas or escapes them with ECharts'
    ``format.encodeHTML`` (tooltip). ``include_library`` inlines the vendored ECharts bundle inside a
    function whose ``define``/``exports``/``module`` are undefined, so the UMD wrapper always sets the
    global ``echarts`` (even where require.js is loaded, e.g. the classic Notebook), and only when no
    earlier output has defined it.
    """
    map_name = "ipl-" + hashlib.sha256(script_json(spec["geojson"]).encode()).hexdigest()[:12]
    esc = html.escape
    note = f"{source}。{ATTRIBUTION}" if source else ATTRIBUTION
    parts = [f'<div class="ipl-imap {SCREEN_ONLY_CLASS}">',
             f'<p class="ipl-imap-title">{esc(spec["title"])}（交互）</p>',
             f'<div id="{esc(element_id)}" class="ipl-imap-canvas" style="width:100%;height:{int(height)}px" '
             f'role="img" aria-label="{esc(spec["title"])}"></div>',
             f'<p class="ipl-imap-note">{esc(HELP)}<br/>{esc(note)}</p>']
    if include_library:
        parts.append(f'<script id="{LIBRARY_ID}">if (!window.echarts) {{ (function (define, exports, module) {{\n'
                     f'{echarts_source()}\n}}).call(window); }}</script>')
    parts.append("<script>" + _DRAW_JS % {"spec": script_json(dict(spec)), "el_id": script_json(element_id),
                                           "map_name": script_json(map_name)} + "</script>")
    parts.append("</div>")
    return "\n".join(parts)


@lru_cache(maxsize=8)
def _load_geojson(path: str, code_field: str | None, names: tuple | None, decimals: int) -> str:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    gj, file_names = compact_geojson(raw, code_field=code_field, names=dict(names) if names else None,
                                     decimals=decimals, source=path)
    return json.dumps([gj, file_names], ensure_ascii=False)  # cached as text: callers get fresh objects


def territory_boundary(territory: str) -> dict:
    """``geojson_path`` plus ``code_field`` or ``names`` for a territory's bundled boundary file.

    Read from the territory profile's ``map`` (params/territories.yaml): ``jiangsu_cities.geojson`` carries
    ``adcode`` (``join_by: code``); ``china_provinces.geojson`` only ``name``, joined through
    ``data/reference/boundary_names.csv`` (``join_by: name``). ``interactive_decimals``: the provinces were
    simplified at 0.02°, so 2 decimals (≤ 0.005° shift) lose nothing visible and cut the national map from
    ≈ 370 kB to ≈ 260 kB.
    """
    prof = map_profile(territory)
    path = boundaries_dir() / prof.boundary_file
    if prof.join_by == "code":
        out = {"geojson_path": path, "code_field": prof.join_field}
    else:
        out = {"geojson_path": path, "names": boundary_names(prof.boundary_file)}
    return {**out, "decimals": prof.interactive_decimals}


def interactive_map(values: pd.Series, *, geojson_path, code_field: str | None = None,
                    names: Mapping[str, str] | None = None, title: str, unit: str, highlight: str | None = None,
                    labels: Mapping | None = None, short_labels: Mapping | None = None, cmap: str = CMAP,
                    source: str | None = None, decimals: int = 3, height: int = 540, include_library: bool | None = None):
    """Interactive ECharts choropleth of ``values`` (index = region code) as an IPython ``HTML`` object.

    Parameters
    ----------
    values : Series
        Region code → value; NaN is shown as 无数据.
    geojson_path : path
        WGS84 boundary GeoJSON; ``code_field`` or ``names`` joins its features to region codes.
    title, unit : str
        Shown above the map and in the tooltip (``name: value unit``).
    highlight : str, optional
        Region code outlined in the house highlight colour.
    labels, short_labels : mapping, optional
        Region code → name for the tooltip and for the on-map labels (default: the file's names).
    source : str, optional
        Data-source sentence printed before the attribution line.
    decimals : int
        Coordinate decimals kept (:func:`compact_geojson`).
    include_library : bool, optional
        Inline ECharts; by default only in the kernel's first interactive map.

    Returns
    -------
    IPython.display.HTML
        Marked ``ipl-screen-only``: HTML reports show it, the PDF renderer drops it.
    """
    from IPython.display import HTML

    key = tuple(sorted(names.items())) if names is not None else None
    gj, file_names = json.loads(_load_geojson(str(geojson_path), code_field, key, int(decimals)))
    spec = map_spec(values, gj, file_names=file_names, title=title, unit=unit, highlight=highlight, labels=labels,
                    short_labels=short_labels, cmap=cmap)
    if include_library is None:
        include_library = not _STATE["library_inlined"]
    _STATE["library_inlined"] = _STATE["library_inlined"] or include_library
    _STATE["maps"] += 1
    digest = hashlib.sha256(script_json(spec).encode()).hexdigest()[:10]
    return HTML(map_html(spec, element_id=f"ipl-imap-{digest}-{_STATE['maps']}", include_library=include_library,
                         height=height, source=source))
