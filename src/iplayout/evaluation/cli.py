"""``iplayout evaluate TABLE.csv --spec SPEC.yaml -o OUT.csv``."""
from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from ..errors import DataError, Problem
from .spec import load_spec


def read_table(path: Path, id_column: str) -> pd.DataFrame:
    """CSV with the id column kept as text (codes such as ``320100`` stay strings)."""
    try:
        return pd.read_csv(path, dtype={id_column: str}, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError([Problem("table not found", file=str(path))]) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError([Problem(f"cannot read CSV: {exc}", file=str(path))]) from None


@click.command("evaluate")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--spec", "spec_path", required=True, type=click.Path(path_type=Path), help="Evaluation spec (YAML).")
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path),
              help="Scores CSV; weights go to OUT.weights.csv next to it.")
@click.option("--tables", "tables_dir", type=click.Path(path_type=Path), default=None,
              help="Also write every result table (CSV) and log.json into this folder.")
def evaluate(table: Path, spec_path: Path, out: Path, tables_dir: Path | None) -> None:
    """Score TABLE (id column, optional year column, indicator columns) with SPEC.

    Writes one row per unit (and year) to OUT: subsystem scores U_*, C, T, D, class, score,
    rank and, with uncertainty on, the rank interval; the weights go to OUT.weights.csv.
    """
    from .engine import evaluate_table

    spec = load_spec(spec_path)
    df = read_table(table, spec.id_column)
    res = evaluate_table(df, spec, source=str(table))
    out.parent.mkdir(parents=True, exist_ok=True)
    # float_format keeps full precision so published results can be compared to 6+ decimals;
    # utf-8-sig (BOM) so that Excel on Chinese Windows shows 中文 class names correctly.
    res.scores.to_csv(out, index=False, float_format="%.10g", encoding="utf-8-sig")
    wpath = out.with_name(out.stem + ".weights.csv")
    res.weights.to_csv(wpath, index=False, float_format="%.10g", encoding="utf-8-sig")
    if tables_dir is not None:
        tables_dir.mkdir(parents=True, exist_ok=True)
        for name, tab in res.to_tables().items():
            if not tab.empty:
                tab.to_csv(tables_dir / f"{name}.csv", index=False, float_format="%.10g", encoding="utf-8-sig")
        (tables_dir / "log.json").write_text(json.dumps(res.log, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"{len(res.scores)} rows → {out}; weights → {wpath}")
