"""Choropleth maps of a territory's member regions (geopandas + matplotlib, projected, static PNG).

Boundaries are the simplified AMap-derived files bundled for the project; every map carries the
attribution and 示意图 disclaimer they require (:data:`ATTRIBUTION`).
"""
from __future__ import annotations

import csv
import os
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import data_dir, project_root
from ..errors import DataError, Problem
from ..narrative import Note
from ..territories import MapProfile, territory_profile
from .png import frame_content
from .style import CMAP, GREY, HIGHLIGHT, finish, new_figure, thousands_formatter

ATTRIBUTION = "底图来源：高德地图（经 cnmaps 整理）；示意图，不作为权属争议依据"
# Boundary file, join field and projection of each territory: its profile (params/territories.yaml, ``map``).
# Latitude below which the national map moves the South China Sea islands into an inset (南海诸岛).
SCS_LAT = 17.5
#: The dashed maritime boundary of China's standard maps (南海断续线), drawn on the national map and its inset.
DASHES_FILE = "china_maritime_dashes.geojson"
#: Units of the national boundary file that are not members of the territory's statistics but are part of the
#: map: drawn in grey as 无数据 (never hatched like foreign land) and labelled.
CONTEXT_LABELS = {"台湾省": "台湾"}
#: Label offsets (km, projected) with a leader line where labels of small neighbours would overlap.
LABEL_OFFSETS = {"100000": {"110000": (-330, 170), "120000": (330, 60), "310000": (330, -40), "130000": (-60, -150)}}
NO_DATA = "#d9d9d9"


class NoMap(Note):
    """A Markdown note shown in place of a map (a territory without a boundary file, e.g. the world ``WLD``)."""


@contextmanager
def deferred_draw(fig):
    """Suppress the full redraw geopandas requests after every ``GeoDataFrame.plot`` call.

    geopandas ends each plot call with ``canvas.draw_idle()``, which on the Agg/inline canvases of
    reports is an immediate full draw (constrained layout, every text measured, rasterised at 200 dpi):
    a national map with its inset, dashed line and highlight made five such draws before the one that
    is saved, about two thirds of the map's time. The saved figure is drawn once, when it is printed.
    """
    cntx = getattr(fig.canvas, "_idle_draw_cntx", None)  # what draw_idle itself uses against re-entry
    with (cntx() if cntx is not None else nullcontext()):
        yield


def map_profile(territory: str) -> MapProfile:
    """The ``map`` of the territory's profile; a :class:`DataError` when the territory has no boundary file."""
    prof = territory_profile(str(territory)).map
    if prof is None:
        raise DataError([Problem("no map geometry for this territory (no map in params/territories.yaml)",
                                 column="territory", value=str(territory))])
    return prof


def has_boundaries(territory: str) -> bool:
    """True when the territory's profile names a boundary file (``100000`` provinces, ``320000`` cities)."""
    return territory_profile(str(territory)).map is not None


def boundary_codes(territory: str, members: pd.DataFrame, features: pd.DataFrame) -> list[str]:
    """Region code of each boundary feature ("" for units that are not members, e.g. 台湾 香港 澳门).

    ``join_by: code`` reads the code from the profile's ``join_field``; ``join_by: name`` maps the name in it
    through ``data/reference/boundary_names.csv`` (the same table the interactive map uses).
    """
    prof = map_profile(territory)
    if prof.join_field not in features.columns:
        raise DataError([Problem("boundary file has no such feature property (map.join_field in "
                                 "params/territories.yaml)", file=prof.boundary_file, column=prof.join_field,
                                 value=sorted(c for c in features.columns if c != "geometry"))])
    keys = features[prof.join_field].astype(str)
    if prof.join_by == "name":
        keys = keys.map(boundary_names(prof.boundary_file)).fillna("")
    member_codes = set(members["code"].astype(str))
    return [k if k in member_codes else "" for k in keys]


@lru_cache(maxsize=8)
def _boundary_names(fname: str) -> tuple[tuple[str, str], ...]:
    table = data_dir() / "reference" / "boundary_names.csv"
    if not table.exists():
        raise DataError([Problem("boundary name table missing", file=str(table))])
    with open(table, encoding="utf-8", newline="") as fh:
        return tuple((r["name"], str(r["code"])) for r in csv.DictReader(fh) if r["file"] == fname)


def boundary_names(fname: str) -> dict[str, str]:
    """Feature name → region code for boundary file ``fname`` (``data/reference/boundary_names.csv``)."""
    return dict(_boundary_names(fname))


def no_map_note(territory_name: str) -> NoMap:
    """The sentence a report prints instead of a map when :func:`has_boundaries` is False (无底图)."""
    return NoMap(f"*（无底图：{territory_name}的成员地区没有随数据包提供的边界文件，本节不绘制地图，数值见表格。）*")


def boundaries_dir() -> Path:
    """Folder holding the boundary GeoJSON files.

    Looked up in order: ``IPLAYOUT_BOUNDARIES_DIR``; ``data/boundaries`` or any folder under ``data/``
    holding ``china_provinces.geojson``; the shared read-only copy next to the checkout
    (``../shared/data/boundaries``). Raises :class:`DataError` when none exists.
    """
    candidates = []
    if os.environ.get("IPLAYOUT_BOUNDARIES_DIR"):
        candidates.append(Path(os.environ["IPLAYOUT_BOUNDARIES_DIR"]))
    candidates.append(data_dir() / "boundaries")
    if data_dir().exists():
        candidates.extend(p.parent for p in sorted(data_dir().rglob("china_provinces.geojson")))
    candidates.append(project_root().parent / "shared" / "data" / "boundaries")
    for c in candidates:
        if (c / "china_provinces.geojson").exists() or (c / "jiangsu_cities.geojson").exists():
            return c
    raise DataError([Problem("no boundary files found; set IPLAYOUT_BOUNDARIES_DIR", file=str(candidates[0]))])


def maritime_dashes():
    """GeoDataFrame of the South China Sea dashed line (``data/boundaries/china_maritime_dashes.geojson``, WGS84)."""
    path = boundaries_dir() / DASHES_FILE
    if not path.exists():
        raise DataError([Problem("South China Sea dashed-line file missing (national maps need it)", file=str(path))])
    return _read(str(path))


def _short(name: str) -> str:
    """Two-character key that identifies a province uniquely (山西/山东, 广东/广西, 内蒙古 → 内蒙)."""
    return str(name).replace(" ", "")[:2]


@lru_cache(maxsize=8)
def _read(path: str):
    import geopandas as gpd

    g = gpd.read_file(path)
    if g.crs is None:  # some readers drop the CRS84 tag of these files
        g = g.set_crs("EPSG:4326")
    return g.to_crs("EPSG:4326")


def territory_geometry(territory: str, members: pd.DataFrame):
    """GeoDataFrame (``region_code``, ``name``, ``geometry``, WGS84) for a territory's member regions.

    Parameters
    ----------
    territory : str
        A territory whose profile has a ``map`` (``"100000"`` 31 provinces, ``"320000"`` 13 Jiangsu cities).
    members : DataFrame
        The territory's members with ``code`` and ``name`` (from ``IPDatabase.members``).

    Returns
    -------
    GeoDataFrame
        Member regions carry their code; other units in the file (台湾, 香港, 澳门) keep ``region_code`` ""
        and are drawn as context without data.
    """
    prof = map_profile(territory)
    g = _read(str(boundaries_dir() / prof.boundary_file)).copy()
    g["region_code"] = boundary_codes(territory, members, g)
    missing = sorted(set(members["code"].astype(str)) - set(g["region_code"]))
    if missing:
        raise DataError([Problem("member region has no boundary", column="region_code", value=c) for c in missing])
    return g[["region_code", "name", "geometry"]]


def plot_choropleth(geo, values: pd.Series, *, territory: str, title: str, legend_label: str = "",
                    highlight: str | None = None, labels: pd.Series | None = None, cmap: str = CMAP,
                    percent: bool = False, source: str | None = None, center: float | None = None,
                    scheme: str = "quantile", k: int = 5):
    """Choropleth of ``values`` (indexed by region code) over ``geo`` (from :func:`territory_geometry`).

    The map is projected (the territory profile's ``map.projection``), regions without a value are hatched grey ("无数据"),
    the ``highlight`` region is outlined in red, member regions are labelled with ``labels`` (short names)
    and the attribution line is printed under the map. ``center`` (e.g. 1 for location quotients) puts
    the midpoint of a diverging colour map at that value.

    ``scheme="quantile"`` (default) colours ``k`` quantile classes, so one dominant region (北京 on
    per-capita patents) does not wash every other region into the lightest shade; ``"linear"`` maps
    values continuously. Classes are computed here only to colour the map, from the values given.
    """
    prof = map_profile(territory)
    crs = prof.projection
    g = geo.copy()
    g["value"] = g["region_code"].map(values.astype("float64")) if len(values) else np.nan
    national = prof.south_china_sea_inset  # the national layout: 南海诸岛 in an inset, smaller labels
    main, scs, anchors = projected_layers(geo, territory)
    for layer in (main, scs):
        if layer is not None:
            layer["value"] = layer["region_code"].map(values.astype("float64")) if len(values) else np.nan
    fig, ax = new_figure(width=7.2, height=5.6 if national else 5.4)
    with deferred_draw(fig):
        _draw_choropleth(fig, ax, g, main, scs, crs, prof, anchors, territory=territory, title=title,
                         legend_label=legend_label, highlight=highlight, labels=labels, cmap=cmap, percent=percent,
                         center=center, scheme=scheme, k=k)
    line = ATTRIBUTION if not source else f"{source}。{ATTRIBUTION}"
    # the highlight outlines a region, colours its label: the same layout in every region's report (key: labels at
    # their anchors, values, titles; finish adds the axes' limits)
    texts = None if labels is None else tuple((c, t or str(labels.get(c, "")), p.x, p.y) for c, t, p in anchors)
    content = ("choropleth", str(territory), title, legend_label, cmap, percent, center, scheme, k, texts, frame_content(values))
    return finish(fig, source=line, layout=content)


def _draw_choropleth(fig, ax, g, main, scs, crs, prof, anchors, *, territory, title, legend_label, highlight, labels, cmap,
                     percent, center, scheme, k) -> None:
    import matplotlib as mpl

    national = prof.south_china_sea_inset
    finite = g["value"].dropna()
    vmin, vmax = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, int(k) + 1))) if len(finite) else np.array([])
    if center is not None and vmin < center < vmax:
        norm = mpl.colors.TwoSlopeNorm(vcenter=center, vmin=vmin, vmax=vmax)
    elif scheme == "quantile" and len(edges) >= 3:
        norm = mpl.colors.BoundaryNorm(edges, ncolors=mpl.colormaps[cmap].N)
    else:
        norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
    main.plot(column="value", ax=ax, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.5,
              missing_kwds={"color": NO_DATA, "edgecolor": "white", "linewidth": 0.5})
    dashes = projected_dashes(str(crs)) if national else None
    if dashes is not None:  # on the main map only the dash east of Taiwan; the inset shows the whole line
        dashes[0].plot(ax=ax, color="#4d4d4d", linewidth=1.2)
    _outline(ax, main, highlight)
    if labels is not None:
        _draw_labels(ax, anchors, labels, territory=territory, highlight=highlight, national=national)
    if national:  # free room at the lower right for the 南海诸岛 inset so it covers no province (台湾)
        x0, x1 = ax.get_xlim()
        ax.set_xlim(x0, x1 + 0.18 * (x1 - x0))
    ax.set_axis_off()
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.01)
    if isinstance(norm, mpl.colors.BoundaryNorm):
        cb.set_ticks(edges)
        legend_label = f"{legend_label}（五分位分级）" if int(k) == 5 else f"{legend_label}（{int(k)}分位分级）"
    cb.set_label(legend_label)
    if percent:
        from matplotlib.ticker import PercentFormatter

        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif vmax >= 1000:
        cb.ax.yaxis.set_major_formatter(thousands_formatter(0))
    _scs_inset(ax, scs, dashes, column="value", cmap=cmap, norm=norm,
               missing_kwds={"color": NO_DATA, "edgecolor": "#888888", "linewidth": 0.3})
    if g["value"].isna().any():  # a member without data, or 台湾/香港/澳门 (no figure in the bundled statistics)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(facecolor=NO_DATA, edgecolor="#bbbbbb", label="无数据")], loc="lower left",
                  fontsize=7.5, frameon=False, handlelength=1.2)


def plot_category_map(geo, categories: pd.Series, *, colours: dict, territory: str, title: str,
                      labels: pd.Series | None = None, source: str | None = None, legend_title: str = "",
                      highlight=None):
    """Map of categories (e.g. functional zones) over ``geo``: one colour per category, legend in order.

    ``categories`` maps region code → category label; ``colours`` label → colour, in legend order
    (labels without a region are left out of the legend). ``highlight``: a region code or several, outlined
    in red with red labels (the report's region, a group's members). Same profile projection, 南海诸岛 inset
    with the dashed line, 台湾 label, leader-line labels and attribution as :func:`plot_choropleth`.
    """
    from matplotlib.patches import Patch

    prof = map_profile(territory)
    crs = prof.projection
    g = geo.copy()
    g["cat"] = g["region_code"].map(categories)
    national = prof.south_china_sea_inset
    main, scs, anchors = projected_layers(geo, territory)
    for layer in (main, scs):
        if layer is not None:
            layer["colour"] = layer["region_code"].map(categories).map(colours).fillna(NO_DATA)
    fig, ax = new_figure(width=7.2, height=5.6 if national else 5.4)
    with deferred_draw(fig):
        main.plot(color=main["colour"], ax=ax, edgecolor="white", linewidth=0.5)
        dashes = projected_dashes(str(crs)) if national else None
        if dashes is not None:
            dashes[0].plot(ax=ax, color="#4d4d4d", linewidth=1.2)
        _outline(ax, main, highlight)
        if labels is not None:
            _draw_labels(ax, anchors, labels, territory=territory, highlight=highlight, national=national)
        if national:
            x0, x1 = ax.get_xlim()
            ax.set_xlim(x0, x1 + 0.18 * (x1 - x0))
        _scs_inset(ax, scs, dashes, color=scs["colour"] if scs is not None else None)
    present = [c for c in colours if c in set(categories.dropna())]
    handles = [Patch(facecolor=colours[c], edgecolor="#999999", label=c) for c in present]
    if g["cat"].isna().any():
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#bbbbbb", label="无数据"))
    ax.legend(handles=handles, title=legend_title or None, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize=8, frameon=False)
    ax.set_axis_off()
    ax.set_title(title)
    line = ATTRIBUTION if not source else f"{source}。{ATTRIBUTION}"
    return finish(fig, source=line)


def _scs_inset(ax, scs, dashes, **plot_kwargs) -> None:
    """The 南海诸岛 inset at the lower right: the islands (projected, drawn with ``plot_kwargs``) and the whole
    dashed line (``dashes`` from :func:`projected_dashes`)."""
    if scs is None or not len(scs):
        return
    inset = ax.inset_axes([0.83, 0.0, 0.17, 0.31])
    scs.plot(ax=inset, edgecolor="#888888", linewidth=0.3, **plot_kwargs)  # projected by projected_layers
    if dashes is not None:
        dashes[1].plot(ax=inset, color="#4d4d4d", linewidth=0.9)
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_title("南海诸岛", fontsize=7)
    for spine in inset.spines.values():
        spine.set_edgecolor(GREY)


#: projected layers of recently drawn territories (see :func:`projected_layers`); a few entries, each ~1 MB
_LAYERS: dict[tuple, tuple] = {}
_LAYERS_MAX = 8


def projected_layers(geo, territory: str):
    """The geometry a map of ``geo`` draws, prepared once per process: ``(main, scs, anchors)``.

    ``main`` is ``geo`` (``region_code``, ``name``, ``geometry``) projected with the profile's projection —
    on the national map without the South China Sea, which ``scs`` holds for the inset — and
    ``anchors`` the label points: ``(region code, context label, point)`` with one point per member
    (dissolved parts, ``representative_point``) and, nationally, one per context unit (台湾).

    Every report of a territory draws the same boundaries; clipping, projecting and dissolving them
    took about a fifth of a map's time. The cache key is the content itself (geometry as WKB, codes,
    names, projection), so a changed boundary file or member list is a miss; callers get copies.
    """
    import shapely

    prof = map_profile(territory)
    base = geo[["region_code", "name", "geometry"]]
    key = (str(territory), str(prof.projection), bool(prof.south_china_sea_inset),
           tuple(base["region_code"].astype(str)), tuple(base["name"].astype(str)),
           b"".join(shapely.to_wkb(base.geometry.values)), str(base.crs))
    hit = _LAYERS.get(key)
    if hit is None:
        hit = _project_layers(base, prof)
        while len(_LAYERS) >= _LAYERS_MAX:
            _LAYERS.pop(next(iter(_LAYERS)))
        _LAYERS[key] = hit
    main, scs, anchors = hit
    return main.copy(), (scs.copy() if scs is not None else None), anchors


@lru_cache(maxsize=4)
def projected_dashes(crs: str):
    """The South China Sea dashed line projected: (the part east of Taiwan for the main map, the whole line)."""
    from shapely.geometry import box

    dashes = maritime_dashes()
    return dashes.clip(box(70, 22.5, 140, 56)).to_crs(crs), dashes.to_crs(crs)


def _project_layers(base, prof):
    crs = prof.projection
    if prof.south_china_sea_inset:  # main map without the South China Sea, which goes into an inset
        from shapely.geometry import box

        main, scs = base.clip(box(70, SCS_LAT, 140, 56)), base.clip(box(105, 2.5, 125, 25)).to_crs(crs)
    else:
        main, scs = base, None
    main = main.to_crs(crs)
    lab = main[main["region_code"] != ""].dissolve(by="region_code", as_index=False)
    anchors = [(str(r["region_code"]), "", r.geometry.representative_point()) for _, r in lab.iterrows()]
    if prof.south_china_sea_inset:
        ctx = main[main["name"].isin(list(CONTEXT_LABELS))].dissolve(by="name", as_index=False)
        anchors += [("", CONTEXT_LABELS[str(r["name"])], r.geometry.representative_point()) for _, r in ctx.iterrows()]
    return main, scs, tuple(anchors)


def _codes(highlight) -> set[str]:
    """``highlight`` (None, one code, or several) as a set of code strings."""
    if highlight is None or (isinstance(highlight, str) and not highlight):
        return set()
    if isinstance(highlight, str):
        return {highlight}
    return {str(c) for c in highlight if c}


def _outline(ax, main, highlight) -> None:
    """The highlighted region(s) outlined in the highlight colour."""
    marked = _codes(highlight)
    hl = main[main["region_code"].isin(marked)] if marked else main.iloc[:0]
    if len(hl):
        hl.boundary.plot(ax=ax, color=HIGHLIGHT, linewidth=2.0)


def _draw_labels(ax, anchors, labels, *, territory: str, highlight, national: bool) -> None:
    """Short names on the map; small neighbours (北京/天津/上海) get an offset label with a leader line, and
    context units of the national map (台湾) are labelled too although they carry no figure."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]  # readable on dark fills
    offsets = LABEL_OFFSETS.get(str(territory), {})
    rows = [(code, context or str(labels.get(code, "")), p) for code, context, p in anchors]
    marked = _codes(highlight)
    for code, text, p in rows:
        colour = HIGHLIGHT if code and code in marked else "#1a1a1a"
        size = 6.5 if national else 8
        if code in offsets:
            dx, dy = offsets[code]
            ax.annotate(text, (p.x, p.y), xytext=(p.x + dx * 1000, p.y + dy * 1000), ha="center", va="center",
                        fontsize=size, color=colour, path_effects=halo,
                        arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 0})
        else:
            ax.annotate(text, (p.x, p.y), ha="center", va="center", fontsize=size, color=colour, path_effects=halo)
