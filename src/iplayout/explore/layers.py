"""Layers and report links from finished run folders (``reports/<run>/manifest.json`` + stage folders).

A layer exists only where a run computed it: coupling-coordination class (evaluation stage), functional zone
and its probability (allocation stage), catalogue entries by industry (allocation), patent-navigation parks
(regions stage; ``params/parks.yaml`` holds no verified park, so the layer says so). Report links are the
run's successful HTML reports, written relative to the site folder so that they work from ``file://`` and
inside a zip of the reports folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..reporting.manifest import run_manifests
from ..stages.store import read_meta

STAGE_ZH = {"survey": "资源调查", "evaluation": "综合评价", "allocation": "功能区与导向目录", "regions": "区域布局规划"}
_LAYER_KEYS = {"evaluation": ("coupling",), "allocation": ("zones", "catalogue"), "regions": ("parks", "peers")}
PARKS_EMPTY = ("params/parks.yaml 中尚无经核实的专利导航产业园区（每个园区须附认定文件的标题、文号与日期），"
               "本图层为空。")


def find_runs(runs_dir: str | Path, *, exclude: Path | None = None) -> list[tuple[Path, dict]]:
    """Run folders under ``runs_dir`` that have a manifest, newest first (:func:`reporting.manifest.run_manifests`)."""
    return run_manifests(runs_dir, exclude=exclude)


def _href(target: Path, site_dir: Path) -> str:
    return Path(os.path.relpath(target.resolve(), site_dir.resolve())).as_posix()


def _read(folder: Path, table: str) -> pd.DataFrame:
    path = folder / f"{table}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return round(v, 4) if np.isfinite(v) else None


def _stage_folder(run_dir: Path, manifest: dict, stage: str, territory: str) -> list[tuple[int, Path]]:
    """(year, folder) of every successful ``stage`` computation for ``territory`` in the run."""
    out = []
    for key, rec in sorted((manifest.get("stages") or {}).items()):
        name, terr, year = (key.split(":") + ["", "", ""])[:3]
        if name != stage or terr != territory or rec.get("status") not in ("ok", "reused"):
            continue
        folder = run_dir / str(rec.get("folder", ""))
        if read_meta(folder) is not None and year.isdigit():
            out.append((int(year), folder))
    return out


def _coupling(folder: Path) -> dict:
    s = _read(folder, "scores")
    if s.empty or "class" not in s.columns:
        return {}
    return {str(r["region_code"]): {"cls": str(r["class"]), "D": _num(r.get("D")), "rank": _num(r.get("rank"))}
            for r in s.to_dict("records")}


def _zones(folder: Path) -> dict:
    z = _read(folder, "zones")
    if z.empty:
        return {}
    return {str(r["region_code"]): {"zone": str(r["zone"]), "name": str(r.get("zone_name") or ""),
                                    "p": _num(r.get("probability")), "borderline": bool(r.get("borderline")),
                                    "pattern": str(r.get("pattern") or "")}
            for r in z.to_dict("records")}


def _catalogue(folder: Path) -> dict:
    c = _read(folder, "catalogue")
    out: dict[str, dict] = {}
    for r in c.to_dict("records"):
        if not r.get("action"):
            continue
        out.setdefault(str(r["industry_code"]), {})[str(r["region_code"])] = {
            "action": str(r["action"]), "levers": str(r.get("levers") or ""), "is_demo": bool(r.get("is_demo"))}
    return out


def _parks(folder: Path) -> list[dict]:
    p = _read(folder, "parks")
    return [{"name": str(r["name"]), "city": str(r["city_code"]), "level": str(r.get("level_zh") or r.get("level")),
             "source": f"{r.get('source_title', '')}（{r.get('source_number', '')}，{r.get('source_date', '')}）"}
            for r in p.to_dict("records")]


def _peers(folder: Path, k: int = 3) -> dict[str, list[str]]:
    """Region → its ``k`` structurally nearest peers (regions stage ``peers`` table, by rank)."""
    p = _read(folder, "peers")
    if p.empty:
        return {}
    p = p.sort_values(["region_code", "rank"])
    return {str(c): [str(x) for x in g["peer_code"].head(k)] for c, g in p.groupby("region_code", sort=True)}


def _report(job: dict, run_dir: Path, site_dir: Path, run_id: str) -> dict | None:
    html = (job.get("outputs") or {}).get("html")
    if job.get("status") not in ("ok", "reused") or not html or not (run_dir / html).is_file():
        return None
    return {"title": str(job.get("report_title") or job.get("title") or html), "stage": str(job.get("stage") or ""),
            "stage_zh": STAGE_ZH.get(str(job.get("stage")), str(job.get("stage") or "")),
            "year": job.get("year"), "run": run_id, "href": _href(run_dir / html, site_dir),
            "is_demo": bool(job.get("is_demo"))}


def territory_layers(runs: list[tuple[Path, dict]], territory: str, site_dir: Path) -> dict:
    """Layers by year and report links by region for ``territory`` (newest run wins for a stage-year)."""
    years: dict[int, dict] = {}
    reports: dict[str, list[dict]] = {}
    territory_reports: list[dict] = []
    used = []
    for run_dir, m in runs:
        run_id = str(m.get("run_id") or run_dir.name)
        jobs = [j for j in m.get("jobs", []) if str(j.get("territory")) == territory]
        stages = {st: _stage_folder(run_dir, m, st, territory) for st in ("evaluation", "allocation", "regions")}
        if not jobs and not any(stages.values()):
            continue
        used.append({"run": run_id, "title": str((m.get("plan") or {}).get("title") or run_id),
                     "state": str(m.get("state") or ""), "href": _href(run_dir / "index.html", site_dir)})
        for stage, found in stages.items():
            for year, folder in found:
                lay = years.setdefault(year, {"run": run_id})
                if lay["run"] != run_id and any(k in lay for k in _LAYER_KEYS[stage]):
                    continue  # a newer run already gave this stage-year
                if stage == "evaluation":
                    lay["coupling"] = _coupling(folder)
                elif stage == "allocation":
                    lay["zones"], lay["catalogue"] = _zones(folder), _catalogue(folder)
                else:
                    lay["parks"], lay["peers"] = _parks(folder), _peers(folder)
        for j in jobs:
            rep = _report(j, run_dir, site_dir, run_id)
            if rep is None:
                continue
            region = j.get("region")
            (reports.setdefault(str(region), []) if region else territory_reports).append(rep)
    for y in years.values():
        y.setdefault("parks_note", "" if y.get("parks") else PARKS_EMPTY)
    return {"years": {str(k): years[k] for k in sorted(years)}, "reports": reports,
            "territory_reports": territory_reports, "runs": used}

