"""Reports reused from an earlier run when their content key is unchanged (issue 15: incremental re-runs).

A fake backend writes the files and the stage preparation is replaced by fixed checksums, so no notebook runs:
the tests pin which reports are copied, which execute again, and that a copied file is the earlier one.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from iplayout.reporting import runner
from iplayout.reporting.plans import load_plan
from iplayout.reporting.reuse import content_key

from test_reporting_reliability import FakeBackend


@pytest.fixture()
def staged(fixture_plan, monkeypatch):
    """The fixture plan's notebooks declared as survey-stage reports, with stage checksums the test controls."""
    decl = fixture_plan.parent / "notebooks.yaml"
    decl.write_text(decl.read_text(encoding="utf-8").replace("    group: 资源调查\n", "    group: 资源调查\n    stage: survey\n"),
                    encoding="utf-8")
    shas = {"survey": "a" * 64}

    def fake_stages(jobs, run_dir, db_path):
        folder = Path(run_dir) / "stages" / "survey" / "320000-2016"
        folder.mkdir(parents=True, exist_ok=True)
        yield "survey:320000:2016", {"status": "ok", "folder": "stages/survey/320000-2016",
                                     "sha256": shas["survey"], "seconds": 0.0}

    monkeypatch.setattr(runner, "_iter_stages", fake_stages)
    return fixture_plan, shas


def _run(plan, db, reports, backend=None, **kw):
    backend = backend or FakeBackend()
    out = runner.run_plan(load_plan(plan), backend=backend, db_path=db, reports_root=reports, pdf=False, **kw)
    return out, backend


def _status(out):
    return {j["job_id"]: j["status"] for j in out.manifest["jobs"]}


def test_unchanged_reports_are_copied_from_the_earlier_run(staged, fixture_db, tmp_path):
    plan, shas = staged
    reports = tmp_path / "reports"
    first, b1 = _run(plan, fixture_db, reports, run_id="r1")
    assert len(b1.done) == 4 and all(j["content_key"] for j in first.manifest["jobs"])
    # an attachment a report wrote next to its stage tables travels with the reused report
    (first.run_dir / "stages/survey/320000-2016/catalogue.xlsx").write_bytes(b"PK-fake-workbook")

    second, b2 = _run(plan, fixture_db, reports, run_id="r2")
    assert b2.done == [] and set(_status(second).values()) == {"reused"}
    for j in second.manifest["jobs"]:
        assert j["reused_from"] == "r1"
        for rel, digest in j["sha256"].items():  # the very bytes of r1, now a file of r2 (a copy, not a link)
            assert (second.run_dir / rel).read_bytes() == (first.run_dir / rel).read_bytes()
            assert (second.run_dir / rel).stat().st_ino != (first.run_dir / rel).stat().st_ino
            assert digest == first.manifest["outputs_sha256"][rel]
    assert (second.run_dir / "stages/survey/320000-2016/catalogue.xlsx").read_bytes() == b"PK-fake-workbook"
    t = second.manifest["timings"]
    assert t["reports_reused"] == 4 and t["reports_executed"] == 0
    index = (second.run_dir / "index.html").read_text(encoding="utf-8")
    assert index.count("自 r1") == 4 and "沿用" in index

    # --no-reuse executes everything again
    third, b3 = _run(plan, fixture_db, reports, run_id="r3", reuse=False)
    assert len(b3.done) == 4 and set(_status(third).values()) == {"ok"}


def test_a_changed_input_or_a_tampered_file_is_executed_again(staged, fixture_db, tmp_path):
    plan, shas = staged
    reports = tmp_path / "reports"
    first, _ = _run(plan, fixture_db, reports, run_id="r1")

    # an edited notebook re-runs only its own reports
    nb = plan.parent / "notebooks" / "chart.ipynb"
    nb.write_text(nb.read_text(encoding="utf-8").replace("苏南", "苏南 ", 1), encoding="utf-8")
    # a file of the earlier run that no longer matches its recorded checksum is never copied
    (first.run_dir / "chinese-320500.html").write_text("<html>edited after the run</html>", encoding="utf-8")
    second, b2 = _run(plan, fixture_db, reports, run_id="r2")
    assert sorted(b2.done) == ["chart--320200", "chinese--320500"]
    assert _status(second) == {"chinese--320100": "reused", "chinese--320500": "ok", "chart--320200": "ok",
                               "fails--320300": "reused"}

    # changed stage tables (a table of the database changed) re-run every report that reads them
    shas["survey"] = "b" * 64
    third, b3 = _run(plan, fixture_db, reports, run_id="r3")
    assert len(b3.done) == 4


def test_content_key_ignores_run_locations_and_refuses_run_bound_reports():
    base = dict(notebook_sha="n", stage_shas={"survey": "s"}, code_sha="c", pdf=True)
    k1 = content_key(parameters={"region_code": "320100", "stage_dir": "/a/r1/stages", "db_path": "/x.duckdb"}, **base)
    k2 = content_key(parameters={"region_code": "320100", "stage_dir": "/a/r2/stages", "db_path": "/y.duckdb"}, **base)
    assert k1 == k2 and len(k1) == 64
    assert content_key(parameters={"region_code": "320500"}, **base) != k1
    assert content_key(parameters={"region_code": "320100"}, **{**base, "pdf": False}) != k1
    assert content_key(parameters={"run_dir": "/a/r1"}, **base) is None  # e.g. the progress report
    assert content_key(parameters={}, **{**base, "stage_shas": None}) is None  # no stage: may read anything


def test_a_torn_manifest_offers_nothing(staged, fixture_db, tmp_path):
    plan, _ = staged
    reports = tmp_path / "reports"
    (reports / "broken").mkdir(parents=True)
    (reports / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    out, b = _run(plan, fixture_db, reports, run_id="r1")
    assert len(b.done) == 4
    assert json.loads((out.run_dir / "manifest.json").read_text(encoding="utf-8"))["timings"]["reports_reused"] == 0
