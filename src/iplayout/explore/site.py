"""Assemble the explorer: a static folder that opens from ``file://`` and from a zip, with no server and no CDN.

Chromium refuses ``fetch()``/XHR of local files, so every data file is a small script that hands its JSON to
a registered callback (``window.IPL_RECEIVE(key, payload)``, JSONP style) and the page loads it lazily with a
``<script>`` element: one file per territory-indicator, one geometry and one metadata file per territory.
All JSON goes through :func:`iplayout.plots.interactive.script_json` (no ``</script>`` break-out); the page
inserts data-derived strings as text, never as markup.

Layout::

    site/index.html  assets/{echarts.min.js, ECHARTS_LICENSE, ECHARTS_NOTICE, explore.js, explore.css}
    site/data/catalog.js  data/<territory>/{meta.js, geo.js, <indicator>.js …}  site/explore.json
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from ..errors import ParameterError
from ..fileio import atomic_dir
from ..plots.interactive import ASSETS_DIR, ECHARTS_VERSION, echarts_source, script_json
from ..plots.style import CMAP, HIGHLIGHT
from ..reporting.index import EXPLORER_MARKER
from ..territories import load_profiles, territory_profile
from .breaks import SCHEME_NAMES
from .data import K_CLASSES, file_key, indicator_entry, source_table, territory_payloads
from .geometry import territory_geometry
from .layers import find_runs, territory_layers

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "explore"
MARKER = EXPLORER_MARKER
DEFAULT_TERRITORIES = ("100000", "320000")
TITLE = "知识产权区域布局信息平台 · 可视化地理信息系统"


def jsonp(key: str, payload) -> str:
    """Text of a data script: ``IPL_RECEIVE("<key>", <json>);`` (both JSON-encoded safely)."""
    return f"window.IPL_RECEIVE({script_json(key)},{script_json(payload)});\n"


def read_jsonp(path: str | Path) -> tuple[str, object]:
    """Inverse of :func:`jsonp` (tests, and tools that read a built site): ``(key, payload)``."""
    text = Path(path).read_text(encoding="utf-8")
    head, tail = "window.IPL_RECEIVE(", ");\n"
    if not (text.startswith(head) and text.endswith(tail)):
        raise ParameterError(f"{path} is not an explorer data script")
    key, payload = json.loads("[" + text[len(head):-len(tail)] + "]")
    return key, payload


def palette(k: int = K_CLASSES) -> list[str]:
    """``k`` colours of the reports' sequential colour map (``plots.style.CMAP``), light to dark."""
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    cm = mpl.colormaps[CMAP]
    return [to_hex(cm(0.12 + 0.83 * i / max(k - 1, 1))) for i in range(k)]


def site_territories(db, requested=None) -> list[str]:
    """Territories to export: ``requested``, else 100000, 320000 and every profile with a map and members."""
    if requested:
        codes = [str(t) for t in requested]
    else:
        codes = list(DEFAULT_TERRITORIES) + sorted(c for c, p in load_profiles().items()
                                                    if p.map is not None and c not in DEFAULT_TERRITORIES)
    out = []
    for c in codes:
        if territory_profile(c).map is None:
            if requested:
                raise ParameterError(f"territory {c!r} has no boundary file (map in params/territories.yaml)")
            continue
        try:
            members = db.members(c)
        except ParameterError:  # a profile for a region the database does not hold
            if requested:
                raise
            continue
        if len(members):
            out.append(c)
    return out


def _check_target(out: Path) -> None:
    """Refuse to replace a non-empty folder that is not an explorer site (``-o reports/`` would wipe reports)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise ParameterError(f"{out} exists and is not an explorer site ({MARKER} missing); choose an empty or "
                             "new folder")


def _members(db, territory: str) -> list[dict]:
    m = db.members(territory)
    return [{"code": str(r["code"]), "name": str(r["name"]), "name_en": str(r.get("name_en") or ""),
             "group": str(r.get("region_group") or ""), "sunan": str(r.get("in_sunan_demo_zone")) == "True"}
            for r in m.to_dict("records")]


def build_site(db, out_dir: str | Path, *, runs_dir: str | Path | None = None, territories=None) -> dict:
    """Write the explorer into ``out_dir`` (atomically: a failed build leaves the old site) and return a summary.

    Parameters
    ----------
    db : IPDatabase
        From :func:`iplayout.open_db`.
    out_dir : path
        Site folder (new, empty, or an earlier site).
    runs_dir : path, optional
        Folder of run folders (``reports/``) whose stage results give the layers and report links.
    territories : list of str, optional
        Default: :func:`site_territories`.

    Returns
    -------
    dict
        ``seconds``, ``bytes`` (total and per territory), ``files`` and the indicator count per territory.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    _check_target(out)
    runs = find_runs(runs_dir, exclude=out) if runs_dir else []
    codes = site_territories(db, territories)
    build = db.build_info()
    catalog = {"title": TITLE, "territories": [], "schemes": SCHEME_NAMES, "palette": palette(),
               "highlight": HIGHLIGHT, "echarts": ECHARTS_VERSION,
               "database": {"built_at": build.get("built_at", ""), "code_version": build.get("code_version", "")},
               "sources": source_table(db)}
    summary = {"territories": {}, "files": 0}
    with atomic_dir(out, tag="explore") as tmp:
        (tmp / "assets").mkdir()
        (tmp / "assets" / "echarts.min.js").write_text(echarts_source(), encoding="utf-8")
        for name in ("ECHARTS_LICENSE", "ECHARTS_NOTICE"):
            (tmp / "assets" / name).write_bytes((ASSETS_DIR / name).read_bytes())
        for name in ("explore.js", "explore.css"):
            (tmp / "assets" / name).write_bytes((TEMPLATES / name).read_bytes())
        for code in codes:
            folder = tmp / "data" / file_key(code)
            folder.mkdir(parents=True)
            members = _members(db, code)
            mcodes = [m["code"] for m in members]
            payloads = territory_payloads(db, code, mcodes)
            for p in payloads:
                (folder / f"{file_key(p['key'])}.js").write_text(jsonp(f"data:{code}:{p['key']}", p), encoding="utf-8")
            geo = territory_geometry(code, mcodes, outline=[m["code"] for m in members if m["sunan"]])
            (folder / "geo.js").write_text(jsonp(f"geo:{code}", geo), encoding="utf-8")
            prof = territory_profile(code)
            meta = {"code": code, "label": prof.label, "scope": prof.scope_word, "members": members,
                    "groups": sorted({m["group"] for m in members if m["group"]}, key=prof.group_rank),
                    "indicators": [indicator_entry(p) for p in payloads],
                    "has_sunan": any(m["sunan"] for m in members),
                    **territory_layers(runs, code, out)}
            (folder / "meta.js").write_text(jsonp(f"meta:{code}", meta), encoding="utf-8")
            catalog["territories"].append({"code": code, "label": prof.label, "n": len(members),
                                           "default": _default_indicator(payloads)})
            size = sum(f.stat().st_size for f in folder.iterdir())
            summary["territories"][code] = {"indicators": len(payloads), "bytes": size,
                                            "files": len(payloads) + 2}
        (tmp / "data" / "catalog.js").write_text(jsonp("catalog", catalog), encoding="utf-8")
        (tmp / "index.html").write_text(render_index(catalog), encoding="utf-8")
        (tmp / MARKER).write_text(json.dumps({"generator": "iplayout explore", "territories": codes,
                                              "database": catalog["database"]}, ensure_ascii=False, indent=1),
                                  encoding="utf-8")
        files = [f for f in tmp.rglob("*") if f.is_file()]
        summary["bytes"] = sum(f.stat().st_size for f in files)
        summary["files"] = len(files)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    summary["path"] = str(out)
    return summary


def _default_indicator(payloads: list[dict]) -> str:
    keys = [p["key"] for p in payloads]
    for k in ("valid_patents_invention_per_10k_pop", "patent_grants", "patent_applications"):
        if k in keys:
            return k
    return keys[0] if keys else ""


def render_index(catalog: dict) -> str:
    """``index.html`` (Jinja2 with autoescape; the page reads everything else from ``data/catalog.js``)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    return env.get_template("index.html.j2").render(title=catalog["title"], echarts=catalog["echarts"],
                                                    database=catalog["database"])
