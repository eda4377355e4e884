"""``index.html`` of a run folder: reports grouped by stage and region / industry (Chinese UI)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .execute import atomic_write

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
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
            "error": f"{where}{err.get('exception', '')}: {err.get('message', '')}" if err else "",
        })
    return [{"group": g, "rows": sorted(rows, key=lambda r: r["sort"]),
             "counts": {st: sum(r["status"] == st for r in rows) for st in STATUS_ZH}}
            for g, rows in groups.items()]


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
    return env.get_template("index.html.j2").render(m=manifest, groups=index_rows(manifest), counts=counts)


def write_index(run_dir: str | Path, manifest: dict[str, Any]) -> Path:
    path = Path(run_dir) / "index.html"
    atomic_write(path, render_index(manifest))
    return path
