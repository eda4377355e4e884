"""``iplayout progress report``: the progress report (05_programme/progress.ipynb) on its own.

The notebook is executed and rendered exactly as in a run (papermill, offline HTML, CJK PDF), in a
scratch folder; the HTML (and PDF) are then moved next to ``--output``. Evidence links are made
relative to the output's folder. No database is needed: the report reads only the schedule and the
evidence and publication logs.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import click

from ..errors import IplayoutError, ParameterError
from .jobs import Job
from .parameters import CodeBook, load_declarations, raise_problems, validate_parameters

NOTEBOOK = "05_programme/progress.ipynb"


def build_progress_report(output: Path, *, as_of: dt.date | None = None, programme: Path | None = None,
                          reports_dir: Path | None = None, pdf: bool = True) -> list[Path]:
    """Execute and render the progress report; returns the written files (``.html`` and, if possible, ``.pdf``)."""
    from ..config import notebooks_dir, params_dir, reports_dir as default_reports  # noqa: PLC0415
    from .execute import execute_job  # noqa: PLC0415

    output = Path(output).resolve()
    if output.suffix != ".html":
        raise ParameterError(f"--output must name an .html file (the PDF is written beside it), got {output}")
    decl = load_declarations(params_dir() / "notebooks.yaml").notebooks[NOTEBOOK]
    given = {"as_of": (as_of or dt.date.today()).isoformat(),
             "programme": str(Path(programme).resolve()) if programme else "",
             "reports_dir": str(Path(reports_dir or default_reports()).resolve()), "link_base": str(output.parent)}
    params, problems = validate_parameters(NOTEBOOK, decl, given, CodeBook(), where="iplayout progress report")
    raise_problems(problems)
    from ..programme.model import load_programme  # noqa: PLC0415

    load_programme(programme)  # refuse an invalid schedule before a kernel starts
    with tempfile.TemporaryDirectory(prefix="iplayout-progress-") as tmp:
        stem = output.stem
        job = Job(job_id="05_programme__progress", notebook=NOTEBOOK, notebook_path=str(notebooks_dir() / NOTEBOOK),
                  parameters=params, output_stem=stem, group=decl.group, title=decl.title)
        res = execute_job({"job": job.to_dict(), "run_dir": tmp, "run_id": f"progress-{given['as_of']}", "pdf": pdf,
                           "retries": 1, "timeout": 600})
        if res["status"] != "ok":
            err = res.get("error") or {}
            raise IplayoutError(f"progress report failed: cell {err.get('cell_index')}: "
                                f"{err.get('exception')}: {err.get('message')}")
        output.parent.mkdir(parents=True, exist_ok=True)
        written = []
        for kind in ("html", "pdf"):
            rel = res["outputs"].get(kind)
            if rel:
                dst = output.with_suffix(f".{kind}")
                shutil.move(str(Path(tmp) / rel), dst)
                written.append(dst)
        for w in res.get("warnings", []):
            click.echo(f"warning: {w}", err=True)
    return written


@click.command("report")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write (PDF beside it); default reports/progress-<as-of>.html")
@click.option("--as-of", "as_of", default=None, help="report date YYYY-MM-DD (default: today)")
@click.option("--programme", "programme_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="schedule file (default: params/programme.yaml)")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="reports folder holding the evidence and publication logs (default: reports/)")
@click.option("--no-pdf", is_flag=True, help="render HTML only")
def progress_report(output, as_of, programme_file, reports_dir, no_pdf):
    """Render the progress report (Gantt chart, completion by phase and unit, late tasks, evidence) on its own."""
    from ..config import reports_dir as default_reports  # noqa: PLC0415

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {as_of!r}", param_hint="--as-of") from None
    out = output or (Path(reports_dir or default_reports()) / f"progress-{day.isoformat()}.html")
    for p in build_progress_report(out, as_of=day, programme=programme_file, reports_dir=reports_dir, pdf=not no_pdf):
        click.echo(str(p))
