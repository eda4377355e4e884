"""``iplayout evaluate TABLE --spec SPEC.yaml -o OUT.csv``.

TABLE is CSV (``.tsv``: tab-separated; UTF-8 with or without BOM, GBK/GB18030 as saved by Excel on
Chinese Windows, or UTF-16 with its BOM, detected in that order) or Excel (``.xlsx``, first sheet
unless ``--sheet``), read by :mod:`iplayout.tablefile` like every input table.
"""
from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..log import logger
from ..tablefile import header_and_body, read_grid
from .engine import SOURCE_LINE
from .spec import load_spec

#: enough significant digits that every value compares to 6 decimals (scores ×100 included)
FLOAT_FORMAT = "%.15g"


def read_table(path: Path, id_column: str, *, sheet: str | None = None) -> pd.DataFrame:
    """Read the input table with every cell as text, so codes such as ``320100`` (or ``010100``)
    stay strings; the engine converts indicator columns and names any cell that is not a number.

    The file is read by :func:`iplayout.tablefile.read_grid` — the same reader as ``db import``: regular
    files only, size cap, UTF-8 / GB18030 / UTF-16 (with BOM) detected, damaged files and a column name
    given twice refused. Only a blank cell is missing; ``N/A`` or ``-`` is text and listed as a bad cell.
    Returns a frame indexed by source line number (index name :data:`SOURCE_LINE`).
    """
    grid = read_grid(path, sheet=sheet)
    header, body, lines = header_and_body(grid, 1)
    if grid.encoding not in ("utf-8-sig", "xlsx"):
        logger.info("%s: read as %s (not UTF-8)", path, grid.encoding)
    df = pd.DataFrame(body, columns=header, dtype=object)
    df = df.where(df.apply(lambda c: c.str.strip()).ne(""), np.nan)
    df.index = pd.Index(lines, name=SOURCE_LINE)
    return df


def _write(tab: pd.DataFrame, path: Path) -> None:
    try:
        # utf-8-sig (BOM) so that Excel on Chinese Windows shows 中文 class names correctly
        tab.to_csv(path, index=False, float_format=FLOAT_FORMAT, encoding="utf-8-sig")
    except OSError as exc:
        raise DataError([Problem(f"cannot write: {exc.strerror}", file=str(path))]) from None


@click.command("evaluate")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--spec", "spec_path", required=True, type=click.Path(path_type=Path), help="Evaluation spec (YAML).")
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path),
              help="Scores CSV; weights go to OUT.weights.csv next to it.")
@click.option("--tables", "tables_dir", type=click.Path(path_type=Path), default=None,
              help="Also write every result table (CSV) and log.json into this folder.")
@click.option("--sheet", default=None, help="Sheet name of an .xlsx TABLE (default: the first sheet).")
def evaluate(table: Path, spec_path: Path, out: Path, tables_dir: Path | None, sheet: str | None) -> None:
    """Score TABLE (CSV or .xlsx: id column, optional year column, indicator columns) with SPEC.

    Writes one row per unit (and year) to OUT: subsystem scores U_*, C, T, D, class, score,
    rank and, with uncertainty on, the rank interval; the weights go to OUT.weights.csv and, when
    AHP is used, λmax / CI / RI / CR to OUT.ahp.csv. Exit code 0 on success, 2 on a spec or data
    error (the message names the key, or the file, line, column and value).
    """
    from .engine import evaluate_table

    spec = load_spec(spec_path)
    df = read_table(table, spec.id_column, sheet=sheet)
    res = evaluate_table(df, spec, source=str(table))
    for note in res.step("weights").get("notes", []):
        click.echo(f"note: {note}", err=True)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError([Problem(f"cannot create folder: {exc.strerror}", file=str(out.parent))]) from None
    _write(res.scores, out)
    wpath = out.with_name(out.stem + ".weights.csv")
    _write(res.weights, wpath)
    ahp = res.step("weights").get("ahp_consistency")
    if ahp:
        _write(pd.DataFrame([{"subsystem": k, **v} for k, v in ahp.items()]), out.with_name(out.stem + ".ahp.csv"))
    if tables_dir is not None:
        tables_dir.mkdir(parents=True, exist_ok=True)
        for name, tab in res.to_tables().items():
            if not tab.empty:
                _write(tab, tables_dir / f"{name}.csv")
        (tables_dir / "log.json").write_text(json.dumps(res.log, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"{len(res.scores)} rows → {out}; weights → {wpath}")
