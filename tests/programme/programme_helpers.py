"""Helpers shared by the programme-tracking tests: the shipped schedule and fake run folders."""
import json
from pathlib import Path

from iplayout.config import params_dir

PROGRAMME = params_dir() / "programme.yaml"
def fake_run(reports: Path, run_id: str, *, plan: str = "jiangsu-stage-2016", statuses=("ok", "ok"),
             finished: str | None = "2026-12-01T10:00:00", title: str = "阶段总结报告集", publish: bool = False,
             as_of: str | None = None) -> dict:
    """A run folder with a manifest (and one report file) as `iplayout run` leaves it; returns the manifest."""
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    jobs = [{"job_id": f"job{i}", "status": s, "group": "一、资源调查", "territory": "320000", "year": 2016,
             "labels": {"320000": "江苏省"}, "outputs": {"html": f"r{i}.html"}, "sources": []}
            for i, s in enumerate(statuses)]
    for i in range(len(statuses)):
        (run_dir / f"r{i}.html").write_text(f"<p>报告 {i}</p>", encoding="utf-8")
    manifest = {"run_id": run_id, "finished": finished, "jobs": jobs, "sources": [],
                "plan": {"name": plan, "title": title, "content": {"publish": publish}},
                "programme": {"as_of": as_of}}
    (run_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (run_dir / "plan.yaml").write_text(f"name: {plan}\n", encoding="utf-8")
    return manifest
