"""End-to-end runs of the fixture plan (execute notebooks: marked slow, kept small)."""
import json
import re
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from reporting_helpers import CJK_FONT, external_urls, pdf_fonts, read_pdf_text
from iplayout.reporting.cli import package, run, verify

pytestmark = pytest.mark.slow


def _invoke(cmd, args, catch=False):
    return CliRunner().invoke(cmd, [str(a) for a in args], catch_exceptions=catch)


def test_failure_is_isolated_listed_and_resume_redoes_only_it(fixture_plan, fixture_db, tmp_path):
    reports = tmp_path / "reports"
    base = [fixture_plan, "--db", fixture_db, "--reports-dir", reports, "--workers", 2]
    res = _invoke(run, base + ["--run-id", "r1"])
    assert res.exit_code == 1, res.output
    rd = reports / "r1"
    m = json.loads((rd / "manifest.json").read_text(encoding="utf-8"))
    status = {j["job_id"]: j["status"] for j in m["jobs"]}
    assert status == {"chinese--320100": "ok", "chinese--320500": "ok", "chart--320200": "ok", "fails--320300": "failed"}
    err = next(j for j in m["jobs"] if j["job_id"] == "fails--320300")["error"]
    # cell 3 of fails.ipynb (0-based, the injected parameters cell not counted) raises ValueError
    assert (err["kind"], err["cell_index"], err["exception"]) == ("cell", 3, "ValueError")
    assert "故意失败 intentional failure for 320300" in err["message"]
    assert m["packages"]["papermill"] and m["inputs"]["database"]["sha256"] and m["code_version"]
    assert m["timings"]["total_seconds"] > 0 and all(j["input_hash"] for j in m["jobs"])
    index = (rd / "index.html").read_text(encoding="utf-8")
    assert "单元格 3：ValueError" in index and "失败 1" in index
    # the finished run's index states its total time (it used to be written before the total was known: "—")
    assert re.search(r"<b>[0-9.]+ 秒</b><span>总耗时</span>|<b>\d+ 分 \d+ 秒</b><span>总耗时</span>", index)

    # every HTML is offline
    htmls = sorted(rd.rglob("*.html"))
    assert len(htmls) == 5
    for h in htmls:
        assert external_urls(h.read_text(encoding="utf-8")) == [], h
    chart = (rd / "chart-320200.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in chart and "演示数据 DEMO DATA" in chart

    # PDFs with Chinese, demo mark on the demo report
    pdf = rd / "chart-320200.pdf"
    text = read_pdf_text(pdf)
    if text is not None:
        assert "苏南五市专利授权量" in text and "演示数据" in text
        assert CJK_FONT.search(pdf_fonts(pdf))
    # executed notebook: codes injected as strings, timing metadata stripped
    nb = nbformat.read(str(rd / "chinese-320100.ipynb"), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert re.search(r'region_code = "320100"', injected.source)
    assert "start_time" not in json.dumps(nb.metadata) and "duration" not in json.dumps(nb.cells[-1].metadata)
    assert "参数类型: str '320100'" in json.dumps(nb.cells, ensure_ascii=False)

    # the run folder is never overwritten
    res = _invoke(run, base + ["--run-id", "r1"], catch=True)
    assert res.exit_code != 0 and "never overwritten" in str(res.exception or res.output)

    before = {p: p.stat().st_mtime_ns for p in rd.glob("chinese-*")}
    fixed = fixture_plan.parent / "notebooks" / "fails.ipynb"
    nbf = nbformat.read(str(fixed), as_version=4)
    nbf.cells[3].source = 'print("修复后 fixed", region_code)'
    nbformat.write(nbf, str(fixed))
    res = _invoke(run, base + ["--resume", rd])
    assert res.exit_code == 0, res.output
    m2 = json.loads((rd / "manifest.json").read_text(encoding="utf-8"))
    assert {j["job_id"]: j["status"] for j in m2["jobs"]} == {
        "chinese--320100": "reused", "chinese--320500": "reused", "chart--320200": "reused", "fails--320300": "ok"}
    assert {p: p.stat().st_mtime_ns for p in rd.glob("chinese-*")} == before  # untouched

    # acceptance package round trip on the real outputs
    zp = tmp_path / "acc.zip"
    assert _invoke(package, [rd, "-o", zp]).exit_code == 0
    assert _invoke(verify, [zp]).exit_code == 0


def test_pdf_prerequisite_missing_warns_once_and_keeps_html(fixture_plan, fixture_db, tmp_path, monkeypatch):
    from iplayout.reporting import render

    monkeypatch.setattr(render, "pdf_unavailable_reason", lambda: "WeasyPrint unavailable (simulated)")
    res = _invoke(run, [fixture_plan, "--db", fixture_db, "--reports-dir", tmp_path, "--workers", 0,
                        "--only", "chinese", "--run-id", "nopdf"])
    assert res.exit_code == 0, res.output
    assert res.output.count("simulated") == 1  # said once, not once per report
    rd = tmp_path / "nopdf"
    assert sorted(p.name for p in rd.glob("chinese-*")) == [
        "chinese-320100.html", "chinese-320100.ipynb", "chinese-320500.html", "chinese-320500.ipynb"]


def test_same_inputs_give_identical_notebooks_and_dask_backend(fixture_plan, fixture_db, tmp_path):
    from distributed import LocalCluster

    from iplayout.reporting.dask_backend import DaskBackend
    from iplayout.reporting.plans import load_plan
    from iplayout.reporting.runner import run_plan

    lp = load_plan(fixture_plan)
    with LocalCluster(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        backend = DaskBackend(cluster.scheduler_address)
        try:
            outs = [run_plan(lp, backend=backend, db_path=fixture_db, reports_root=tmp_path, run_id=rid,
                             only=("320100",), pdf=False) for rid in ("d1", "d2")]
        finally:
            backend.close()
    for o in outs:
        assert [j["status"] for j in o.manifest["jobs"]] == ["ok"]
    a = (tmp_path / "d1" / "chinese-320100.ipynb").read_bytes()
    assert a == (tmp_path / "d2" / "chinese-320100.ipynb").read_bytes()


def test_cell_timeout_is_reported_with_its_cell_and_not_retried(tmp_path):
    FIXTURES = Path(__file__).parent / "fixtures"
    from iplayout.reporting.execute import execute_job

    job = {"job_id": "sleeps--320100", "notebook": "sleeps.ipynb",
           "notebook_path": str(FIXTURES / "notebooks" / "sleeps.ipynb"), "parameters": {"region_code": "320100"},
           "output_stem": "sleeps-320100", "group": "g", "title": "超时测试"}
    res = execute_job({"job": job, "run_dir": str(tmp_path), "run_id": "r", "pdf": False, "timeout": 2})
    assert res["status"] == "failed" and res["attempts"] == 1
    assert (res["error"]["kind"], res["error"]["cell_index"], res["error"]["exception"]) == \
        ("timeout", 3, "CellTimeoutError")
    # the partial report is kept: the cell before the timeout ran and its output is in the HTML
    assert "开始" in (tmp_path / "sleeps-320100.html").read_text(encoding="utf-8")
