"""execute_job behaviour that needs no running kernel: retry on kernel start, timing strip."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from iplayout.reporting.execute import execute_job, strip_timing

FIXTURES = Path(__file__).parent / "fixtures"


def test_kernel_start_failure_is_retried_then_reported(tmp_path):
    job = {"job_id": "chinese--320100", "notebook": "chinese.ipynb",
           "notebook_path": str(FIXTURES / "notebooks" / "chinese.ipynb"),
           "parameters": {"region_code": "320100"}, "output_stem": "chinese-320100", "group": "g", "title": "t"}
    res = execute_job({"job": job, "run_dir": str(tmp_path), "run_id": "r", "kernel_name": "no-such-kernel-xyz",
                       "retries": 1, "pdf": False})
    assert res["status"] == "failed" and res["attempts"] == 2
    assert res["error"]["kind"] == "kernel_start" and res["error"]["exception"] == "NoSuchKernel"
    assert len(res["warnings"]) == 2
    assert list(tmp_path.rglob("*.tmp*")) == []


def test_strip_timing_makes_runs_comparable():
    nb = new_notebook(cells=[new_code_cell("1")])
    nb.metadata["papermill"] = {"start_time": "a", "end_time": "b", "duration": 1.0, "output_path": "/tmp/x",
                                "input_path": "/abs/chinese.ipynb", "parameters": {"region_code": "320100"}}
    nb.cells[0].metadata["papermill"] = {"start_time": "a", "end_time": "b", "duration": 0.5, "status": "completed"}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "t"}
    strip_timing(nb, "chinese.ipynb")
    assert nb.metadata["papermill"] == {"input_path": "chinese.ipynb", "parameters": {"region_code": "320100"}}
    assert nb.cells[0].metadata == {"papermill": {"status": "completed"}}
    assert nbformat.writes(nb) == nbformat.writes(nbformat.reads(nbformat.writes(nb), as_version=4))


def test_strip_timing_drops_object_addresses_from_plain_text():
    """A Styler's fallback text is its default repr, whose address differs from process to process."""
    nb = new_notebook(cells=[new_code_cell("t")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "<pandas.io.formats.style.Styler at 0x7f0293dacad0>", "text/html": "<b>at 0x1></b>"})]
    strip_timing(nb, "t.ipynb")
    assert nb.cells[0].outputs[0]["data"] == {"text/plain": "<pandas.io.formats.style.Styler>",
                                              "text/html": "<b>at 0x1></b>"}


def test_the_runners_pdf_engine_reaches_the_worker(tmp_path, monkeypatch):
    """A Dask worker on another machine renders with the engine the run chose (and its content keys name)."""
    from iplayout.reporting import chromium_pdf, render

    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, "chromium")
    seen = []
    monkeypatch.setattr(render, "pdf_unavailable_reason", lambda: None)
    monkeypatch.setattr(render, "render_pdf", lambda nb, info, out: (seen.append(chromium_pdf.pdf_engine()),
                                                                     Path(out).write_bytes(b"%PDF-")))
    nb = new_notebook(cells=[new_code_cell("1")])
    src = tmp_path / "n.ipynb"
    nbformat.write(nb, str(src))
    monkeypatch.setattr("iplayout.reporting.kernels.run_report",
                        lambda inp, out, params, **kw: nbformat.write(nb, out))
    job = {"job_id": "n--1", "notebook": "n.ipynb", "notebook_path": str(src), "parameters": {},
           "output_stem": "n-1", "group": "g", "title": "t"}
    res = execute_job({"job": job, "run_dir": str(tmp_path), "run_id": "r", "pdf": True,
                       "pdf_engine": "weasyprint"})
    assert res["status"] == "ok" and seen == ["weasyprint"] and (tmp_path / "n-1.pdf").read_bytes() == b"%PDF-"
