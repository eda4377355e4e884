"""Record tables → observations: region × year × technology field / industry counts (``rec_*`` indicators).

:func:`refresh_record_observations` is the hook r11a's importer calls as the last step of its write callback
(RECORDS.md): it deletes every observation whose ``source_id`` starts with ``records:`` and re-derives them from
``patent_records`` / ``trademark_records`` / ``copyright_records`` / ``plant_variety_records`` in DuckDB SQL, so
10 million records aggregate in bounded memory (one scan grouping the records into combinations of attributes
and IPC list, an unnest of those lists, a hash join to the mapped distinct IPC symbols, one GROUP BY per
combination, and a small final GROUP BY; no window, no join back to the records).

Counting (``params/records/counting.yaml``):

* ``fractional``: a record's weight 1 is split equally over its **mapped** distinct IPC symbols, and each symbol's
  share over the concordance targets by their weights, so the shares of one record sum to 1 within a scheme; a
  record with no mapped symbol counts 1 to ``TF_UNMAPPED`` / ``SEI_UNMAPPED``. Per region and year,
  Σ targets + unmapped = the ``_T`` count exactly (the invariant the tests check).
* ``main``: the same with the main IPC (``ipc_main``; the first listed symbol when the export has no main IPC).

Each record counts in its region (city in Jiangsu, else province) and, for a city, in its province too; unplaced
and foreign records are left out (r11a's import report lists them). Years are application years (申请年).
These indicators count one export, not the official total, and never overwrite the yearbook indicators.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ...errors import DataError, Problem
from .concordance import code_map_sql, has_concordance
from .applications import records_with_counting_flag
from .highvalue import HighValueSpec, criteria, load_highvalue_spec, load_records_spec

PREFIX = "records:"
COMBINED = "records:combined"
UNMAPPED = {"field": "TF_UNMAPPED", "industry": "SEI_UNMAPPED"}
_NOTE = "from record-level export, not the official total"
#: measure column → (indicator code, zh name, en name, definition)
PATENT_MEASURES = {
    "apps": ("rec_patent_applications", "专利申请量（记录）", "Patent applications (records)", "one per application by application year: a granted invention's B record is not counted again when its A record is in the database (db.records.applications)"),
    "apps_inv": ("rec_patent_applications_invention", "发明专利申请量（记录）", "Invention applications (records)",
                 "invention applications, one per application (A record, else the B record)"),
    "grants": ("rec_patent_grants", "专利授权量（记录）", "Patent grants (records)",
               "records of type invention_grant, utility_model or design"),
    "grants_inv": ("rec_patent_grants_invention", "发明专利授权量（记录）", "Invention grants (records)",
                   "records of type invention_grant"),
    "valid": ("rec_valid_patents", "有效专利量（记录）", "Valid patents (records)",
              "records whose legal status is one of counting.yaml valid_status"),
    "valid_inv": ("rec_valid_patents_invention", "有效发明专利量（记录）", "Valid invention patents (records)",
                  "valid records of an invention type"),
    "family": ("rec_patent_family", "有同族或PCT的专利（记录）", "Patents with a family or PCT filing (records)",
               "records at office WO, with family_size > 1, or with a family member at an office other than CN"),
    "hv": ("rec_high_value_invention", "高价值发明专利（记录）", "High-value invention patents (records)",
           "granted (valid where status known) inventions meeting >= 1 available CNIPA criterion (db.records.highvalue)"),
}
SHARE = ("rec_invention_share", "发明专利申请占比（记录）", "Invention share of applications (records)",
         "rec_patent_applications_invention / rec_patent_applications x 100")
SIMPLE = {  # table → list of (indicator code, zh, en, SQL condition, year column, group expression, group codes)
    "trademark_records": [("rec_trademark_applications", "商标申请量（记录）", "Trademark applications (records)", "TRUE"),
                          ("rec_trademark_registrations", "商标注册量（记录）", "Trademark registrations (records)",
                           "registration_date IS NOT NULL")],
    "copyright_records": [("rec_copyright_registrations", "著作权登记量（记录）", "Copyright registrations (records)", "TRUE")],
    "plant_variety_records": [("rec_plant_variety_applications", "植物新品种申请量（记录）",
                               "Plant-variety applications (records)", "TRUE"),
                              ("rec_plant_variety_grants", "植物新品种授权量（记录）", "Plant-variety grants (records)",
                               "grant_date IS NOT NULL")],
}
GROUP_INDUSTRIES = [  # industries registered by this module (besides the concordance targets)
    ("TF_UNMAPPED", "未对应技术领域", "No mapped technology field", "WIPO技术领域", "records whose IPC codes map to no field"),
    ("SEI_UNMAPPED", "未对应战略性新兴产业", "No mapped strategic emerging industry", "战略性新兴产业分类（2018）",
     "records whose IPC codes map to no SEI industry under the concordance in use"),
    ("NICE_GOODS", "商品商标（第1–34类）", "Goods marks (Nice classes 1–34)", "尼斯分类", "fractional over a record's classes"),
    ("NICE_SERVICES", "服务商标（第35–45类）", "Service marks (Nice classes 35–45)", "尼斯分类", "fractional over a record's classes"),
    ("CR_WORK", "作品著作权", "Copyright in works", "著作权登记类别", "work_kind = work"),
    ("CR_SOFTWARE", "计算机软件著作权", "Software copyright", "著作权登记类别", "work_kind = software"),
]


class ConcordanceVersions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = "wipo35"
    industry: str = "sei-proposal"


class CountingSpec(BaseModel):
    """``params/records/counting.yaml``."""

    model_config = ConfigDict(extra="forbid")
    basis: Literal["fractional", "main"] = "fractional"
    concordance_version: ConcordanceVersions = Field(default_factory=ConcordanceVersions)
    valid_status: list[str] = Field(default_factory=lambda: ["有效"], min_length=1)


def load_counting_spec(params_dir: str | Path | None = None) -> CountingSpec:
    return load_records_spec(CountingSpec, "counting.yaml", params_dir)


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _table_exists(con, name: str) -> bool:
    return bool(con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0])


def _register(con) -> None:
    """Indicator and industry rows the record-based observations need (inserted once, never overwritten)."""
    inds = [(c, zh, en, "件", d) for c, zh, en, d in PATENT_MEASURES.values()]
    inds.append((SHARE[0], SHARE[1], SHARE[2], "%", SHARE[3]))
    for table, rows in SIMPLE.items():
        inds += [(c, zh, en, "件", f"{table} where {cond}") for c, zh, en, cond in rows]
    for code, zh, en, unit, definition in inds:
        con.execute("INSERT INTO indicators VALUES (?, ?, ?, ?, 'ip', '+', 'stored', ?, ?) ON CONFLICT DO NOTHING",
                    [code, zh, en, unit, f"{definition}; {_NOTE}", "records"])
    for row in GROUP_INDUSTRIES:
        con.execute("INSERT INTO industries VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", list(row))


def _register_sources(con) -> dict[str, str]:
    """One source row ``records:<import_id>`` per record import (title, publisher, licence and demo flag copied from
    the import's own source row), replacing the previous ones; returns import id → source id."""
    con.execute(f"DELETE FROM sources WHERE starts_with(id, '{PREFIX}')").fetchall()
    con.execute(f"""INSERT INTO sources SELECT '{PREFIX}' || r.import_id,
            coalesce(s.title, r.file_name) || '（记录级汇总 / counted from records）', s.publisher, s.url, s.licence,
            coalesce(s.accessed, left(r.imported_at, 10)),
            'counts of records from the export ' || r.file_name || ' ({_NOTE})', r.is_demo
        FROM record_imports r LEFT JOIN sources s ON s.id = r.source_id""").fetchall()
    return {i: PREFIX + i for (i,) in con.execute("SELECT import_id FROM record_imports").fetchall()}


def _concordance_map(con, spec: CountingSpec) -> None:
    """Temp table ``_rec_map(scheme, code, target_code, w)`` for the distinct IPC symbols of the placed records."""
    known = {r[0]: r[1] for r in con.execute("SELECT version, scheme FROM concordance_versions").fetchall()}
    problems = []
    for scheme, version in spec.concordance_version.model_dump().items():
        if known.get(version) != scheme:
            problems.append(Problem(f"concordance version {version!r} for {scheme} is not in the database (known: "
                                    f"{', '.join(f'{v} ({s})' for v, s in sorted(known.items()))})",
                                    "params/records/counting.yaml", None, f"concordance_version.{scheme}", version))
    if problems:
        raise DataError(problems)
    con.execute("CREATE OR REPLACE TEMP TABLE _rec_codes AS SELECT DISTINCT unnest(ipc) AS code FROM patent_records "
                "UNION SELECT ipc_main FROM patent_records")
    con.execute("CREATE OR REPLACE TEMP TABLE _rec_map (scheme VARCHAR, code VARCHAR, target_code VARCHAR, w DOUBLE)")
    for scheme, version in spec.concordance_version.model_dump().items():
        con.execute(f"INSERT INTO _rec_map SELECT '{scheme}', * FROM ({code_map_sql('_rec_codes')})", [version])


_SUMS = """sum(share * app_once::INTEGER) AS apps, sum(share * (inv AND app_once)::INTEGER) AS apps_inv, sum(share * granted::INTEGER) AS grants,
           sum(share * grant_inv::INTEGER) AS grants_inv, sum(share * valid::INTEGER) AS valid,
           sum(share * (valid AND inv)::INTEGER) AS valid_inv, sum(share * fam::INTEGER) AS family,
           sum(share * hv::INTEGER) AS hv, bool_or(is_demo) AS is_demo, min(import_id) AS import_min,
           max(import_id) AS import_max"""


def _rolled(rows: str, select: str, key: str = "scheme, industry_code") -> str:
    """Each row in its region and, for a city, its province too; then the small final GROUP BY."""
    return f"""SELECT rc AS region_code, year, {key}, {select}
    FROM (SELECT *, unnest(CASE WHEN prov IS NULL THEN [region_code] ELSE [region_code, prov] END) AS rc FROM ({rows}))
    GROUP BY ALL"""


def patent_counts(con, spec: CountingSpec, hv_spec: HighValueSpec) -> tuple[pd.DataFrame, list[dict]]:
    """Per region × year × (scheme, target) sums of each measure of :data:`PATENT_MEASURES` (``_T`` = all records).

    One scan of the records groups them into combinations (same attributes, same IPC list; count ``n``); from
    those, ``_T``, the targets (one GROUP BY over each combination's mapped symbols — no window, no join back) and
    the records high-value by the SEI criterion alone (added to ``_T``'s high-value count), each weighted by ``n``.
    """
    _concordance_map(con, spec)
    valid = f"coalesce(legal_status IN ({_sql_list(spec.valid_status)[1:-1]}), FALSE)"
    has_status = bool(con.execute("SELECT COUNT(*) FROM patent_records WHERE legal_status IS NOT NULL").fetchall()[0][0])
    crit, base = criteria(con, hv_spec, valid_sql=valid, sei_available=True)
    others = " OR ".join(f"({c['sql']})" for c in crit if c["available"] and c["criterion"] != "sei") or "FALSE"
    sei_ok = any(c["available"] for c in crit if c["criterion"] == "sei")
    if not has_status:
        valid = "FALSE"
    fam = ("(office = 'WO' OR coalesce(family_size, 0) > 1 OR "
           "coalesce(len(list_filter(family_offices, lambda x: x NOT IN ('CN', ''))) > 0, FALSE))")
    # app_once: the record counts as an application (a granted invention's B record does not when its A is here)
    placed = f"""SELECT region_code, app_once,
               CASE WHEN province_code IS NOT NULL AND province_code <> region_code
                         AND province_code IN (SELECT code FROM regions) THEN province_code END AS prov,
               application_year AS year, is_demo, import_id,
               patent_type IN ('invention_application', 'invention_grant') AS inv,
               patent_type IN ('invention_grant', 'utility_model', 'design') AS granted,
               patent_type = 'invention_grant' AS grant_inv, {valid} AS valid, {fam} AS fam,
               ({base}) AS hv_base, ({others}) AS hv_other, ipc, ipc_main
        FROM {records_with_counting_flag()} WHERE region_code IN (SELECT code FROM regions)"""
    # Records with the same attributes and the same IPC list count alike: group them first (one hash aggregation
    # over the records, no unnest), then unnest, map and split the (far fewer) combinations, weighted by n.
    attrs = "region_code, app_once, prov, year, is_demo, import_id, inv, granted, grant_inv, valid, fam, hv_base, hv_other"
    lists = "ipc" if spec.basis == "fractional" else "[coalesce(ipc_main, ipc[1])]"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _rec_combo AS SELECT row_number() OVER () AS cid, * FROM (
        SELECT {attrs}, {lists} AS ipc, count(*)::DOUBLE AS n FROM ({placed}) GROUP BY ALL)""")
    # a combination's distinct symbols: unnest with positions and keep a symbol's first occurrence
    codes = """SELECT * EXCLUDE (ipc, pos) FROM (
            SELECT *, unnest(ipc) AS code, generate_subscripts(ipc, 1) AS pos FROM _rec_combo)
            WHERE code IS NOT NULL AND list_position(ipc, code) = pos"""
    any_attrs = ", ".join(f"any_value({a}) AS {a}" for a in (attrs + ", n").split(", "))
    sei = "coalesce(tot_i, 0) > 0" if sei_ok else "FALSE"
    targets = f"""SELECT * EXCLUDE (hv_base, hv_other, x, tw, tot_f, tot_i, cid, n), hv_base AND (hv_other OR {sei}) AS hv,
               x.s AS scheme, x.t AS industry_code, n * x.w / CASE x.s WHEN 'field' THEN tot_f ELSE tot_i END AS share
        FROM (SELECT *, unnest(tw) AS x FROM (
            SELECT cid, {any_attrs}, list(struct_pack(s := m.scheme, t := m.target_code, w := m.w)) AS tw,
                   sum(m.w) FILTER (WHERE m.scheme = 'field') AS tot_f,
                   sum(m.w) FILTER (WHERE m.scheme = 'industry') AS tot_i
            FROM ({codes}) c JOIN _rec_map m ON m.code = c.code GROUP BY cid))"""
    total = "SELECT * EXCLUDE (ipc, n), hv_base AND hv_other AS hv, n AS share FROM _rec_combo"
    parts = [con.execute(_rolled(targets, _SUMS)).df(),
             con.execute(_rolled(total, _SUMS, "'_T' AS scheme, '_T' AS industry_code")).df()]
    if sei_ok:  # high-value by the SEI criterion alone: granted valid inventions with an SEI-mapped symbol
        only_sei = f"""SELECT DISTINCT cid, region_code, prov, year, n FROM ({codes}) c
            JOIN (SELECT code FROM _rec_map WHERE scheme = 'industry') m ON m.code = c.code
            WHERE hv_base AND NOT hv_other"""
        extra = con.execute(_rolled(only_sei, "sum(n) AS hv_extra", "'_T' AS industry_code")).df()
        t = parts[1].merge(extra, on=["region_code", "year", "industry_code"], how="left")
        t["hv"] = t["hv"] + t["hv_extra"].fillna(0.0)
        parts[1] = t.drop(columns="hv_extra")
    con.execute("DROP TABLE _rec_combo")
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["region_code", "year", "scheme", "industry_code"]).reset_index(drop=True), crit


def _with_unmapped(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``TF_UNMAPPED`` / ``SEI_UNMAPPED`` rows: the ``_T`` count minus what the scheme's targets hold."""
    measures = list(PATENT_MEASURES)
    total = df[df["industry_code"] == "_T"].set_index(["region_code", "year"])
    parts = [df]
    for scheme, code in UNMAPPED.items():
        mapped = df[df["scheme"] == scheme].groupby(["region_code", "year"])[measures].sum()
        rest = total[measures].sub(mapped.reindex(total.index).fillna(0.0)).clip(lower=0.0).round(9)
        rest = rest[rest["apps"] > 0].reset_index()
        extra = total.loc[list(zip(rest["region_code"], rest["year"])), ["is_demo", "import_min", "import_max"]]
        rest[["is_demo", "import_min", "import_max"]] = extra.to_numpy()
        parts.append(rest.assign(scheme=scheme, industry_code=code))
    return pd.concat(parts, ignore_index=True)


def _simple_counts(con, table: str) -> pd.DataFrame:
    """Trademark, copyright and plant-variety counts: ``_T`` plus a group split (Nice goods/services, work kind)."""
    year = "year" if table == "copyright_records" else "application_year"
    prov = ("CASE WHEN province_code IS NOT NULL AND province_code <> region_code AND province_code IN "
            "(SELECT code FROM regions) THEN [region_code, province_code] ELSE [region_code] END")
    if table == "trademark_records":  # fractional over a record's distinct Nice classes
        split = ("unnest(CASE WHEN len(list_distinct(nice_classes)) = 0 THEN [NULL::INTEGER] "
                 "ELSE list_distinct(nice_classes) END) AS cls")
        group = "CASE WHEN cls BETWEEN 1 AND 34 THEN 'NICE_GOODS' WHEN cls BETWEEN 35 AND 45 THEN 'NICE_SERVICES' END"
        share = "1.0 / greatest(len(list_distinct(nice_classes)), 1)"
    elif table == "copyright_records":
        split, share = "NULL AS cls", "1.0"
        group = "CASE work_kind WHEN 'work' THEN 'CR_WORK' WHEN 'software' THEN 'CR_SOFTWARE' END"
    else:
        split, share, group = "NULL AS cls", "1.0", "NULL"
    def measures(weight: str) -> str:
        return ", ".join(f"sum({weight} * ({cond})::INTEGER) AS \"{code}\"" for code, _, _, cond in SIMPLE[table])
    tail = "bool_or(is_demo) AS is_demo, min(import_id) AS import_min, max(import_id) AS import_max"
    sql = f"""
    WITH placed AS (SELECT *, unnest({prov}) AS rc FROM {table} WHERE region_code IN (SELECT code FROM regions))
    SELECT rc AS region_code, {year} AS year, '_T' AS industry_code, {measures('1.0')}, {tail}
    FROM placed GROUP BY ALL
    UNION ALL BY NAME
    SELECT rc AS region_code, {year} AS year, grp AS industry_code, {measures('share')}, {tail}
    FROM (SELECT *, {group} AS grp FROM (SELECT *, {share} AS share, {split} FROM placed)) WHERE grp IS NOT NULL
    GROUP BY ALL ORDER BY ALL"""
    return con.execute(sql).df()


def _long(df: pd.DataFrame, codes: dict[str, str], sources: dict[str, str], *, keep_zero: bool = False) -> pd.DataFrame:
    """Wide measure frame → observation rows (one per measure), with the source of the contributing import.

    Zero counts are left out (no record, no fact); a zero share (``keep_zero``) is a fact and kept."""
    parts = []
    src = [sources.get(a, COMBINED) if a == b else COMBINED for a, b in zip(df["import_min"], df["import_max"])]
    for col, code in codes.items():
        parts.append(pd.DataFrame({"region_code": df["region_code"], "year": df["year"].astype("int64"),
                                   "indicator_code": code, "industry_code": df["industry_code"],
                                   "value": df[col].astype("float64").round(9), "source_id": src,
                                   "quality_flag": "", "is_demo": df["is_demo"].astype(bool)}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out[(out["value"] > 0) | keep_zero] if len(out) else out


def bounded(con, memory: str = "1GB"):
    """Cap DuckDB's memory on ``con`` (it spills to ``<db>.tmp`` beyond): for writers that run the refresh alone."""
    con.execute(f"SET memory_limit = '{memory}'").fetchall()
    return con


def refresh_record_observations(con, *, params_dir: str | Path | None = None, counting: CountingSpec | None = None,
                                highvalue: HighValueSpec | None = None) -> dict[str, int]:
    """Re-derive every record-based observation (``source_id`` ``records:…``) from the record tables in ``con``.

    Call it inside an open write transaction (the ``WriteTransaction.write`` callback connection). Registers the
    ``rec_*`` indicators, the unmapped / Nice / copyright industry codes and a ``records:combined`` source (for
    facts several imports contribute to); writes a ``record_aggregation`` row to ``build_info`` (versions,
    basis, high-value criteria available). Returns counts: ``observations``, ``patent_records_placed``,
    ``trademark_records_placed``, ``copyright_records_placed``, ``plant_variety_records_placed``.
    """
    counting = counting or load_counting_spec(params_dir)
    highvalue = highvalue or load_highvalue_spec(params_dir)
    con.execute(f"DELETE FROM observations WHERE starts_with(source_id, '{PREFIX}')").fetchall()
    counts = {"observations": 0}
    if not _table_exists(con, "record_imports"):
        return counts
    _register(con)
    sources = _register_sources(con)
    frames, info = [], {"basis": counting.basis, "concordance_version": counting.concordance_version.model_dump()}
    n_pat = con.execute("SELECT COUNT(*) FROM patent_records WHERE region_code IN (SELECT code FROM regions)").fetchall()[0][0]
    counts["patent_records_placed"] = int(n_pat)
    if n_pat:
        if not has_concordance(con):
            raise DataError(Problem("the database has no IPC concordance: rebuild it with `iplayout db build`"))
        pat, crit = patent_counts(con, counting, highvalue)
        pat = _with_unmapped(pat)
        obs = _long(pat, {k: v[0] for k, v in PATENT_MEASURES.items()}, sources)
        share = pat[pat["apps"] > 0].assign(_share=lambda d: d["apps_inv"] / d["apps"] * 100.0)
        frames += [obs, _long(share, {"_share": SHARE[0]}, sources, keep_zero=True)]
        info["high_value_criteria"] = [{k: c[k] for k in ("criterion", "name", "available", "note")} for c in crit]
    for table in SIMPLE:
        n = con.execute(f"SELECT COUNT(*) FROM {table} WHERE region_code IN (SELECT code FROM regions)").fetchall()[0][0]
        counts[f"{table}_placed"] = int(n)
        if n:
            frames.append(_long(_simple_counts(con, table), {c[0]: c[0] for c in SIMPLE[table]}, sources))
    frames = [f for f in frames if len(f)]
    if frames:
        obs = pd.concat(frames, ignore_index=True).sort_values(["region_code", "year", "indicator_code", "industry_code"])
        if (obs["source_id"] == COMBINED).any():
            demo = bool(obs.loc[obs["source_id"] == COMBINED, "is_demo"].any())
            con.execute("INSERT INTO sources VALUES (?, ?, '', '', '', '', ?, ?)",
                        [COMBINED, "记录级数据（多个导入文件合计）/ record-level data, several imports",
                         f"facts summed over several record imports (see record_imports; {_NOTE})", demo]).fetchall()
        dup = obs.duplicated(["region_code", "year", "indicator_code", "industry_code"])
        if dup.any():  # a bug here, never the user's data: say which fact came twice
            raise DataError(Problem("record aggregation produced a fact twice", None, None, "observations",
                                    obs[dup].iloc[0][["region_code", "year", "indicator_code", "industry_code"]].tolist()))
        con.register("_rec_obs", obs)
        con.execute("INSERT INTO observations SELECT region_code, year, indicator_code, industry_code, value, "
                    "source_id, quality_flag, is_demo FROM _rec_obs").fetchall()
        con.unregister("_rec_obs")
        counts["observations"] = len(obs)
    con.execute("INSERT INTO build_info VALUES ('record_aggregation', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                [json.dumps(info, ensure_ascii=False, sort_keys=True)])
    return counts
