"""``iplayout progress``: the pilot's task status on a date, manual updates, the publication log, the report.

    iplayout progress [--as-of 2016-12-31] [--programme FILE] [--reports DIR] [--year 2016] [--format table|tsv|json]
    iplayout progress set T2.4 done --evidence "苏知发〔2016〕…号" [--percent N] [--next …] [--target-date D] [--date D]
    iplayout progress publications [--reports DIR]
    iplayout progress report [-o OUT.html] [--as-of D]      # the progress report on its own (HTML + PDF)

Invalid schedules (unknown unit, end before start, duplicate task, bad month) are refused with the
task id and field; the console script exits with status 2.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

import click

from ..errors import SpecError

_STYLE = {"done": "green", "on_time": "cyan", "late": "red", "not_started": "dim"}
# subcommands implemented in other layers, resolved lazily by name (as the top-level CLI does)
_LAZY = {"report": "iplayout.reporting.progress_report:progress_report"}


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


class _ProgressGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_LAZY))

    def get_command(self, ctx, name):
        if name in _LAZY:
            mod, attr = _LAZY[name].split(":")
            return getattr(importlib.import_module(mod), attr)
        return super().get_command(ctx, name)


def _reports(reports_dir: Path | None) -> Path:
    from ..config import reports_dir as default_reports  # noqa: PLC0415

    return Path(reports_dir) if reports_dir else default_reports()


@click.group("progress", cls=_ProgressGroup, invoke_without_command=True)
@click.option("--as-of", "as_of", callback=_date, default=None, help="status date YYYY-MM-DD (default: today)")
@click.option("--programme", "programme_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="schedule file (default: params/programme.yaml)")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="reports folder holding programme_evidence.jsonl (default: reports/)")
@click.option("--year", type=int, default=None, help="only tasks whose period touches this year")
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "json"]), default="table")
@click.pass_context
def progress(ctx, as_of, programme_file, reports_dir, year, fmt):
    """Status of every programme task (done / on time / late / not started) on a date."""
    if ctx.invoked_subcommand is not None:
        return
    from .evidence import load_run_evidence  # noqa: PLC0415
    from .model import load_programme  # noqa: PLC0415
    from .status import STATUS_EN, progress_table, summary_by, tasks_in_year  # noqa: PLC0415

    day = as_of or dt.date.today()
    loaded = load_programme(programme_file)
    runs = load_run_evidence(_reports(reports_dir))
    table = progress_table(loaded.programme, day, runs)
    if year is not None:
        table = tasks_in_year(table, year)
    if fmt == "tsv":
        click.echo("id\tphase\ttask\tstart\tend\tstatus\tpercent\tdone_date\tevidence")
        for _, r in table.iterrows():
            click.echo("\t".join([r["id"], r["phase"], r["task"], r["start"], r["end"], r["status"],
                                  str(r["percent"]), r["done_date"].isoformat() if r["done_date"] else "",
                                  " ".join(r["runs"])]))
        return
    if fmt == "json":
        cols = ["id", "phase", "stream", "task", "start", "end", "status", "percent", "done_date", "days_late",
                "responsible", "runs", "flags", "next_step"]
        click.echo(json.dumps(table[cols].to_dict(orient="records"), ensure_ascii=False, indent=1, default=str))
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console()
    t = Table(title=f"{loaded.programme.title} — 截至 {day.isoformat()}", show_lines=False)
    for col in ("编号", "阶段", "重点任务", "计划", "状态", "进度", "责任单位", "证据 / 提示"):
        t.add_column(col, overflow="fold", no_wrap=col in ("编号", "计划", "进度"))
    for _, r in table.iterrows():
        st = _STYLE[r["status"]]
        note = " ".join(r["runs"]) or r["flags"] or (f"逾期 {r['days_late']} 天" if r["days_late"] else "")
        t.add_row(r["id"], r["phase"], r["task"], f"{r['start']}–{r['end']}",
                  f"[{st}]{r['status_zh']} ({STATUS_EN[r['status']]})[/{st}]", f"{r['percent']}%",
                  r["responsible"], note)
    console.print(t)
    s = summary_by(table, "phase", order=[]).iloc[-1]
    console.print(f"{int(s['tasks'])} 项任务：已完成 {s['done']}，按期推进 {s['on_time']}，逾期 {s['late']}，"
                  f"未开始 {s['not_started']}（完成率 {s['completion'] * 100:.1f}%）")
    for r in runs:
        if r.stale:
            console.print(f"[yellow]未计入的运行证据[/yellow] {r.run_id}: {r.stale}")


@progress.command("set")
@click.argument("task_id")
@click.argument("status", type=click.Choice(["planned", "in_progress", "done"]))
@click.option("--evidence", default=None, help="document number, minutes or link (required for done)")
@click.option("--percent", type=click.IntRange(0, 100), default=None, help="percent complete")
@click.option("--next", "next_step", default=None, help="next step (下一步工作)")
@click.option("--target-date", callback=_date, default=None, help="expected completion YYYY-MM-DD")
@click.option("--date", "on", callback=_date, default=None, help="date of this update (default: today)")
@click.option("--programme", "programme_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="schedule file (default: params/programme.yaml)")
def set_status(task_id, status, evidence, percent, next_step, target_date, on, programme_file):
    """Record a manual update of TASK_ID in the schedule file (comments and order are kept)."""
    from ..config import params_dir  # noqa: PLC0415
    from .writeback import set_task  # noqa: PLC0415

    path = programme_file or params_dir() / "programme.yaml"
    set_task(path, task_id, status, evidence=evidence, percent=percent, next_step=next_step,
             target_date=target_date, on=on)
    click.echo(f"{path}: {task_id} → {status}")


@progress.command("publications")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="reports folder holding publications.jsonl (default: reports/)")
@click.option("--format", "fmt", type=click.Choice(["table", "tsv"]), default="table")
def publications(reports_dir, fmt):
    """Published report sets: date, scope and package checksum (re-verified against the file)."""
    from .publications import load_publications  # noqa: PLC0415

    pubs = load_publications(_reports(reports_dir))
    if fmt == "tsv":
        click.echo("published\trun_id\tplan\tterritories\tyears\treports\tpackage\tsha256\tverified")
        for p in pubs:
            sc = p.get("scope") or {}
            click.echo("\t".join(str(x) for x in (p.get("published"), p.get("run_id"), p.get("plan"),
                                                  ",".join(sc.get("territories") or []),
                                                  ",".join(str(y) for y in sc.get("years") or []), sc.get("reports"),
                                                  p.get("package"), p.get("sha256"), p.get("verified"))))
        return
    if not pubs:
        raise SpecError(f"{_reports(reports_dir) / 'publications.jsonl'}: no publication recorded yet "
                        "(package a run whose plan has `publish: true`)")
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    t = Table(title="报告集发布记录 (publications.jsonl)")
    for col in ("发布时间", "报告集", "范围", "发布包", "SHA-256", "校验"):
        t.add_column(col, overflow="fold")
    for p in pubs:
        sc = p.get("scope") or {}
        t.add_row(str(p.get("published")), f"{p.get('title')} ({p.get('run_id')})",
                  f"{'、'.join(sc.get('territory_names') or [])} {','.join(str(y) for y in sc.get('years') or [])}，"
                  f"{sc.get('reports')} 份", str(p.get("package")), str(p.get("sha256")), str(p.get("verified")))
    Console().print(t)
