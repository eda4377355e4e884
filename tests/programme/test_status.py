"""Status rules on hand-made dates (docs/programme.md): boundaries of the start and end months are inclusive."""
import datetime as dt

import pytest

from iplayout.programme.evidence import RunEvidence
from iplayout.programme.model import Task
from iplayout.programme.status import progress_table, summary_by, task_status
from iplayout.programme.model import load_programme

from programme_helpers import PROGRAMME

D = dt.date


def task(**kw):
    base = dict(id="T9", phase="试点推进", task="测试任务", measure="测试措施", responsible=["省知识产权局"],
                start="2016-05", end="2016-07")
    return Task(**(base | kw))


def run(as_of, tasks=("T9",), stale=""):
    return RunEvidence(run_id=f"r-{as_of}", plan="p", title="报告集", tasks=list(tasks), as_of=as_of,
                       recorded="2026-12-01T10:00:00", run_dir=f"r-{as_of}", reports=2, stale=stale)


@pytest.mark.parametrize("as_of, expected", [
    (D(2016, 4, 30), "not_started"),   # the day before the start month
    (D(2016, 5, 1), "not_started"),    # start month reached, nothing recorded (flagged 已到开始时间)
    (D(2016, 7, 31), "not_started"),   # last day of the end month: not late yet
    (D(2016, 8, 1), "late"),           # first day after the end month
])
def test_planned_task_without_evidence(as_of, expected):
    assert task_status(task(), as_of)["status"] == expected


def test_flags_and_days_late():
    assert task_status(task(), D(2016, 5, 1))["flags"] == "已到开始时间"
    assert task_status(task(), D(2016, 4, 30))["flags"] == ""
    assert task_status(task(), D(2016, 8, 11))["days_late"] == 11


@pytest.mark.parametrize("as_of, expected", [
    (D(2016, 5, 19), "not_started"),   # before the update date the work is not known
    (D(2016, 5, 20), "on_time"),       # on the update date
    (D(2016, 7, 31), "on_time"),
    (D(2016, 8, 1), "late"),           # in progress but past the end month
])
def test_in_progress_task(as_of, expected):
    t = task(status="in_progress", percent=30, updated=D(2016, 5, 20))
    row = task_status(t, as_of)
    assert row["status"] == expected
    assert row["percent"] == (30 if as_of >= D(2016, 5, 20) else 0)


def test_undated_percent_applies_at_every_date():
    assert task_status(task(percent=10), D(2016, 6, 1))["status"] == "on_time"
    assert task_status(task(percent=10), D(2016, 4, 1))["status"] == "on_time"  # started early


def test_run_evidence_counts_from_its_as_of_date():
    ev = [run(D(2016, 12, 31))]
    assert task_status(task(), D(2016, 12, 30), ev)["status"] == "late"
    row = task_status(task(), D(2016, 12, 31), ev)
    assert (row["status"], row["done_date"], row["percent"]) == ("done", D(2016, 12, 31), 100)
    assert row["flags"] == "逾期完成"  # delivered after the end month (2016-07)
    assert row["runs"] == ["r-2016-12-31"]
    on_time = task_status(task(), D(2016, 7, 31), [run(D(2016, 7, 31))])
    assert (on_time["status"], on_time["flags"]) == ("done", "")
    # a run for another task, and a stale run (folder gone), are not evidence
    assert task_status(task(), D(2017, 1, 1), [run(D(2016, 6, 1), tasks=("T8",))])["status"] == "late"
    stale = task_status(task(), D(2017, 1, 1), [run(D(2016, 6, 1), stale="运行目录或其 manifest.json 不存在")])
    assert stale["status"] == "late" and stale["stale_runs"] == ["r-2016-06-01"]


def test_manual_done_counts_from_its_date():
    t = task(status="done", percent=100, updated=D(2016, 6, 15),
             evidence=[{"date": D(2016, 6, 15), "text": "会议纪要"}])
    assert task_status(t, D(2016, 6, 14))["status"] == "not_started"
    row = task_status(t, D(2016, 6, 15))
    assert (row["status"], row["done_date"], row["manual_evidence"]) == ("done", D(2016, 6, 15), ["2016-06-15 会议纪要"])
    # earliest of manual and run evidence
    assert task_status(t, D(2017, 1, 1), [run(D(2016, 5, 31))])["done_date"] == D(2016, 5, 31)


def test_summary_counts_by_phase_and_unit():
    prog = load_programme(PROGRAMME).programme
    table = progress_table(prog, D(2016, 12, 31), [run(D(2016, 12, 31), tasks=("T2.1", "T2.2", "T3.1"))])
    s = summary_by(table, "phase", order=prog.phases).set_index("phase")
    assert s.loc["试点推进", ["tasks", "done", "late", "not_started"]].tolist() == [9, 2, 5, 2]
    assert s.loc["阶段总结", ["done", "not_started"]].tolist() == [1, 1]
    assert s.loc["合计", "tasks"] == 28 and s.loc["合计", "done"] == 3
    assert s.loc["合计", "completion"] == pytest.approx(3 / 28)
    u = summary_by(table, "responsible_unit").set_index("responsible_unit")
    assert u.loc["省知识产权局", "tasks"] == 28 and u.loc["试点工作领导小组", "tasks"] == 4
    assert u.loc["试点工作领导小组", "done"] == 1  # T3.1 is led jointly
