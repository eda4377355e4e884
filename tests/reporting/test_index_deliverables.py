"""Index lists the plan's deliverables (present/missing); reports/index.html links every run; no machine paths."""
import json
import re

from iplayout.config import params_dir
from iplayout.reporting.index import deliverable_rows, write_index
from iplayout.reporting.manifest import relative_paths, write_manifest
from iplayout.reporting.plans import load_plan


def _manifest(run_dir, root):
    plan = load_plan(params_dir() / "runs" / "jiangsu-stage-2016.yaml")
    jobs = [{"job_id": f"j{i}", "notebook": nb, "status": "ok", "title": nb, "group": "g",
             "outputs": {"html": f"{nb.replace('/', '-')}.html"}, "territory": "320000",
             "parameters": {"db_path": str(root / "build" / "iplayout.duckdb"), "stage_dir": str(run_dir / "stages")}}
            for i, nb in enumerate(["01_survey/territory.ipynb", "01_survey/region.ipynb", "02_evaluation/territory.ipynb"])]
    jobs.append({"job_id": "jx", "notebook": "02_evaluation/region.ipynb", "status": "failed", "title": "x", "group": "g",
                 "outputs": {}, "error": {"exception": "E", "message": f"boom in {run_dir}/stages/x"}})
    return {"run_id": run_dir.name, "plan": {"name": plan.plan.name, "title": plan.plan.title, "file": str(plan.path),
                                             "content": plan.raw},
            "inputs": {"database": {"path": str(root / "build" / "iplayout.duckdb")}}, "jobs": jobs, "timings": {}}


def test_deliverables_present_and_missing(tmp_path):
    run = tmp_path / "reports" / "20260101-000000-jiangsu-stage-2016"
    run.mkdir(parents=True)
    rows = {r["title"]: r for r in deliverable_rows(_manifest(run, tmp_path))}
    assert rows["资源分布状况报告"]["present"] and rows["资源分布状况报告"]["first"] == "01_survey-territory.ipynb.html"
    assert not rows["产业报告（战略性新兴产业知识产权资源）"]["present"]  # no industry report in this run
    assert not rows["综合评价报告"]["present"] and rows["综合评价报告"]["n_failed"] == 1  # region evaluations failed
    assert not rows["政策状况报告"]["present"] and rows["政策状况报告"]["n_failed"] == 0  # not run: 缺


def test_index_and_manifest_have_no_absolute_paths_and_root_index_links_runs(tmp_path):
    reports = tmp_path / "reports"
    runs = [reports / "20260101-000000-national", reports / "20260102-000000-jiangsu-stage-2016"]
    for run in runs:
        run.mkdir(parents=True)
        m = _manifest(run, tmp_path)
        write_manifest(run, m)
        write_index(run, m)
    for run in runs:
        for name in ("index.html", "manifest.json"):
            text = (run / name).read_text(encoding="utf-8")
            assert str(tmp_path) not in text and not re.search(r"[\"（>(]/(work|tmp|home)/", text), name
        m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        assert m["inputs"]["database"]["path"] == "../../build/iplayout.duckdb"
        assert m["jobs"][0]["parameters"]["stage_dir"] == "stages"
        assert "boom in stages/x" in m["jobs"][-1]["error"]["message"]
        html = (run / "index.html").read_text(encoding="utf-8")
        assert "交付清单" in html and "政策状况报告" in html and "缺" in html and 'href="../index.html"' in html
    root = (reports / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'href="([^"]+)"', root)) == {f"{r.name}/index.html" for r in runs}


def test_relative_paths_leaves_text_alone(tmp_path):
    assert relative_paths({"a": "全国 31 省", "b": [str(tmp_path / "x")]}, tmp_path) == {"a": "全国 31 省", "b": ["x"]}
