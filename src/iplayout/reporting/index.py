"""``index.html`` of a run folder: reports grouped by stage and region / industry (Chinese UI)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .execute import atomic_write

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: the layout explorer's folder inside ``reports/`` (``make report`` builds it there) and its marker file
EXPLORER_DIR = "explore"
EXPLORER_MARKER = "explore.json"
STATUS_ZH = {"ok": "成功", "failed": "失败", "reused": "沿用", "skipped": "未执行"}


def _subject(job: dict[str, Any]) -> tuple[str, str]:
    """(sort key, label) of what a report is about: region, else industry, else territory."""
    labels = job.get("labels") or {}
    group = (job.get("parameters") or {}).get("group")
    if group:  # a region group (苏南 …) of the territory
        terr = job.get("territory")
        return f"g-{group}", f"{labels.get(terr, terr or '')}·{group}"
    for key in ("region", "industry", "territory"):
        code = job.get(key)
        if code:
            name = labels.get(code)
            return f"{key != 'territory'}-{code}", f"{name}（{code}）" if name else code
    return "z", "—"


def index_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Group the manifest's jobs for the index, keeping the plan's group order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for job in manifest.get("jobs", []):
        key, label = _subject(job)
        err = job.get("error") or {}
        where = f"单元格 {err['cell_index']}：" if err.get("cell_index") is not None else ""
        groups.setdefault(job.get("group") or "其他", []).append({
            "sort": (key, job["job_id"]), "subject": label, "title": job.get("report_title") or job.get("title"),
            "status": job.get("status", "skipped"), "status_zh": STATUS_ZH.get(job.get("status", "skipped"), "未知"),
            "duration": job.get("duration"), "outputs": job.get("outputs") or {}, "is_demo": job.get("is_demo"),
            "reused_from": job.get("reused_from"),
            "error": f"{where}{err.get('exception', '')}: {err.get('message', '')}" if err else "",
        })
    return [{"group": g, "rows": sorted(rows, key=lambda r: r["sort"]),
             "counts": {st: sum(r["status"] == st for r in rows) for st in STATUS_ZH}}
            for g, rows in groups.items()]


def deliverable_rows(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's ``deliverables`` against this run: present when every listed notebook produced a report.

    A deliverable without notebooks (not built yet) is listed as missing with its note, so the index states
    what the schedule asks for and the set does not yet contain.
    """
    content = (manifest.get("plan") or {}).get("content") or {}
    jobs = manifest.get("jobs", [])
    out = []
    for d in content.get("deliverables") or []:
        nbs = [str(n) for n in d.get("notebooks") or []]
        mine = [j for j in jobs if j.get("notebook") in nbs]
        done = [j for j in mine if j.get("status") in ("ok", "reused")]
        present = bool(nbs) and all(any(j.get("notebook") == n for j in done) for n in nbs)
        failed = sum(j.get("status") == "failed" for j in mine)
        out.append({"title": d.get("title", ""), "present": present, "n_reports": len(done), "n_failed": failed,
                    "note": d.get("note", "") or ("" if nbs else "尚未建立"),
                    "first": next((j.get("outputs", {}).get("html") for j in done if j.get("outputs", {}).get("html")), None)})
    return out


def fmt_duration(seconds: float | None) -> str:
    """Human duration for the index: "—", "0.4 秒", "14.8 秒", "2 分 05 秒", "1 小时 02 分"."""
    if seconds is None:
        return "—"
    s = float(seconds)
    if s < 60:
        return f"{s:.1f} 秒"
    m, sec = divmod(int(round(s)), 60)
    if m < 60:
        return f"{m} 分 {sec:02d} 秒"
    h, m = divmod(m, 60)
    return f"{h} 小时 {m:02d} 分"


def fmt_time(stamp: str | None) -> str:
    """ISO timestamp "2026-11-25T15:16:34" → "2026-11-25 15:16:34" (seconds precision); None → "—"."""
    if not stamp:
        return "—"
    return str(stamp).replace("T", " ", 1)[:19]


def render_index(manifest: dict[str, Any]) -> str:
    """HTML text of the index page (fully offline: inline CSS, relative links only)."""
    import jinja2  # noqa: PLC0415

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.filters["duration"] = fmt_duration
    env.filters["stamp"] = fmt_time
    jobs = manifest.get("jobs", [])
    counts = {s: sum(j.get("status") == s for j in jobs) for s in ("ok", "reused", "failed", "skipped")}
    return env.get_template("index.html.j2").render(m=manifest, groups=index_rows(manifest), counts=counts,
                                                    deliverables=deliverable_rows(manifest))


def write_index(run_dir: str | Path, manifest: dict[str, Any]) -> Path:
    """The run's ``index.html`` (machine paths relative to the run folder), then ``reports/index.html`` again."""
    from .manifest import relative_paths  # noqa: PLC0415

    path = Path(run_dir) / "index.html"
    atomic_write(path, render_index(relative_paths(manifest, run_dir)))
    write_root_index(Path(run_dir).parent)
    return path


def run_folders(reports_root: str | Path) -> list[dict[str, Any]]:
    """Every run folder under ``reports_root`` that has a manifest, newest first (for ``reports/index.html``)."""
    from .manifest import run_manifests  # noqa: PLC0415

    rows = []
    for d, m in run_manifests(reports_root):
        jobs = m.get("jobs", [])
        rows.append({"folder": d.name, "title": (m.get("plan") or {}).get("title", d.name), "run_id": m.get("run_id", d.name),
                     "started": m.get("started"), "finished": m.get("finished"), "n": len(jobs),
                     "ok": sum(j.get("status") in ("ok", "reused") for j in jobs),
                     "failed": sum(j.get("status") == "failed" for j in jobs),
                     "demo": any(j.get("is_demo") for j in jobs),
                     "deliverables": deliverable_rows(m)})
    return rows


def write_root_index(reports_root: str | Path) -> Path:
    """``reports/index.html``: links to every run folder's index (regenerated after each run)."""
    import jinja2  # noqa: PLC0415

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.filters["stamp"] = fmt_time
    path = Path(reports_root) / "index.html"
    explorer = EXPLORER_DIR if (Path(reports_root) / EXPLORER_DIR / EXPLORER_MARKER).is_file() else None
    atomic_write(path, env.get_template("runs_index.html.j2").render(runs=run_folders(reports_root), explorer=explorer))
    return path
