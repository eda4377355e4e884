"""``iplayout explore``: build the offline layout explorer (可视化地理信息系统) from the database and run folders."""
from __future__ import annotations

from pathlib import Path

import click


@click.command(help="Build the offline layout explorer (可视化地理信息系统): a static site over the database "
                    "and the finished run folders. Open OUT/index.html from the file system or a zip.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file (default: build/iplayout.duckdb or $IPLAYOUT_DB).")
@click.option("--runs", "runs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of run folders for layers and report links (default: the project's reports/ when it "
                   "exists; --no-runs for none).")
@click.option("--no-runs", is_flag=True, help="Build from the database only (no layers, no report links).")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Site folder to write (new, empty, or an earlier explorer site).")
@click.option("-t", "--territory", "territories", multiple=True,
              help="Territory code (repeatable; default 100000, 320000 and every profile with a map).")
def explore(db_path, runs_dir, no_runs, out_dir, territories) -> None:
    from ..config import reports_dir
    from ..db.api import open_db
    from ..reporting.index import EXPLORER_DIR, write_root_index
    from .site import build_site

    if no_runs:
        runs_dir = None
    elif runs_dir is None and reports_dir().is_dir():
        runs_dir = reports_dir()
    with open_db(db_path) as db:
        s = build_site(db, out_dir, runs_dir=runs_dir, territories=list(territories) or None)
    if runs_dir is not None and out_dir.name == EXPLORER_DIR and out_dir.resolve().parent == runs_dir.resolve():
        write_root_index(runs_dir)  # reports/index.html links the explorer next to the report sets
    per = "，".join(f"{t}: {v['indicators']} 个指标 {v['bytes'] / 1e6:.2f} MB" for t, v in s["territories"].items())
    click.echo(f"站点已生成 / site written: {s['path']}/index.html — {s['files']} 个文件，"
               f"{s['bytes'] / 1e6:.2f} MB，{s['seconds']:.1f} 秒（{per}）；图层与报告链接："
               f"{runs_dir if runs_dir else '无（未读取运行文件夹）'}")
