"""Stage preparation overlaps report execution (issue 15): a stage's reports go to the pool as soon as that stage
is prepared, before the next stage is; a failed stage fails its reports without running them.

The stage layer and the pool are replaced by fakes that log what happens in which order; no notebook runs.
"""
from __future__ import annotations

from pathlib import Path

from iplayout.reporting import runner
from iplayout.reporting.plans import load_plan

from test_reporting_reliability import FakeBackend


class LoggingBackend(FakeBackend):
    """Draws tasks one at a time, as the process pool does, and logs each draw."""

    def __init__(self, log: list[str]):
        super().__init__()
        self.log = log

    def run(self, tasks):
        def logged():
            for t in tasks:
                self.log.append(f"run {t['job']['job_id']}")
                yield t
        yield from super().run(logged())


class Counter:
    def __init__(self):
        self.total, self.seen = None, []

    def start(self, name, total):
        self.total = total

    def advance(self, rec):
        self.seen.append((rec["job_id"], rec["status"]))

    def stop(self):
        pass


def test_reports_of_a_prepared_stage_run_while_the_next_stage_is_prepared(fixture_plan, fixture_db, tmp_path,
                                                                           monkeypatch):
    decl = fixture_plan.parent / "notebooks.yaml"
    text = decl.read_text(encoding="utf-8")
    text = text.replace("    group: 资源调查\n", "    group: 资源调查\n    stage: survey\n", 1)  # chinese.ipynb
    text = text.replace("    group: 综合评价\n", "    group: 综合评价\n    stage: evaluation\n", 1)  # chart.ipynb
    text = text.replace("    title: 故意失败的报告\n", "    title: 故意失败的报告\n    stage: evaluation\n", 1)
    decl.write_text(text, encoding="utf-8")
    log: list[str] = []

    def fake_stages(jobs, run_dir, db_path):
        for stage, ok in (("survey", True), ("evaluation", False)):
            log.append(f"prepare {stage}")
            (Path(run_dir) / "stages" / stage).mkdir(parents=True, exist_ok=True)
            if ok:
                yield f"{stage}:320000:2016", {"status": "ok", "folder": f"stages/{stage}", "sha256": "a" * 64,
                                               "seconds": 0.5}
            else:
                yield f"{stage}:320000:2016", {"status": "failed", "seconds": 0.25, "error": {
                    "kind": "stage", "exception": "MethodError", "message": "no data", "cell_index": None}}

    monkeypatch.setattr(runner, "_iter_stages", fake_stages)
    progress = Counter()
    out = runner.run_plan(load_plan(fixture_plan), backend=LoggingBackend(log), db_path=fixture_db,
                          reports_root=tmp_path / "reports", pdf=False, progress=progress)
    survey_jobs = ["chinese--320100", "chinese--320500"]
    # the survey stage's two reports were handed to the pool before the evaluation stage was prepared
    assert log == ["prepare survey", *(f"run {j}" for j in survey_jobs), "prepare evaluation"]
    status = {j["job_id"]: j["status"] for j in out.manifest["jobs"]}
    assert status == {"chinese--320100": "ok", "chinese--320500": "ok", "chart--320200": "failed",
                      "fails--320300": "failed"}
    assert [j["job_id"] for j in out.manifest["jobs"]] == list(status)  # plan order, not completion order
    failed = {j["job_id"]: j["error"] for j in out.manifest["jobs"] if j["status"] == "failed"}
    assert all(e["kind"] == "stage" and e["message"] == "no data" for e in failed.values())
    # every report is on the progress bar once, including those settled without the pool
    assert progress.total == 4 and sorted(progress.seen) == sorted(status.items())
    assert out.manifest["timings"]["stage_seconds"] == 0.75  # time spent preparing stages, summed
    assert set(out.manifest["stages"]) == {"survey:320000:2016", "evaluation:320000:2016"}
    assert all(j["input_hash"] for j in out.manifest["jobs"])
