"""Benchmark: generate → import → aggregate N demo patent records, against a straightforward pandas aggregation.

    PYTHONPATH=src python benchmarks/bench_records.py --n 1000000
    PYTHONPATH=src python benchmarks/bench_records.py --n 10000000 --workdir /tmp/bench-records

Steps: (1) r11a's seeded generator writes a Patsnap-style CSV; (2) a fresh database is built; (3) in a child
process, ``iplayout db records import`` (reading, placement, DuckDB write, then ``refresh_record_observations``)
and, in a second child, the aggregation alone (``refresh_record_observations`` inside a rolled-back transaction);
(4) in a third child, pandas reads the same file and computes the same region × year × field counts (fractional
over the IPC codes, WIPO 35 fields, longest-prefix match) in one frame. Each child reports its wall time and
peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Targets (issue 11): our path ≥ 5× faster
than pandas, peak ≤ 2 GB, 10 M records ≤ 60 s on 2 cores.

The pandas placement uses the export's 地市 / 州省 fields only (no address parsing), so its totals can differ
slightly from the importer's; both totals are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_import(csv: str, db: str) -> dict:
    from iplayout.db.records.importer import import_records

    t = time.perf_counter()
    import_records(csv, db_path=db, fmt="patsnap", record=False)
    return {"seconds": time.perf_counter() - t, "peak_mb": _peak_mb()}


def child_aggregate(db: str) -> dict:
    import duckdb

    from iplayout.db.records.aggregate import bounded, refresh_record_observations

    con = bounded(duckdb.connect(db))  # the importer's writer runs the refresh under the same 1 GB cap
    con.execute("BEGIN TRANSACTION")
    t = time.perf_counter()
    counts = refresh_record_observations(con)
    secs = time.perf_counter() - t
    total = con.execute("SELECT sum(value) FROM observations WHERE indicator_code = 'rec_patent_applications' AND "
                        "industry_code = '_T' AND region_code LIKE '32__00' AND region_code <> '320000'").fetchall()[0][0]
    con.execute("ROLLBACK")
    con.close()
    return {"seconds": secs, "peak_mb": _peak_mb(), "observations": counts["observations"], "jiangsu_city_records": total}


_IPC = re.compile(r"^([A-H]\d\d[A-Z])\s*(\d{1,4})?(?:/(\d+))?")


def _patstat(code: str) -> str:
    m = _IPC.match(code.strip())
    if not m:
        return ""
    sub, grp, rest = m.groups()
    return sub if grp is None else f"{sub}{grp:>4}/{rest or '00'}"


def child_pandas(csv: str, db: str) -> dict:
    """The straightforward implementation: one pandas frame, explode, map, group."""
    import duckdb
    import pandas as pd

    t = time.perf_counter()
    con = duckdb.connect(db, read_only=True)
    conc = con.execute("SELECT ipc_pattern, target_code FROM ipc_concordance WHERE version = 'wipo35'").df()
    regions = con.execute("SELECT code, name FROM regions WHERE level IN ('city', 'province')").df()
    con.close()
    by_len = {}
    for p, tgt in zip(conc["ipc_pattern"], conc["target_code"]):
        by_len.setdefault(len(p), {})[p] = tgt
    lengths = sorted(by_len, reverse=True)
    names = dict(zip(regions["name"], regions["code"]))
    df = pd.read_csv(csv, usecols=["受理局", "IPC分类号", "当前申请(专利权)人地市", "当前申请(专利权)人州/省", "申请年"],
                     dtype=str, keep_default_na=False)
    df = df[df["受理局"].isin(["中国", "CN"])]
    def place(col):  # regions are named 南京 / 江苏: drop the 市 / 省 the export adds
        return df[col].str.replace(r"(市|省)$", "", regex=True).map(names)

    region = place("当前申请(专利权)人地市").fillna(place("当前申请(专利权)人州/省"))
    df = df.assign(region_code=region, year=pd.to_numeric(df["申请年"], errors="coerce")).dropna(subset=["region_code", "year"])
    df["code"] = df["IPC分类号"].str.split(" | ", regex=False)
    df["rid"] = range(len(df))
    ex = df[["rid", "region_code", "year", "code"]].explode("code")
    ex["code"] = ex["code"].fillna("").map(_patstat)
    ex = ex.drop_duplicates(["rid", "code"])

    def target(code: str):
        for n in lengths:
            hit = by_len[n].get(code[:n])
            if hit:
                return hit
        return None

    uniq = pd.Series(ex["code"].unique())
    ex["target"] = ex["code"].map(dict(zip(uniq, uniq.map(target))))
    mapped = ex.dropna(subset=["target"])
    mapped = mapped.assign(w=1.0 / mapped.groupby("rid")["code"].transform("size"))
    out = mapped.groupby(["region_code", "year", "target"])["w"].sum()
    total = df.groupby(["region_code", "year"]).size()
    jiangsu = float(total[[c.startswith("32") and c != "320000" for c in total.index.get_level_values(0)]].sum())
    return {"seconds": time.perf_counter() - t, "peak_mb": _peak_mb(), "cells": int(len(out)), "jiangsu_city_records": jiangsu}


def _run_child(*args) -> dict:
    env = dict(os.environ)
    res = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env)
    if res.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=None, help="Folder for the CSV and the database (default: a temp folder).")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        fn = {"import": child_import, "aggregate": child_aggregate, "pandas": child_pandas}[kind]
        print(json.dumps(fn(*rest)))
        return
    from iplayout.db.build import build_database
    from iplayout.db.records.generator import write_demo_patents

    work = Path(a.workdir or tempfile.mkdtemp(prefix="bench-records-"))
    work.mkdir(parents=True, exist_ok=True)
    csv, db = work / f"patents-{a.n}.csv", work / "ip.duckdb"
    t = time.perf_counter()
    write_demo_patents(csv, n=a.n, seed=a.seed)
    gen = time.perf_counter() - t
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    build_database(db, imports=False)
    print(f"records: {a.n:,}  file: {csv.stat().st_size / 1e6:,.0f} MB  generated in {gen:.1f} s  (cores: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} — the machine is shared)")
    imp = _run_child("import", str(csv), str(db))
    print(f"import + aggregate (child): {imp['seconds']:.1f} s, peak {imp['peak_mb']:,.0f} MB")
    agg = _run_child("aggregate", str(db))
    print(f"aggregate alone (child):    {agg['seconds']:.1f} s, peak {agg['peak_mb']:,.0f} MB, "
          f"{agg['observations']:,} observations, Jiangsu city records {agg['jiangsu_city_records']:,.0f}")
    if not a.skip_pandas:
        pdr = _run_child("pandas", str(csv), str(db))
        print(f"pandas read + aggregate (child): {pdr['seconds']:.1f} s, peak {pdr['peak_mb']:,.0f} MB, "
              f"Jiangsu city records {pdr['jiangsu_city_records']:,.0f}")
        print(f"ratio pandas / ours (import + aggregate): {pdr['seconds'] / imp['seconds']:.1f}×; "
              f"pandas / aggregate alone: {pdr['seconds'] / agg['seconds']:.1f}×")


if __name__ == "__main__":
    main()
