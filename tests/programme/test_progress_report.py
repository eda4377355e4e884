"""The progress report rendered on its own: Gantt chart, phase/unit tables, late tasks, relative evidence links."""
import datetime as dt
import re

import pytest

from iplayout.programme.evidence import record_run

from programme_helpers import fake_run

pytestmark = pytest.mark.slow


def test_progress_report_renders_with_gantt_and_links(tmp_path):
    from iplayout.reporting.progress_report import build_progress_report

    reports = tmp_path / "reports"
    m = fake_run(reports, "r-stage", statuses=("ok",) * 3, title="阶段总结报告集<测试>")
    record_run(reports, m, tasks=["T2.1", "T3.1"], as_of=dt.date(2016, 12, 31), n_planned=3)
    out = tmp_path / "site" / "progress.html"
    written = build_progress_report(out, as_of=dt.date(2016, 12, 31), reports_dir=reports, pdf=False)
    assert written == [out]
    html = out.read_text(encoding="utf-8")
    assert "试点工作进展情况报告（截至 2016-12-31）" in html
    assert html.count('src="data:image/png;base64,') == 1      # the Gantt chart
    for text in ("分阶段完成情况", "各责任单位完成情况", "逾期任务及责任单位", "试点推进", "省知识产权局",
                 "已完成2项、按期推进0项、逾期9项、未开始17项"):
        assert text in html, text
    # evidence links are relative, from the report's folder to the run's index; data text is escaped
    assert 'href="../reports/r-stage/index.html"' in html
    assert "阶段总结报告集&lt;测试&gt;" in html and "<测试>" not in html
    assert not re.search(r'href="(?:https?:|/)', html)
    late = html[html.index("逾期任务及责任单位"):]
    assert "T1.1" in late and "T2.4" in late
