"""`iplayout run` on the small fixture notebooks: a run that produces every report records itself as evidence
on the tasks its plan delivers; a run with a failed report records nothing. Plans naming unknown tasks are refused."""
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).resolve().parents[1] / "reporting" / "fixtures"
sys.path.insert(0, str(FIXTURES))

from fixture_db import make_fixture_db  # noqa: E402

PLAN = """name: {name}
title: 测试报告集
notebooks_dir: notebooks
declarations: notebooks.yaml
programme: programme.yaml
as_of: 2016-12-31
delivers: {delivers}
defaults: {{territory: "320000", year: 2016}}
reports:
  - notebook: {notebook}
    parameters: {{region_code: "320100"}}
"""


@pytest.fixture()
def plan_dir(tmp_path, programme_copy):
    d = tmp_path / "plan"
    shutil.copytree(FIXTURES / "notebooks", d / "notebooks")
    shutil.copy(FIXTURES / "notebooks.yaml", d / "notebooks.yaml")
    shutil.copy(programme_copy, d / "programme.yaml")
    return d


def _plan(d: Path, name: str, notebook: str, delivers: str) -> Path:
    p = d / f"{name}.yaml"
    p.write_text(PLAN.format(name=name, notebook=notebook, delivers=delivers), encoding="utf-8")
    return p


def test_plan_with_unknown_task_is_refused(plan_dir):
    from iplayout.cli import main
    from iplayout.errors import DataError
    from iplayout.reporting.plans import load_plan

    with pytest.raises(DataError, match=r"column 'delivers': unknown programme task.*'T9\.9'"):
        load_plan(_plan(plan_dir, "bad", "chinese.ipynb", "[T2.1, T9.9]"))
    lp = load_plan(_plan(plan_dir, "good", "chinese.ipynb", "[T2.1]"))
    assert lp.plan.delivers == ["T2.1"] and str(lp.plan.as_of) == "2016-12-31"
    assert main(["run", "--dry-run", str(plan_dir / "bad.yaml")]) == 2


@pytest.mark.slow
def test_finished_run_is_evidence_failed_run_is_not(plan_dir, tmp_path):
    from iplayout.programme.evidence import EVIDENCE_LOG, load_run_evidence
    from iplayout.reporting.cli import run

    db = make_fixture_db(tmp_path / "fixture.duckdb")
    reports = tmp_path / "reports"
    base = ["--db", str(db), "--reports-dir", str(reports), "--workers", "0", "--no-pdf"]
    res = CliRunner().invoke(run, [str(_plan(plan_dir, "fails", "fails.ipynb", "[T2.5]")), "--run-id", "r-fail"] + base)
    assert res.exit_code == 1, res.output
    assert not (reports / EVIDENCE_LOG).exists()
    m = json.loads((reports / "r-fail" / "manifest.json").read_text(encoding="utf-8"))
    assert m["programme"]["evidence_recorded"] is False and m["programme"]["delivers"] == ["T2.5"]

    res = CliRunner().invoke(run, [str(_plan(plan_dir, "good", "chinese.ipynb", "[T2.1, T2.2]")), "--run-id", "r-ok"] + base)
    assert res.exit_code == 0, res.output
    (ev,) = load_run_evidence(reports)
    assert (ev.run_id, ev.tasks, str(ev.as_of), ev.stale) == ("r-ok", ["T2.1", "T2.2"], "2016-12-31", "")
    m = json.loads((reports / "r-ok" / "manifest.json").read_text(encoding="utf-8"))
    assert m["programme"]["evidence_recorded"] is True

    from iplayout.programme.model import load_programme
    from iplayout.programme.status import progress_table
    import datetime as dt

    t = progress_table(load_programme(plan_dir / "programme.yaml").programme, dt.date(2016, 12, 31),
                       load_run_evidence(reports)).set_index("id")
    assert t.loc["T2.1", "status"] == "done" and t.loc["T2.1", "runs"] == ["r-ok"]
    assert t.loc["T2.5", "status"] == "late"  # its run failed
