"""``iplayout peers TABLE --spec SPEC.yaml -o OUT.csv`` and ``iplayout parks check|import``.

``peers`` reproduces a structural-benchmarking table from any CSV/Excel table (one row per region, the
spec's indicator columns): OUT.csv holds every ordered pair with its distance and rank (``nearest`` marks the
k nearest), OUT.matrix.csv the square distance table and OUT.transforms.csv the skewness audit.
"""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ..config import default_db_path, params_dir
from ..errors import DataError, Problem
from ..fileio import atomic_write
from ..evaluation.cli import FLOAT_FORMAT, read_table
from ..methods.peers import pairwise_long, structural_distance
from .spec import load_peers_spec


def _numeric_table(df: pd.DataFrame, id_column: str, columns: list[str], source: str) -> pd.DataFrame:
    """Indicator columns as floats indexed by the id column; every bad cell is reported with its line."""
    problems = []
    for c in [id_column] + columns:
        if c not in df.columns:
            problems.append(Problem("column missing (named in the spec)", file=source, column=c))
    if problems:
        raise DataError(problems)
    ids = df[id_column].astype(str).str.strip()
    dup = ids[ids.duplicated()]
    problems += [Problem("duplicate id", file=source, line=int(line), column=id_column, value=v) for line, v in dup.items()]
    out = pd.DataFrame(index=pd.Index(ids.to_numpy(), name=id_column))
    for c in columns:
        num = pd.to_numeric(df[c].str.strip().str.replace(",", "", regex=False), errors="coerce")
        for line in df.index[num.isna()]:
            raw = df.at[line, c]
            problems.append(Problem("missing value" if pd.isna(raw) or not str(raw).strip() else "not a number",
                                    file=source, line=int(line), column=c, value=None if pd.isna(raw) else raw))
        out[c] = num.to_numpy()
    if problems:
        raise DataError(problems)
    return out


def _write_csv(df: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    try:
        # utf-8-sig (BOM) so that Excel on Chinese Windows shows the codes and names correctly
        atomic_write(path, df.to_csv(index=index, float_format=FLOAT_FORMAT), encoding="utf-8-sig")
    except OSError as exc:
        raise DataError([Problem(f"cannot write: {exc.strerror}", file=str(path))]) from None


@click.command("peers")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--spec", "spec_path", required=True, type=click.Path(path_type=Path),
              help="Peers spec (YAML): dimensions with indicator columns, k, skew_threshold.")
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path),
              help="Pairwise distances and ranks (CSV); OUT.matrix.csv and OUT.transforms.csv go next to it.")
@click.option("--sheet", default=None, help="Sheet name of an .xlsx TABLE (default: the first sheet).")
def peers(table: Path, spec_path: Path, out: Path, sheet: str | None) -> None:
    """Structural peers of every region in TABLE (S3-platform benchmarking: skewness correction, z-scores,
    weighted squared Euclidean distance). Exit code 2 on a spec or data error."""
    spec = load_peers_spec(spec_path)
    dims = spec.dimension_map()
    cols = [c for cs in dims.values() for c in cs]
    x = _numeric_table(read_table(table, spec.id_column, sheet=sheet), spec.id_column, cols, str(table))
    dist, audit = structural_distance(x, dims, dimension_weights=spec.dimension_weights(),
                                      skew_threshold=spec.skew_threshold, ladder=spec.ladder)
    long = pairwise_long(dist, k=spec.k).rename(columns={"region_code": spec.id_column})
    _write_csv(long, out)
    _write_csv(dist.rename_axis(spec.id_column), out.with_name(out.stem + ".matrix.csv"), index=True)
    _write_csv(audit, out.with_name(out.stem + ".transforms.csv"))
    near = long[long["nearest"]]
    for r, g in near.groupby(spec.id_column, sort=False):
        click.echo(f"{r}: " + ", ".join(f"{p} ({d:.3f})" for p, d in zip(g["peer_code"], g["distance"])))
    click.echo(f"{len(dist)} regions, {len(cols)} indicators → {out}")


@click.group("parks")
def parks() -> None:
    """Patent-navigation parks (params/parks.yaml): check the list or import one from CSV."""


def _codes(db_path: Path | None):
    from ..db.api import open_db

    with open_db(db_path or default_db_path()) as db:
        return db.regions()["code"].astype(str).tolist(), db.industries()["code"].astype(str).tolist()


@parks.command("check")
@click.option("--file", "path", type=click.Path(path_type=Path), default=None, help="Default: params/parks.yaml.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None)
def parks_check(path: Path | None, db_path: Path | None) -> None:
    """Validate the park list against the database (unknown city or industry codes are errors)."""
    from .parks import load_parks

    regions, industries = _codes(db_path)
    path = path or params_dir() / "parks.yaml"
    found = load_parks(path, region_codes=regions, industry_codes=industries)
    click.echo(f"{path}: {len(found)} park(s), all valid")


@parks.command("import")
@click.argument("csv_path", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None, help="Default: params/parks.yaml.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None)
def parks_import(csv_path: Path, out: Path | None, db_path: Path | None) -> None:
    """Write params/parks.yaml from a CSV in the template's columns (data/templates/parks_template.csv).

    Nothing is written unless every row is valid.
    """
    from .parks import check_parks, dump_parks, parks_from_csv

    found = parks_from_csv(csv_path)
    regions, industries = _codes(db_path)
    check_parks(found, region_codes=regions, industry_codes=industries, file=str(csv_path))
    out = out or params_dir() / "parks.yaml"
    header = ("# Patent-navigation parks, imported by `iplayout parks import` from "
              f"{csv_path.name}; format: docs/regions.md (专利导航园区).\n")
    atomic_write(out, header + dump_parks(found))
    click.echo(f"{len(found)} park(s) → {out}")
