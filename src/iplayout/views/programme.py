"""Sections of the progress report (试点工作进展情况报告): one call per notebook cell.

``open_progress`` validates the parameters and reads the schedule, the run-evidence log and the
publication log; the other functions turn that into Chinese text, styled tables and the Gantt chart.
Nothing here computes a status: that is :mod:`iplayout.programme.status`.
"""
from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import narrative as nv
from ..errors import ParameterError
from ..plots.gantt import plot_gantt
from ..plots.tables import style_table
from ..programme.evidence import RunEvidence, load_run_evidence
from ..programme.model import Programme, load_programme
from ..programme.publications import load_publications
from ..programme.status import STATUS_LABEL, STATUS_ORDER, progress_table, summary_by

REPORT_FOLDER = "05_programme"  # where a run puts the rendered progress report (notebook folder)
_SUMMARY_COLUMNS = {"tasks": ("任务数", "int"), "done": ("已完成", "int"), "on_time": ("按期推进", "int"),
                    "late": ("逾期", "int"), "not_started": ("未开始", "int"), "completion": ("完成率", "pct1"),
                    "mean_percent": ("平均完成进度(%)", "float1")}


@dataclass
class ProgressContext:
    """Schedule, evidence and the status table on one as-of date."""

    programme: Programme
    programme_path: Path
    as_of: dt.date
    reports_dir: Path
    link_base: Path
    runs: list[RunEvidence]
    table: pd.DataFrame
    publications: list[dict] = field(default_factory=list)
    current_delivers: list[str] = field(default_factory=list)
    current_run: str = ""

    def meta_args(self) -> dict:
        """Arguments of ``report_meta`` (no database figures: the report is never demo data)."""
        title = self.programme.report_title or f"{self.programme.title}进展情况报告"
        return {"title": f"{title}（截至 {self.as_of.isoformat()}）",
                "title_en": f"{self.programme.title_en}: progress report",
                "is_demo": False, "year": self.as_of.year, "stage": "programme",
                "sources": [{"title": f"工作方案进度安排（{self.programme_path.name}）"},
                            {"title": "报告集运行证据日志（programme_evidence.jsonl）"}],
                "notes": f"截至 {self.as_of.isoformat()}"}

    def link(self, target: str) -> str:
        """Relative link from the rendered report's folder to ``target`` (relative to the reports folder)."""
        return Path(os.path.relpath(self.reports_dir / target, self.link_base)).as_posix()


def _date(text: str) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        raise ParameterError(f"as_of must be a date YYYY-MM-DD, got {text!r}") from None


def open_progress(*, as_of: str = "", programme: str = "", reports_dir: str = "", run_dir: str = "",
                  link_base: str = "") -> ProgressContext:
    """The one object the progress notebook holds (empty parameters: today, params/programme.yaml, reports/)."""
    from ..config import reports_dir as default_reports  # noqa: PLC0415

    day = _date(as_of)
    loaded = load_programme(programme or None)
    run = Path(run_dir) if run_dir else None
    rep = Path(reports_dir) if reports_dir else (run.parent if run else default_reports())
    base = Path(link_base) if link_base else (run / REPORT_FOLDER if run else rep)
    runs = load_run_evidence(rep)
    delivers: list[str] = []
    if run is not None and (run / "plan.yaml").is_file():
        import yaml  # noqa: PLC0415

        plan = yaml.safe_load((run / "plan.yaml").read_text(encoding="utf-8")) or {}
        delivers = [str(t) for t in plan.get("delivers") or []]
    return ProgressContext(programme=loaded.programme, programme_path=loaded.path, as_of=day, reports_dir=rep,
                           link_base=base, runs=runs, table=progress_table(loaded.programme, day, runs),
                           publications=load_publications(rep), current_delivers=delivers,
                           current_run=run.name if run else "")


def overview_text(ctx: ProgressContext) -> str:
    """Headline: how many tasks are done, on time, late, not started; the report set's own deliverables."""
    t = ctx.table
    n = {s: int((t["status"] == s).sum()) for s in STATUS_ORDER}
    due = t[t["end_date"] <= ctx.as_of]
    out = [f"截至{ctx.as_of.year}年{ctx.as_of.month}月{ctx.as_of.day}日，工作方案{len(t)}项任务中，"
           f"已完成{n['done']}项、按期推进{n['on_time']}项、逾期{n['late']}项、未开始{n['not_started']}项；"
           f"按计划应已完成的{len(due)}项中已完成{int((due['status'] == 'done').sum())}项。"
           f"全部任务平均完成进度{t['percent'].mean():.1f}%。"]
    if ctx.current_delivers:
        ids = "、".join(nv.md_escape(i) for i in ctx.current_delivers)
        out.append(f"本报告集（运行 {nv.md_escape(ctx.current_run)}）交付任务 {ids}：全部报告生成后，本次运行自动记为这些任务的"
                   "完成证据，`iplayout progress` 随即反映；本报告生成时尚未计入。")
    stale = [r for r in ctx.runs if r.stale]
    if stale:
        out.append(f"另有{len(stale)}条运行证据因运行目录缺失或报告不完整未计入：" +
                   "；".join(f"{nv.md_escape(r.run_id)}（{r.stale}）" for r in stale) + "。")
    return "\n\n".join(out)


def status_summary_table(ctx: ProgressContext):
    """One row: the whole programme by status (the 合计 row of the phase table)."""
    s = summary_by(ctx.table, "phase", order=[]).assign(scope="全部任务")
    cols = {"scope": ("范围", "text")} | _SUMMARY_COLUMNS
    return style_table(s, cols, caption=f"任务完成情况总览（截至 {ctx.as_of.isoformat()}）")


def gantt_chart(ctx: ProgressContext):
    """Gantt chart of every task, coloured by status, with the as-of line."""
    t = ctx.table.assign(label=[f"{i} {name}" for i, name in zip(ctx.table["id"], ctx.table["task"])])
    return plot_gantt(t, as_of=ctx.as_of, title=f"{ctx.programme.title}（截至 {ctx.as_of.isoformat()}）",
                      source=f"资料来源：{ctx.programme_path.name}（工作方案附件进度安排）与报告集运行证据。"
                             "深色细条为完成进度。")


def phase_table(ctx: ProgressContext):
    """Completion by phase, in the plan's phase order."""
    s = summary_by(ctx.table, "phase", order=ctx.programme.phases)
    return style_table(s, {"phase": ("阶段", "text")} | _SUMMARY_COLUMNS, caption="分阶段完成情况",
                       highlight_rows=s["phase"] == "合计")


def unit_table(ctx: ProgressContext):
    """Completion by responsible unit (a task with two responsible units counts for each)."""
    s = summary_by(ctx.table, "responsible_unit")
    return style_table(s, {"responsible_unit": ("责任单位", "text")} | _SUMMARY_COLUMNS,
                       caption="各责任单位完成情况（按牵头任务计）", highlight_rows=s["responsible_unit"] == "合计")


def late_text(ctx: ProgressContext) -> str:
    late = ctx.table[ctx.table["status"] == "late"]
    if late.empty:
        return f"截至{ctx.as_of.isoformat()}，没有逾期任务。"
    return (f"截至{ctx.as_of.isoformat()}，{len(late)}项任务已过计划结束月仍未完成，"
            "请责任单位说明原因并登记下一步工作（`iplayout progress set 任务编号 in_progress --next …`）。")


def late_table(ctx: ProgressContext):
    """Late tasks with their owners, days overdue and next step."""
    late = ctx.table[ctx.table["status"] == "late"]
    cols = {"id": ("编号", "text"), "task": ("重点任务", "text"), "end": ("计划完成", "text"),
            "days_late": ("逾期天数", "int"), "responsible": ("责任单位", "text"), "supporting": ("配合单位", "text"),
            "percent": ("完成进度(%)", "int"), "next_step": ("下一步工作", "text")}
    return style_table(late, cols, caption="逾期任务及责任单位")


def task_table(ctx: ProgressContext):
    """Every task: phase, measure, period, units and status."""
    cols = {"id": ("编号", "text"), "phase": ("阶段", "text"), "task": ("重点任务", "text"),
            "measure": ("工作措施", "text"), "start": ("开始", "text"), "end": ("结束", "text"),
            "responsible": ("责任单位", "text"), "status_zh": ("状态", "text"), "percent": ("进度(%)", "int"),
            "flags": ("提示", "text")}
    return style_table(ctx.table, cols, caption=f"任务进展明细（截至 {ctx.as_of.isoformat()}）")


def _html_table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    """A three-line table whose cells are already-escaped HTML (links)."""
    # inline alignment: the notebook theme right-aligns table cells, and this table has no Styler CSS
    th = "".join(f'<th style="text-align:left">{html.escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f'<td class="ipl-txt" style="text-align:left;vertical-align:top">{c}</td>'
                                    for c in r) + "</tr>" for r in rows)
    return (f'<table class="ipl-table{" ipl-keep" if len(rows) <= 12 else ""}"><caption>{html.escape(caption)}'
            f"</caption><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>")


def evidence_table(ctx: ProgressContext):
    """Evidence per task: report-set runs (linked to their index pages) and evidence entered by hand."""
    from IPython.display import HTML  # noqa: PLC0415

    rows = []
    by_id = {r.run_id: r for r in ctx.runs}
    for _, t in ctx.table.iterrows():
        items = []
        for rid in t["runs"]:
            r = by_id[rid]
            items.append(f'<a href="{html.escape(ctx.link(r.index))}">{html.escape(r.title or r.plan)}</a>'
                         f"（{html.escape(rid)}，截至 {r.as_of.isoformat()}）")
        items += [f"{html.escape(rid)}（未计入：{html.escape(by_id[rid].stale)}）" for rid in t["stale_runs"]]
        items += [html.escape(e) for e in t["manual_evidence"]]
        if items:
            rows.append([html.escape(t["id"]), html.escape(t["task"]), html.escape(t["status_zh"]), "<br>".join(items)])
    if not rows:
        return HTML("<p>尚无任务证据：报告集运行全部成功后自动登记，其他证据用 "
                    "<code>iplayout progress set 任务编号 状态 --evidence …</code> 登记。</p>")
    return HTML(_html_table("任务完成证据", ["编号", "重点任务", "状态", "证据（报告集运行链接、文件）"], rows))


def targets_table(ctx: ProgressContext):
    """The plan's indicator targets where the schedule records them; a note where it has none."""
    from IPython.display import Markdown  # noqa: PLC0415

    rows = [dict(id=t.id, task=t.task, **tg.model_dump()) for t in ctx.programme.tasks for tg in t.targets]
    if not rows:
        return Markdown("工作方案的指标目标尚未录入 `programme.yaml`（各任务 `targets` 为空）：请按签发的工作方案填写"
                        "指标名称、单位、基期值和目标值，本节随即列出。")
    cols = {"id": ("编号", "text"), "task": ("重点任务", "text"), "name": ("指标", "text"), "unit": ("单位", "text"),
            "baseline": ("基期值", "auto"), "target": ("目标值", "auto"), "year": ("目标年份", "rank"),
            "source": ("依据", "text")}
    return style_table(pd.DataFrame(rows), cols, caption="工作方案指标目标")


def publications_table(ctx: ProgressContext):
    """Published releases (date, scope, package checksum) from ``publications.jsonl``."""
    from IPython.display import Markdown  # noqa: PLC0415

    pubs = ctx.publications  # an audit log: every release is listed, whatever the as-of date
    if not pubs:
        return Markdown("尚无发布记录：运行计划标记 `publish: true` 的报告集，用 `iplayout package` 打包时自动登记"
                        "（日期、范围、压缩包 SHA-256）。")
    df = pd.DataFrame([{"published": str(p.get("published", "")).replace("T", " ")[:16], "title": p.get("title", ""),
                        "scope": "、".join(p.get("scope", {}).get("territory_names") or []) + " " +
                                 "、".join(str(y) for y in p.get("scope", {}).get("years") or []) + "年，"
                                 f"{p.get('scope', {}).get('reports', 0)}份报告",
                        "package": p.get("package", ""), "sha256": str(p.get("sha256", ""))[:16] + "…",
                        "verified": p.get("verified", "")} for p in pubs])
    cols = {"published": ("发布时间", "text"), "title": ("报告集", "text"), "scope": ("范围", "text"),
            "package": ("发布包", "text"), "sha256": ("SHA-256（前16位）", "text"), "verified": ("校验", "text")}
    return style_table(df, cols, caption="报告集发布记录")


def rules_text(ctx: ProgressContext) -> str:
    """How statuses are decided (printed in the report's notes)."""
    return ("**状态判定规则**：任务计划期自开始月第一天起、至结束月最后一天止（含两端）。"
            "①已完成：截至日前有交付该任务的报告集运行全部成功（以运行计划的截至日期为准），或手工状态为已完成且登记日期不晚于截至日；"
            "②逾期：未完成且截至日已过计划结束月；③按期推进：未完成、未过结束月且已登记进行中或完成进度大于0；"
            "④未开始：其余情况（尚未到开始月，或到期开始但未登记任何进展，提示“已到开始时间”）。"
            f"状态代码：{'、'.join(f'{k}={v}' for k, v in STATUS_LABEL.items())}。")
