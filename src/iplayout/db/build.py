"""``iplayout db build``: data packages → one DuckDB file, written atomically.

The database is written to a temporary file in the target folder and moved into place with
``os.replace`` (atomic on one filesystem), so readers never see a half-built file and a failed build
leaves the previous database untouched.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .._version import __version__
from ..config import data_dir as default_data_dir
from ..config import default_db_path
from ..errors import DataError, Problem
from ..log import logger
from . import schema
from ..fileio import sha256_tree
from .aliases import load_alias_table
from .demo import DEFAULT_SEED, generate_demo
from .lock import writer_lock
from .transaction import check_writable, replace_database
from .policies import example_policies
from .records.concordance import PACKAGE as CONCORDANCE_PACKAGE, bundled_targets, load_bundled
from .records.schema import create_record_tables
from .replay import imports_dir, replay_imports
from .packages import list_packages, load_meta, read_package_facts, read_reference


@dataclass
class BuildSummary:
    db_path: Path
    seconds: float
    counts: dict[str, int]
    package_stats: dict[str, dict] = field(default_factory=dict)
    collapsed_duplicates: int = 0
    demo_rows: int = 0

    def lines(self) -> list[str]:
        out = [f"database: {self.db_path}", f"built in {self.seconds:.2f} s"]
        out += [f"  {k}: {v:,}" for k, v in self.counts.items()]
        for pid, st in self.package_stats.items():
            out.append(f"  package {pid}: " + ", ".join(f"{k} {v:,}" for k, v in st.items()))
        out.append(f"  identical duplicate facts collapsed: {self.collapsed_duplicates}")
        out.append(f"  demo observations (flagged is_demo): {self.demo_rows:,}")
        return out


def check_duplicates(obs: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Collapse identical duplicate facts; raise DataError showing both rows of any conflicting pair.

    Two rows for the same (region, year, indicator, industry) with equal values are one fact seen twice
    (the first, in package order, is kept). Different values are an error: both rows are named with
    file, line and value so the user can decide which source wins (by a skip rule in items.csv).
    """
    key = ["region_code", "year", "indicator_code", "industry_code"]
    dup = obs[obs.duplicated(key, keep=False)]
    if dup.empty:
        return obs, 0
    problems: list[Problem] = []
    for k, grp in dup.groupby(key, sort=True):
        if grp["value"].nunique() > 1:
            first = grp.iloc[0]
            for _, other in grp.iloc[1:].iterrows():
                if other["value"] != first["value"]:
                    problems.append(Problem(
                        f"conflicting duplicate for {k}: {first['file']} line {first['line']} has {float(first['value']):,.10g}, "
                        f"this row has {float(other['value']):,.10g}", other["file"], int(other["line"]), "value",
                        float(other["value"])))
    if problems:
        raise DataError(problems)
    kept = obs.drop_duplicates(key, keep="first")
    return kept, len(obs) - len(kept)


def collect(data_dir: Path, *, seed: int = DEFAULT_SEED, demo: bool = True) -> dict:
    """Read every package and the reference tables into DataFrames (no database yet)."""
    ref = read_reference(data_dir / "reference")
    regions = ref["regions"]
    aliases = load_alias_table(data_dir / "reference", set(regions["code"]))
    catalogue = ref["indicators"].set_index("code")
    catalogue = catalogue[catalogue["kind"] == "stored"]
    obs_parts, src_parts, stats, pkg_rows = [], [], {}, []
    metas = {}
    problems: list[Problem] = []
    for pdir in list_packages(data_dir):
        meta = load_meta(pdir)
        metas[meta.id] = meta
        pkg_rows.append(dict(id=meta.id, title=meta.title, title_en=meta.title_en, publisher=meta.publisher,
                             original_source=meta.original_source, licence=meta.licence, level=meta.level,
                             years=json.dumps(meta.years), is_demo=meta.is_demo,
                             known_defects=json.dumps(meta.known_defects, ensure_ascii=False),
                             attribution=meta.attribution or "", sha256=sha256_tree(pdir, exclude=("__pycache__",))))
        if meta.facts is None:
            continue
        try:
            obs, src, st = read_package_facts(pdir, meta, aliases, catalogue)
        except DataError as exc:  # keep going so the user sees every package's problems at once
            problems += exc.problems
            continue
        obs_parts.append(obs)
        src_parts.append(src)
        stats[meta.id] = st
    if problems:
        raise DataError(problems)
    real = pd.concat(obs_parts, ignore_index=True)
    real, collapsed = check_duplicates(real)
    real = real.drop(columns=["file", "line"])
    sources = pd.concat(src_parts, ignore_index=True)
    industries = ref["industries"]
    if (data_dir / CONCORDANCE_PACKAGE).is_dir():  # TF01…TF35, the targets of the WIPO concordance
        industries = pd.concat([industries, bundled_targets(data_dir)], ignore_index=True)
    out = dict(regions=regions, region_aliases=ref["region_aliases"], indicators=ref["indicators"],
               industries=industries, sources=sources, observations=real,
               packages=pd.DataFrame(pkg_rows), stats=stats, collapsed=collapsed, demo_rows=0,
               demo_meta=metas.get("jiangsu_demo"))
    if demo and out["demo_meta"] is not None:
        add_demo(out, seed)
    return out


def add_demo(frames: dict, seed: int) -> None:
    """Generate the demo panel from the real observations in ``frames`` and append it (in place)."""
    demo_rows, demo_src = generate_demo(frames["observations"], frames["regions"], frames["demo_meta"], seed=seed)
    frames["observations"] = pd.concat([frames["observations"], demo_rows], ignore_index=True)
    frames["sources"] = pd.concat([frames["sources"], demo_src], ignore_index=True)
    frames["stats"]["jiangsu_demo"] = {"generated": len(demo_rows), "seed": seed}
    frames["demo_rows"] = len(demo_rows)


def build_database(db_path: Path | str | None = None, *, data_dir: Path | None = None,
                   seed: int = DEFAULT_SEED, demo: bool = True, imports: bool = True,
                   lock_timeout: float | None = None) -> BuildSummary:
    """Build the integrated database at ``db_path`` (default ``build/iplayout.duckdb``) atomically.

    Parameters
    ----------
    db_path : path of the DuckDB file to (re)place.
    data_dir : folder of the data packages (default ``iplayout.config.data_dir()``).
    seed : seed of the Jiangsu demo generator (same seed → identical tables).
    demo : include the Jiangsu demo panel.
    imports : replay the imports recorded next to ``db_path`` (``imports/<db name>/``) so that
        ``iplayout db import`` results survive a rebuild; the demo panel is generated after them.
    lock_timeout : seconds to wait for the database's writer lock (:mod:`iplayout.db.lock`), held for the
        whole build so that an import running meanwhile is neither lost nor overwritten.
    """
    t0 = time.perf_counter()
    db_path = Path(db_path) if db_path else default_db_path()
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    # real packages first; recorded user imports are replayed on top of them; the demo panel comes last
    # so that it respects imported real values (a real fact always wins) and still sums to the totals
    frames = collect(data_dir, seed=seed, demo=False)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(Problem(f"cannot create the database folder ({exc.strerror})", str(db_path.parent))) from None
    with writer_lock(db_path, timeout=lock_timeout):
        check_writable(db_path)
        _write_build(db_path, frames, data_dir, seed, demo, imports)
    counts = {name: len(frames[name]) for name in schema.TABLES}
    summary = BuildSummary(db_path, time.perf_counter() - t0, counts, frames["stats"], frames["collapsed"],
                           frames["demo_rows"])
    logger.info("built %s in %.2f s", db_path, summary.seconds)
    return summary


def _write_build(db_path: Path, frames: dict, data_dir: Path, seed: int, demo: bool, imports: bool) -> None:
    """Tables → temp file → replayed imports → demo panel → build_info, renamed over ``db_path`` (under the lock)."""
    with replace_database(db_path, tag="build") as tmp:
        con = duckdb.connect(str(tmp))
        try:
            schema.create_all(con)
            create_record_tables(con)  # empty; filled by `db records import` (replayed below)
            for name in schema.TABLES:
                if name not in ("build_info", "policies"):
                    schema.write_table(con, name, frames[name])
            if (data_dir / CONCORDANCE_PACKAGE).is_dir():
                load_bundled(con, data_dir)  # versioned IPC concordances (db.records.concordance)
            # the example policy inventory (real documents, flagged is_example) validated against the codes
            frames["policies"] = example_policies(con, data_dir)
            schema.write_table(con, "policies", frames["policies"])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        replayed = replay_imports(tmp, imports_dir(db_path)) if imports else []
        con = duckdb.connect(str(tmp))
        try:
            if replayed:
                frames["observations"] = con.execute("SELECT * FROM observations").df()
                frames["observations"]["year"] = frames["observations"]["year"].astype("int64")
            if demo and frames["demo_meta"] is not None:
                n_src, n_obs = len(frames["sources"]), len(frames["observations"])
                add_demo(frames, seed)
                # only the rows just generated: replayed imports may hold demo rows of their own (demo country files)
                demo_obs = frames["observations"].iloc[n_obs:]
                schema.write_table(con, "observations", demo_obs)
                schema.write_table(con, "sources", frames["sources"].iloc[n_src:])
            info = {
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "code_version": __version__,
                "demo_seed": str(seed) if demo else "",
                "data_dir": str(data_dir),
                "collapsed_duplicates": str(frames["collapsed"]),
                "package_stats": json.dumps(frames["stats"], ensure_ascii=False, sort_keys=True),
                "replayed_imports": json.dumps(replayed, ensure_ascii=False),
                "package_sha256": json.dumps(dict(zip(frames["packages"]["id"], frames["packages"]["sha256"])),
                                             sort_keys=True),
            }
            frames["build_info"] = pd.DataFrame(sorted(info.items()), columns=["key", "value"])
            schema.write_table(con, "build_info", frames["build_info"])
            for name in ("observations", "sources"):
                frames[name] = con.execute(f"SELECT * FROM {name}").df()
            con.execute("CHECKPOINT")
        finally:
            con.close()
