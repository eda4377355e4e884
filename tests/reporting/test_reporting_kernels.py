"""Warm report kernels: no state leaks between reports, failures and timeouts handled, fresh-kernel fallback."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from iplayout.reporting import kernels
from iplayout.reporting.execute import strip_timing


def _notebook(path: Path, *cells: str) -> str:
    params = new_code_cell('region_code = "320100"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params] + [new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return str(path)


# Report A shows everything a previous report could have changed; report B changes all of it.
PROBE = [
    "import os, sys, warnings\nimport pandas as pd\nimport matplotlib.pyplot as plt",
    "print('leaked' if 'polluted' in globals() else 'clean', region_code)\nprint(sorted(k for k in globals() if not k.startswith('_')))",
    "print(os.environ.get('IPL_LEAK'), [p for p in sys.path if 'ipl-leak' in p], os.path.basename(os.getcwd()))",
    "warnings.warn('显示一次的警告 shown once per place')",
    "pd.DataFrame({'城市': list('abcdefgh'), 'v': range(8)})",
    "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([1, 3, 2])\nax.set_title('专利 授权')\nplt.show()",
    "print(In[1][:20], len(Out))",
]
POLLUTE = [
    "import os, sys, warnings\nimport pandas as pd\nimport matplotlib.pyplot as plt",
    "polluted = 1\nos.environ['IPL_LEAK'] = '1'\nsys.path.append('/tmp/ipl-leak')\nos.chdir('/')",
    "warnings.warn('显示一次的警告 shown once per place')",
    "pd.set_option('display.max_rows', 3)\nplt.rcParams['lines.linewidth'] = 9\nplt.rcParams['axes.facecolor'] = 'red'",
    "fig = plt.figure()\nimport random, numpy\nrandom.seed(1); numpy.random.seed(1)",
]


def _canonical(path: str, rel: str) -> str:
    nb = nbformat.read(path, as_version=4)
    return nbformat.writes(strip_timing(nb, rel))


def _run(kernel_fresh: bool, nb: str, out: Path, **kw) -> str:
    kernels.run_report(nb, str(out), {"region_code": kw.pop("region", "320200")}, timeout=kw.pop("timeout", 60),
                       fresh=kernel_fresh, preload=kw.pop("preload", ["pandas", "matplotlib.pyplot"]))
    return _canonical(str(out), Path(nb).name)


@pytest.mark.slow
def test_reports_a_b_a_in_one_warm_kernel_equal_fresh_kernel_runs(tmp_path):
    a = _notebook(tmp_path / "a.ipynb", *PROBE)
    b = _notebook(tmp_path / "b.ipynb", *POLLUTE)
    try:
        warm = [_run(False, nb, tmp_path / f"warm{i}.ipynb") for i, nb in enumerate([a, b, a])]
        kernel = kernels._local.kernels["python3"]
        assert kernel.reports == 3  # all three ran in the same kernel
    finally:
        kernels.discard_kernels()
    fresh_a, fresh_b = _run(True, a, tmp_path / "fa.ipynb"), _run(True, b, tmp_path / "fb.ipynb")
    assert warm[0] == fresh_a and warm[1] == fresh_b and warm[2] == fresh_a
    text = json.loads(warm[2])
    outputs = json.dumps([c.get("outputs") for c in text["cells"]], ensure_ascii=False)
    # what the probe saw after B: nothing of B, and the fresh kernel's execution counts
    assert "clean 320200" in outputs and "leaked" not in outputs and "None [] " in outputs
    assert "显示一次的警告" in outputs and "image/png" in outputs
    assert [c.get("execution_count") for c in text["cells"] if c["cell_type"] == "code"] == list(range(1, 10))


@pytest.mark.slow
def test_failing_cell_keeps_the_warm_kernel_and_a_hung_cell_times_out(tmp_path):
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    bad = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('故意失败 ' + region_code)")
    good = _notebook(tmp_path / "good.ipynb", "print('好', region_code)")
    hangs = _notebook(tmp_path / "hangs.ipynb", "print('开始')", "import time\ntime.sleep(60)")
    try:
        with pytest.raises(PapermillExecutionError) as exc:
            _run(False, bad, tmp_path / "bad-out.ipynb", preload=[])
        assert exc.value.ename == "ValueError" and "故意失败 320200" in exc.value.evalue
        first = kernels._local.kernels["python3"]
        assert "好 320200" in _run(False, good, tmp_path / "good-out.ipynb", preload=[])
        assert kernels._local.kernels["python3"] is first  # same kernel, still usable
        with pytest.raises(CellTimeoutError):
            _run(False, hangs, tmp_path / "hangs-out.ipynb", preload=[], timeout=2)
        assert kernels._local.kernels == {}  # a kernel busy with a hung cell is never reused
        partial = nbformat.read(str(tmp_path / "hangs-out.ipynb"), as_version=4)
        assert "开始" in json.dumps(partial.cells[2].outputs, ensure_ascii=False)  # the partial report is kept
        assert "好 320200" in _run(False, good, tmp_path / "good-out2.ipynb", preload=[])
        assert kernels._local.kernels["python3"] is not first
    finally:
        kernels.discard_kernels()


def test_notebook_imports_are_found_from_code_cells(tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "%matplotlib inline\nimport os.path, json as j\nfrom iplayout.stages import survey_views as sv",
                   "from . import x\ndef f():\n    import secret_inside_function", "this is not python (")
    assert kernels.notebook_imports([nb, str(tmp_path / "missing.ipynb")]) == [
        "iplayout.stages", "iplayout.stages.survey_views", "json", "os.path"]


def test_kernel_environment_limits_blas_threads_unless_set():
    env = kernels.thread_env({"PATH": "/bin", "OMP_NUM_THREADS": "4"})
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["MKL_NUM_THREADS"] == "1"
    assert env["OMP_NUM_THREADS"] == "4" and env["PATH"] == "/bin"  # an explicit choice is kept


def test_run_timings_sum_the_stages_of_executed_reports():
    from iplayout.reporting.runner import run_timings

    recs = [{"status": "ok", "duration": 3.0, "execute_seconds": 2.0, "html_seconds": 0.25, "pdf_seconds": 0.5},
            {"status": "failed", "duration": 1.0, "execute_seconds": 1.0, "html_seconds": 0.25},
            {"status": "reused", "duration": 9.0, "execute_seconds": 9.0}]
    t = run_timings(recs, stage_seconds=1.5, pool_seconds=2.5, workers=2, fresh_kernels=False)
    assert (t["reports_executed"], t["report_execute_seconds"], t["report_html_seconds"], t["report_pdf_seconds"]) \
        == (2, 3.0, 0.5, 0.5)
    assert t["kernels"] == "warm" and t["stage_seconds"] == 1.5 and t["execute_seconds"] == 2.5


MAP_REPORT = [
    "import pandas as pd\nfrom iplayout.plots import maps",
    "codes = [f'32{i:02d}00' for i in range(1, 14)]\n"
    "members = pd.DataFrame({'code': codes, 'name': [c + '市' for c in codes]})\n"
    "geo = maps.territory_geometry('320000', members)",
    "maps.plot_choropleth(geo, pd.Series(range(13), index=codes, dtype=float), territory='320000', title='各市',\n"
    "                     highlight=region_code, labels=pd.Series(codes, index=codes))",
]


@pytest.mark.slow
def test_process_caches_keep_a_warm_kernel_report_identical_to_a_fresh_one(tmp_path):
    """The map-layer cache, the figure-layout cache (and stage-table cache) live in the warm kernel: the
    second report of a territory is a cache hit — the layout one even for another region's map — and must
    give the notebook a fresh kernel (a miss) gives, byte for byte."""
    nb = _notebook(tmp_path / "map.ipynb", *MAP_REPORT)
    preload = ["pandas", "iplayout.plots.maps"]
    try:
        warm = [_run(False, nb, tmp_path / f"warm{i}.ipynb", preload=preload, region=r)
                for i, r in enumerate(("320500", "320200", "320200"))]
        assert kernels._local.kernels["python3"].reports == 3
    finally:
        kernels.discard_kernels()
    fresh = _run(True, nb, tmp_path / "fresh.ipynb", preload=preload)
    assert '"image/png"' in fresh and warm[0] != fresh and warm[1] == fresh and warm[2] == fresh


@pytest.mark.slow
def test_warm_up_prepares_the_kernel_the_first_report_then_uses(tmp_path):
    """The runner's warm-up (while stages are prepared) starts the kernel the first report runs in."""
    from iplayout.reporting.execute import warm_worker

    nb = _notebook(tmp_path / "a.ipynb", "print('好', region_code)")
    task = {"pdf": False, "kernel_name": "python3", "fresh_kernel": False, "preload": ["json"]}
    try:
        first = warm_worker(task)
        kernel = kernels._local.kernels["python3"]
        again = warm_worker(task)
        assert first["warmed"] == again["warmed"] == ["kernel"] and kernels._local.kernels["python3"] is kernel
        assert again["seconds"] < 0.5 < first["seconds"]  # already warm: returns at once
        out = _run(False, nb, tmp_path / "out.ipynb", preload=["json"])
        assert kernels._local.kernels["python3"] is kernel and kernel.reports == 1 and "好 320200" in out
        assert warm_worker(dict(task, fresh_kernel=True))["warmed"] == []  # fresh kernels: nothing to keep warm
    finally:
        kernels.discard_kernels()
