"""The shipped schedule: the whole Jiangsu annex transcribed, and every refusal names the task and field."""
import re

import pytest

from iplayout.cli import main
from iplayout.errors import DataError
from iplayout.programme.model import load_programme, month_first_day, month_last_day

from programme_helpers import PROGRAMME

# (start, end) → tasks with that period, from issue 12's summary of the annex
ISSUE_PERIODS = {
    ("2016-02", "2016-02"): 2,   # expert group (and leading group); kick-off meeting
    ("2016-02", "2016-05"): 3,   # surveys: IP resources, key-industry IP density, innovation capacity & industrial base
    ("2016-02", "2016-06"): 1,   # policy review
    ("2016-02", "2016-04"): 2,   # evaluation model; support system
    ("2016-05", "2016-07"): 1,   # matching analysis
    ("2016-08", "2016-10"): 1,   # layout quality and value assessment
    ("2016-11", "2016-12"): 2,   # stage summary; guidance catalogue
    ("2017-01", "2017-02"): 1,   # policy adaptability study
    ("2017-03", "2017-06"): 1,   # policy making
    ("2016-05", "2017-10"): 1,   # integrated database
    ("2017-11", "2018-06"): 1,   # GIS
    ("2016-03", "2017-10"): 1,   # publication mechanism
    ("2016-03", "2017-12"): 1,   # IP-intensive industry plans
    ("2017-01", "2017-12"): 3,   # high-value patents, trademarks, core copyright
    ("2017-01", "2018-12"): 4,   # functional zones, 苏南/苏中/苏北 guidance, demonstration zone plan, navigation parks
    ("2018-01", "2018-06"): 2,   # self-evaluation; layout report
    ("2018-07", "2018-12"): 1,   # acceptance
}
KEY_TASKS = ["专家组", "启动会", "知识产权资源调查", "密集度", "创新能力和产业基础", "政策梳理", "评价模型", "匹配度",
             "质量与价值", "阶段总结", "导向目录", "政策适应性", "配套政策", "支撑体系", "集成数据库", "地理信息系统",
             "发布机制", "密集型产业", "高价值专利", "商标品牌", "核心版权", "功能区", "苏南、苏中、苏北",
             "示范区", "专利导航", "自评估", "区域布局报告", "验收"]


def test_full_annex_transcribed_and_valid():
    prog = load_programme(PROGRAMME).programme
    assert len(prog.tasks) == 28 == sum(ISSUE_PERIODS.values())
    periods = {}
    for t in prog.tasks:
        periods[(t.start, t.end)] = periods.get((t.start, t.end), 0) + 1
    assert periods == ISSUE_PERIODS
    assert prog.phases == ["试点启动", "试点推进", "阶段总结", "重点推进", "总结验收"]
    assert {t.phase for t in prog.tasks} == set(prog.phases)
    text = " ".join(f"{t.task} {t.measure}" for t in prog.tasks)
    missing = [k for k in KEY_TASKS if k not in text]
    assert not missing, missing
    # every task starts planned: no status, percent or evidence is invented
    assert all(t.status == "planned" and t.percent == 0 and not t.evidence and not t.targets for t in prog.tasks)
    assert len(prog.unit_groups["各设区市知识产权局"]) == 13
    assert (prog.start, prog.end) == ("2016-02", "2018-12")


def test_month_bounds_are_inclusive():
    assert str(month_first_day("2016-02")) == "2016-02-01"
    assert str(month_last_day("2016-02")) == "2016-02-29"   # leap year
    assert str(month_last_day("2016-12")) == "2016-12-31"


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


T24 = "  - id: T2.4\n"


@pytest.mark.parametrize("old, new, task, field, value", [
    ("responsible: [省知识产权局]\n    supporting: [各设区市知识产权局, 支撑单位]\n    start: 2016-02\n    end: 2016-06",
     "responsible: [省局]\n    supporting: [各设区市知识产权局, 支撑单位]\n    start: 2016-02\n    end: 2016-06",
     "T2.4", "responsible", "省局"),
    ("start: 2016-02\n    end: 2016-06", "start: 2016-02\n    end: 2016-01", "T2.4", "end", "2016-01"),
    ("start: 2016-02\n    end: 2016-06", "start: 2016-2\n    end: 2016-06", "T2.4", "start", "2016-2"),
    ("start: 2016-02\n    end: 2016-06", "start: 2016-02-01\n    end: 2016-06", "T2.4", "start", None),
    ("  - id: T2.5\n", "  - id: T2.4\n", "T2.4", "id", "T2.4"),
    ("phase: 试点推进\n    stream: 资源调查\n    task: 知识产权政策梳理", "phase: 推进\n    stream: 资源调查\n    task: 知识产权政策梳理",
     "T2.4", "phase", "推进"),
])
def test_refusals_name_task_and_field(programme_copy, old, new, task, field, value):
    _edit(programme_copy, old, new)
    with pytest.raises(DataError) as exc:
        load_programme(programme_copy)
    msg = str(exc.value)
    assert f"task {task}, field {field!r}" in msg, msg
    assert re.search(r"line \d+", msg), msg  # the line of the offending field
    if value:
        assert repr(value) in msg


def test_overlapping_duplicate_refused(programme_copy):
    text = programme_copy.read_text(encoding="utf-8")
    block = text[text.index(T24):text.index("  - id: T2.5\n")]
    dup = block.replace("id: T2.4", "id: T2.4b").replace("end: 2016-06", "end: 2016-09")
    programme_copy.write_text(text.replace(block, block + dup), encoding="utf-8")
    with pytest.raises(DataError, match=r"task T2\.4b, field 'measure': overlapping duplicate of task T2\.4"):
        load_programme(programme_copy)
    # the same row for a later, non-overlapping period is a legitimate second round
    programme_copy.write_text(text.replace(block, block + block.replace("id: T2.4", "id: T2.4b")
                                           .replace("start: 2016-02", "start: 2017-02").replace("end: 2016-06", "end: 2017-06")),
                              encoding="utf-8")
    assert len(load_programme(programme_copy).programme.tasks) == 29


@pytest.mark.parametrize("old, new, needle", [
    ("responsible: [省知识产权局]", "responsible: [省知识产权厅]", "field 'responsible'"),
    ("start: 2016-08\n    end: 2016-10", "start: 2016-08\n    end: 2016-07", "task T2.7, field 'end'"),
    ("  - id: T2.5\n", "  - id: T2.4\n", "task T2.4, field 'id': duplicate task id"),
])
def test_cli_refuses_bad_schedule_with_exit_2(programme_copy, capsys, old, new, needle):
    _edit(programme_copy, old, new)
    assert main(["progress", "--as-of", "2016-12-31", "--programme", str(programme_copy)]) == 2
    err = capsys.readouterr().err
    assert needle in err and str(programme_copy) in err and "Traceback" not in err
