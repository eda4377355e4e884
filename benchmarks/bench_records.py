"""Benchmark: generate → import → aggregate N demo patent records, against the same job written in pandas.

    PYTHONPATH=src python benchmarks/bench_records.py --n 1000000
    PYTHONPATH=src python benchmarks/bench_records.py --n 10000000 --workdir /tmp/bench-records --reuse

Steps: (1) r11a's seeded generator writes a Patsnap-style CSV (``--reuse`` keeps a file whose ``.demo.json``
sidecar says it was written with the same ``n`` and seed); (2) a fresh database is built; (3) in a child
process, ``iplayout db records import`` (reading, checks, placement, DuckDB write, then
``refresh_record_observations``) and, in a second child, the aggregation alone (``refresh_record_observations``
inside a rolled-back transaction); (4) in a third child, ``pandas_records.run``: the same import and aggregation
job written the straightforward pandas way (every column read and checked by the importer's rules, every record
placed and stored, the application counts derived), into a copy of the fresh database. Its
``rec_patent_applications`` facts are then compared with the importer's, fact by fact, and its stored records
with the importer's, row by row; a difference fails the benchmark, so the ratio compares two programs that
produce the same database content. Each child reports its wall time and peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``); the pandas child is stopped when its resident memory passes
``--pandas-limit-gb`` (default: 85 % of the memory available at the start), which is reported as "does not fit".

``--same-process`` runs our import and then the pandas job in this one process on the same file, and prints their
times, the content check and the ratio (no separate peaks: ``ru_maxrss`` only rises).

(5) ``--read-baseline`` adds the earlier, lighter baseline: pandas reads five columns and sums region × year ×
field counts without checks, placement by address or storage; it is printed for comparison with the aggregation
alone, not with the whole import.

Targets (issue 11): our path ≥ 5× faster than pandas, peak ≤ 2 GB, 10 M records ≤ 60 s on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
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


def child_pandas_read(csv: str, db: str) -> dict:
    """The lighter baseline: five columns read, placed by the 地市 / 州省 fields only, counted by field."""
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


def child_pandas_job(csv: str, base_db: str, out_db: str) -> dict:
    """The same job in pandas (``pandas_records.run``), into ``out_db``, a copy of the fresh database."""
    import pandas_records  # benchmarks/ is on sys.path: this file runs as a script

    def progress(step: str, seconds: float) -> None:  # read by the parent when it stops this child
        print(json.dumps({"step": step, "seconds": seconds, "peak_mb": _peak_mb()}), file=sys.stderr, flush=True)

    res = pandas_records.run(csv, base_db, out_db, progress=progress)
    return {**res, "peak_mb": _peak_mb()}


_FACTS = ("SELECT region_code, year, industry_code, value FROM {db}.observations "
          "WHERE indicator_code = 'rec_patent_applications' AND source_id LIKE 'records:%'")
# the stored fields both programs derive from the file (ids, timestamps and provenance differ by design)
_RECORD_COLUMNS = ("record_id, office, patent_type, title, application_number, application_date, application_year, "
                   "publication_date, grant_date, applicants, applicant_count, inventors, claims, ipc, ipc_main, "
                   "export_industry, cited_by, legal_status, legal_events, family_size, family_offices, "
                   "applicant_province_raw, applicant_city_raw, applicant_county_raw, address, applicant_country, "
                   "region_code, province_code, placement")


def compare(ours_db: str, pandas_db: str) -> dict:
    """Facts and records of the two databases: counts, the largest value difference, rows found in one only."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET memory_limit = '4GB'")
    con.execute(f"ATTACH '{ours_db}' AS o (READ_ONLY)")
    con.execute(f"ATTACH '{pandas_db}' AS p (READ_ONLY)")
    facts = con.execute(f"""
        SELECT count(o.value), count(p.value), max(abs(o.value - p.value)),
               count(*) FILTER (WHERE o.value IS NULL OR p.value IS NULL)
        FROM ({_FACTS.format(db='o')}) o FULL JOIN ({_FACTS.format(db='p')}) p USING (region_code, year, industry_code)
        """).fetchone()
    only = [con.execute(f"SELECT count(*) FROM (SELECT {_RECORD_COLUMNS} FROM {a}.patent_records EXCEPT ALL "
                        f"SELECT {_RECORD_COLUMNS} FROM {b}.patent_records)").fetchone()[0] for a, b in (("o", "p"), ("p", "o"))]
    con.close()
    return {"facts_ours": facts[0], "facts_pandas": facts[1], "max_diff": facts[2] or 0.0, "facts_unmatched": facts[3],
            "records_only_ours": only[0], "records_only_pandas": only[1]}


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024.0
    return float("inf")


def _run_child(*args, limit_mb: float | None = None) -> dict:
    """Run one child; with ``limit_mb``, stop it when its resident memory passes the limit (returns ``stopped``)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    seen = 0.0
    if limit_mb is not None:
        while proc.poll() is None:
            seen = max(seen, _rss_mb(proc.pid))
            if seen > limit_mb:
                proc.kill()
                _, err = proc.communicate()
                steps = [json.loads(x) for x in err.splitlines() if x.startswith('{"step"')]
                return {"stopped": True, "seconds": time.perf_counter() - t, "peak_mb": seen,
                        "steps_done": [(x["step"], x["seconds"]) for x in steps]}
            time.sleep(0.2)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def same_process(csv: Path, db: Path, base: Path, pdb: Path) -> None:
    """Both jobs one after the other in this process (``--same-process``): the times and the ratio, no separate peaks.

    The child-process runs exist to give each job its own peak memory; this mode answers the narrower question
    "same process, same file" directly. The peak after our import is ours alone (it runs first); the peak after
    the pandas job is the process's, which pandas dominates.
    """
    import pandas_records  # benchmarks/ is on sys.path: this file runs as a script

    ours = child_import(str(csv), str(db))
    print(f"same process — import + aggregate: {ours['seconds']:.1f} s, process peak so far {ours['peak_mb']:,.0f} MB")
    t = time.perf_counter()
    job = pandas_records.run(str(csv), str(base), str(pdb))
    secs = time.perf_counter() - t
    print(f"same process — pandas job: {secs:.1f} s, process peak {_peak_mb():,.0f} MB")
    _check_same(compare(str(db), str(pdb)))
    print(f"ratio pandas job / ours (import + aggregate), same process: {secs / ours['seconds']:.1f}×")


def _check_same(cmp: dict) -> None:
    print(f"same result: {cmp['facts_ours']:,} / {cmp['facts_pandas']:,} application-count facts "
          f"(ours / pandas), {cmp['facts_unmatched']} unmatched, largest difference {cmp['max_diff']:.1e}; "
          f"records only in ours {cmp['records_only_ours']}, only in pandas {cmp['records_only_pandas']}")
    if cmp["facts_unmatched"] or cmp["max_diff"] > 1e-9 or cmp["records_only_ours"] or cmp["records_only_pandas"]:
        raise SystemExit("the pandas job and the importer disagree: the ratio would compare different jobs")


def _reusable(csv: Path, n: int, seed: int) -> bool:
    side = csv.with_name(csv.name + ".demo.json")
    if not (csv.exists() and side.exists()):
        return False
    meta = json.loads(side.read_text(encoding="utf-8"))
    return meta.get("n") == n and meta.get("seed") == seed and meta.get("fmt") == "patsnap" \
        and meta.get("header_variant") == "original" and meta.get("encoding") == "utf-8"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=None, help="Folder for the CSV and the database (default: a temp folder).")
    ap.add_argument("--reuse", action="store_true", help="Keep a CSV written earlier with the same --n and --seed.")
    ap.add_argument("--skip-pandas", action="store_true", help="Do not run the pandas job.")
    ap.add_argument("--read-baseline", action="store_true", help="Also run the lighter read-and-count baseline.")
    ap.add_argument("--pandas-limit-gb", type=float, default=None,
                    help="Stop the pandas job above this resident memory (default: 85 %% of MemAvailable).")
    ap.add_argument("--same-process", action="store_true",
                    help="Run our import and the pandas job one after the other in this process (times and ratio only).")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        fn = {"import": child_import, "aggregate": child_aggregate, "pandas-read": child_pandas_read,
              "pandas-job": child_pandas_job}[kind]
        print(json.dumps(fn(*rest)))
        return
    from iplayout.db.build import build_database
    from iplayout.db.records.generator import write_demo_patents

    work = Path(a.workdir or tempfile.mkdtemp(prefix="bench-records-"))
    work.mkdir(parents=True, exist_ok=True)
    csv, db, base, pdb = (work / f"patents-{a.n}.csv", work / "ip.duckdb", work / "base.duckdb",
                          work / "pandas.duckdb")
    t = time.perf_counter()
    reused = a.reuse and _reusable(csv, a.n, a.seed)
    if not reused:
        write_demo_patents(csv, n=a.n, seed=a.seed)
    gen = time.perf_counter() - t
    for p in (db, base, pdb):
        for q in (p, p.with_suffix(".duckdb.wal")):
            q.unlink(missing_ok=True)
    build_database(db, imports=False)
    shutil.copyfile(db, base)
    print(f"records: {a.n:,}  file: {csv.stat().st_size / 1e6:,.0f} MB  "
          f"{'reused (same n and seed)' if reused else f'generated in {gen:.1f} s'}  (cores: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} — the machine is shared)")
    if a.same_process:
        same_process(csv, db, base, pdb)
        return
    imp = _run_child("import", str(csv), str(db))
    print(f"import + aggregate (child): {imp['seconds']:.1f} s, peak {imp['peak_mb']:,.0f} MB")
    agg = _run_child("aggregate", str(db))
    print(f"aggregate alone (child):    {agg['seconds']:.1f} s, peak {agg['peak_mb']:,.0f} MB, "
          f"{agg['observations']:,} observations, Jiangsu city records {agg['jiangsu_city_records']:,.0f}")
    if not a.skip_pandas:
        limit = a.pandas_limit_gb * 1024 if a.pandas_limit_gb else 0.85 * _available_mb()
        job = _run_child("pandas-job", str(csv), str(base), str(pdb), limit_mb=limit)
        if job.get("stopped"):
            steps = ", ".join(f"{k} done at {v:.1f} s" for k, v in job["steps_done"]) or "no step done"
            print(f"pandas job (child): does not fit — stopped unfinished after {job['seconds']:.1f} s at "
                  f"{job['peak_mb']:,.0f} MB resident (limit {limit:,.0f} MB; {steps})")
            # it had not finished, so its full run takes longer still: the ratio is a lower bound
            print(f"ratio pandas job / ours (import + aggregate): > {job['seconds'] / imp['seconds']:.1f}× "
                  f"(lower bound: the pandas job was stopped before it finished)")
        else:
            steps = ", ".join(f"{k} {v:.1f}" for k, v in job["steps"].items())
            print(f"pandas job (child): {job['seconds']:.1f} s, peak {job['peak_mb']:,.0f} MB ({steps} s)")
            _check_same(compare(str(db), str(pdb)))
            print(f"ratio pandas job / ours (import + aggregate): {job['seconds'] / imp['seconds']:.1f}×")
    if a.read_baseline:
        pdr = _run_child("pandas-read", str(csv), str(db))
        print(f"pandas read + count, lighter job (child): {pdr['seconds']:.1f} s, peak {pdr['peak_mb']:,.0f} MB, "
              f"Jiangsu city records {pdr['jiangsu_city_records']:,.0f}; "
              f"ratio to our aggregation alone {pdr['seconds'] / agg['seconds']:.1f}×")


if __name__ == "__main__":
    main()
