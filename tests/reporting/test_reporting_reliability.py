"""Runs under faults (issue 13): a killed run says so, --resume keeps its inputs, the manifest is complete.

A fake backend stands in for the kernels (no notebook executes), so these tests take seconds.
"""
from __future__ import annotations

import json
import platform
import shutil
import sys
from pathlib import Path

import pytest

from iplayout.errors import IplayoutError, SpecError
from iplayout.reporting.manifest import sha256_file
from iplayout.reporting.plans import load_plan
from iplayout.reporting.runner import run_plan
from iplayout.reporting.status import read_status


class FakeBackend:
    """Writes one HTML per job; ``die_after`` jobs, raises KeyboardInterrupt (a killed run), leaving a temp notebook."""

    workers = 1

    def __init__(self, die_after: int | None = None):
        self.die_after, self.done = die_after, []

    def run(self, tasks):
        for n, t in enumerate(tasks):
            job, run_dir = t["job"], Path(t["run_dir"])
            stem = run_dir / job["output_stem"]
            stem.parent.mkdir(parents=True, exist_ok=True)
            if self.die_after is not None and n == self.die_after:
                (stem.with_name(f".{stem.name}.4242.tmp.ipynb")).write_text("{}", encoding="utf-8")
                raise KeyboardInterrupt
            html = stem.with_suffix(".html")
            html.write_text(f"<html>{job['job_id']}</html>", encoding="utf-8")
            self.done.append(job["job_id"])
            yield {"job_id": job["job_id"], "status": "ok", "duration": 0.01,
                   "outputs": {"html": html.relative_to(run_dir).as_posix()}, "meta": {"title": job["job_id"]}}

    def close(self):
        pass


def _run(plan, db, reports, **kw):
    return run_plan(load_plan(plan), backend=kw.pop("backend", FakeBackend()), db_path=db, reports_root=reports,
                    pdf=False, **kw)


def test_manifest_records_python_os_and_every_output_sha256(fixture_plan, fixture_db, tmp_path):
    out = _run(fixture_plan, fixture_db, tmp_path / "reports", run_id="r1")
    m = out.manifest
    assert m["host"]["python"] == platform.python_version() == sys.version.split()[0]
    assert m["host"]["os"] == platform.platform() and m["host"]["system"] == platform.system()
    files = m["outputs_sha256"]
    assert len(files) == 4
    for rel, digest in files.items():
        assert sha256_file(out.run_dir / rel) == digest
    assert read_status(out.run_dir)["state"] == "complete" and m["state"] == "complete"
    assert "run incomplete" not in (out.run_dir / "index.html").read_text(encoding="utf-8")


def test_killed_run_is_marked_incomplete_and_temporaries_go_on_resume(fixture_plan, fixture_db, tmp_path):
    reports = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        _run(fixture_plan, fixture_db, reports, run_id="r1", backend=FakeBackend(die_after=2))
    rd = reports / "r1"
    st = read_status(rd)
    # the process is still alive in this test, so the state is "running"; a dead pid reads as "interrupted"
    assert st["state"] == "running" and st["missing"] == ["chart--320200", "fails--320300"]
    index = (rd / "index.html").read_text(encoding="utf-8")
    assert "run incomplete" in index and "fails--320300" in index and "chart--320200" in index
    assert list(rd.rglob(".*.tmp.ipynb"))
    # simulate the kill: the recorded pid is gone
    rec = json.loads((rd / "status.json").read_text(encoding="utf-8"))
    rec["pid"] = 2 ** 22 + 12345
    (rd / "status.json").write_text(json.dumps(rec), encoding="utf-8")
    assert read_status(rd)["state"] == "interrupted"
    backend = FakeBackend()
    out = _run(fixture_plan, None, reports, resume_dir=rd, backend=backend)  # database taken from the manifest
    assert not list(rd.rglob(".*.tmp.ipynb"))
    assert sorted(backend.done) == ["chart--320200", "fails--320300"]  # the two finished reports are reused
    assert read_status(rd)["state"] == "complete" and not out.manifest["missing"]


def test_next_start_sweeps_an_interrupted_sibling(fixture_plan, fixture_db, tmp_path):
    reports = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        _run(fixture_plan, fixture_db, reports, run_id="dead", backend=FakeBackend(die_after=1))
    rec = json.loads((reports / "dead" / "status.json").read_text(encoding="utf-8"))
    rec["pid"] = 2 ** 22 + 12345
    (reports / "dead" / "status.json").write_text(json.dumps(rec), encoding="utf-8")
    _run(fixture_plan, fixture_db, reports, run_id="next")
    assert not list((reports / "dead").rglob(".*.tmp.ipynb"))
    assert read_status(reports / "dead")["state"] == "interrupted"


def test_resume_refuses_another_database_or_plan(fixture_plan, fixture_db, tmp_path):
    reports = tmp_path / "reports"
    out = _run(fixture_plan, fixture_db, reports, run_id="r1")
    other = tmp_path / "other.duckdb"
    shutil.copy(fixture_db, other)
    import duckdb

    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE extra AS SELECT 1 AS x")
    con.close()
    before = {p: sha256_file(p) for p in out.run_dir.rglob("*.html")}
    with pytest.raises(SpecError, match="database differs"):
        _run(fixture_plan, other, reports, resume_dir=out.run_dir)
    fixture_plan.write_text(fixture_plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(SpecError, match="plan differs"):
        _run(fixture_plan, fixture_db, reports, resume_dir=out.run_dir)
    assert {p: sha256_file(p) for p in out.run_dir.rglob("*.html")} == before  # nothing re-rendered


def test_run_with_a_db_that_is_not_duckdb(fixture_plan, tmp_path, capsys):
    from iplayout.cli import main

    bogus = tmp_path / "x.duckdb"
    bogus.write_bytes(b"this is not a database" * 10)
    rc = main(["run", str(fixture_plan), "--db", str(bogus), "--reports-dir", str(tmp_path / "r"), "--no-pdf"])
    assert rc == 2 and "not a DuckDB database" in capsys.readouterr().err
    with pytest.raises(IplayoutError, match="not a DuckDB database"):
        from iplayout.db.api import open_db

        open_db(bogus)
