"""`iplayout progress set` writes back into the YAML keeping every comment and the order of keys and tasks."""
import datetime as dt
import difflib

import pytest

from iplayout.cli import main
from iplayout.errors import DataError, SpecError
from iplayout.programme.model import load_programme
from iplayout.programme.writeback import round_trip, set_task

from programme_helpers import PROGRAMME


def _changed(before: str, after: str) -> list[str]:
    return [ln for ln in difflib.ndiff(before.splitlines(), after.splitlines()) if ln[:1] in "+-"]


def test_round_trip_of_shipped_file_is_byte_identical():
    text = PROGRAMME.read_text(encoding="utf-8")
    assert round_trip(text) == text


def test_set_changes_only_the_fields_it_sets(programme_copy):
    before = programme_copy.read_text(encoding="utf-8")
    set_task(programme_copy, "T2.4", "in_progress", percent=40, next_step="汇总政策清单",
             evidence="苏知发〔2016〕示例号（测试）", on=dt.date(2016, 5, 3))
    after = programme_copy.read_text(encoding="utf-8")
    assert _changed(before, after) == [
        "-     status: planned", "+     status: in_progress",
        "-     percent: 0", "+     percent: 40",
        "-     updated:", "+     updated: 2016-05-03",
        '-     next_step: ""', '+     next_step: "汇总政策清单"',
        "-     evidence: []", "+     evidence:",
        "+       - date: 2016-05-03", "+         text: 苏知发〔2016〕示例号（测试）",
    ]
    # comments, the units list and the task order survive; the result loads and shows the update
    assert after.splitlines()[:20] == before.splitlines()[:20]
    assert after.count("#") == before.count("#")
    prog = load_programme(programme_copy).programme
    assert prog.task_ids == load_programme(PROGRAMME).programme.task_ids
    t = prog.task("T2.4")
    assert (t.status, t.percent, t.updated, t.next_step) == ("in_progress", 40, dt.date(2016, 5, 3), "汇总政策清单")
    # a second update appends evidence and leaves the first
    set_task(programme_copy, "T2.4", "done", evidence="政策现状分析报告", on=dt.date(2016, 6, 30))
    t = load_programme(programme_copy).programme.task("T2.4")
    assert (t.status, t.percent) == ("done", 100)
    assert [e.text for e in t.evidence] == ["苏知发〔2016〕示例号（测试）", "政策现状分析报告"]
    assert "&id" not in programme_copy.read_text(encoding="utf-8")  # no YAML anchors for repeated dates


def test_set_refusals_leave_the_file_untouched(programme_copy):
    before = programme_copy.read_bytes()
    with pytest.raises(SpecError, match="no task 'T9.9'"):
        set_task(programme_copy, "T9.9", "done", evidence="x")
    with pytest.raises(SpecError, match="needs --evidence"):
        set_task(programme_copy, "T2.4", "done")
    with pytest.raises(SpecError, match="100 %"):
        set_task(programme_copy, "T2.4", "done", evidence="x", percent=50)
    programme_copy.write_text(programme_copy.read_text(encoding="utf-8").replace("[省知识产权局]", "[省局]", 1),
                              encoding="utf-8")
    broken = programme_copy.read_bytes()
    with pytest.raises(DataError, match="field 'responsible'"):
        set_task(programme_copy, "T2.4", "in_progress", percent=10)
    assert programme_copy.read_bytes() == broken
    programme_copy.write_bytes(before)


def test_cli_set(programme_copy, capsys):
    assert main(["progress", "set", "T1.1", "done", "--evidence", "领导小组成立通知（测试）", "--date", "2016-02-26",
                 "--programme", str(programme_copy)]) == 0
    t = load_programme(programme_copy).programme.task("T1.1")
    assert (t.status, t.updated, t.evidence[0].text) == ("done", dt.date(2016, 2, 26), "领导小组成立通知（测试）")
    assert main(["progress", "set", "T1.1", "finished", "--programme", str(programme_copy)]) == 2
