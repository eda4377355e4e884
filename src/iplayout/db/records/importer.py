"""``iplayout db records import``: a record export into the record tables, all or nothing (docs/records.md).

read (:mod:`.reading`) → parse and check every row (:mod:`.parsing`) → refuse the file with every bad row
named (line, column, value, reason) unless ``skip_bad`` → dedupe by record id (the last row wins) → place
(:mod:`.placement`) → under one :class:`~iplayout.db.transaction.WriteTransaction`: diff against the stored
records (new / updated / unchanged; the same file twice changes nothing) → write the records, the
``record_imports`` and ``sources`` rows and the record-based observations (r11b's hook) in one SQL transaction
→ record the import for ``db build`` to replay. Everything runs in one in-memory DuckDB instance with a memory
limit that spills to disk: the stored database is attached to it read-only for the diff, and the transaction's copy
is attached for the write. A file hoped clean (every import but a dry run) is written in **one pass**: one
streaming ``INSERT … SELECT`` parses every row with the checks and places it straight into the transaction's
copy, stopping at the first bad row (only the distinct address and 国省代码 cells, when the file has such columns,
are collected by a scan before); the rows are committed in the copy, and their count, distinct ids, shares and the
diff against the stored records are then counted there. A bad row, a repeated id or a file
already imported rolls that back (nothing was written) and the file takes the **checked path**: a check pass that
counts (rows, bad rows, distinct ids, placement cells), then — for a clean file, e.g. a dry run — a streaming
``INSERT … SELECT`` that parses it again, or — with bad rows or repeated ids — a parse into a stored table in file
order (line numbers, rejects, the last row wins). Docs: docs/records.md, "读取 / Reading" and "规模 / Scale".
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ...errors import DataError, Problem
from ...fileio import atomic_path, sha256_file
from ..recorded import record_import
from ..transaction import WriteTransaction
from .mappings import RecordMapping, load_record_mapping, mapping_path, resolve_columns, ID_FIELDS, YEAR_FIELDS, REQUIRED
from .parsing import IPC_MACRO, parse_select, q
from .placement import address_lookup, code_lookup, place, placed_select, register_gazetteer
from .reading import Prepared, lines_of, stage_file
from .report import RecordImportReport, year_shares
from .schema import COLUMNS, KIND_TABLE, has_record_tables
from .aggregate import refresh_record_observations
from .generator import DEMO_SUFFIX

MAX_PROBLEMS = 50
#: the error the one-pass write raises at a bad row (caught: the file then takes the checked path)
BAD_ROW = "iplayout: bad row, the write stops"
STAGING_MEMORY = "1GB"
#: write a file hoped clean in one pass (see :func:`_transact_one_pass`); a test turns it off to run the checked path
ONE_PASS = True


def _final_select(kind: str, import_id: str, is_demo: bool, p: str = "p") -> str:
    """Contract columns of the kind's table from ``_good`` (alias ``g``) and its placement columns (alias ``p``)."""
    demo, imp = ("true" if is_demo else "false"), q(import_id)
    common = f"{p}.region_code, {p}.province_code, {p}.placement"
    if kind == "patent":
        return f"""SELECT g.record_id, {imp} AS import_id, g.v_office AS office, g.ptype AS patent_type,
            g.v_title AS title, g.v_application_number AS application_number, g.v_application_date AS application_date,
            CAST(g.year AS INTEGER) AS application_year, g.v_publication_date AS publication_date,
            g.v_grant_date AS grant_date, coalesce(g.v_applicants, []) AS applicants,
            CAST(coalesce(g.v_applicant_count, len(g.v_applicants)) AS INTEGER) AS applicant_count,
            g.v_inventors AS inventors, CAST(g.v_claims AS INTEGER) AS claims,
            g.v_ipc AS ipc, g.v_ipc_main AS ipc_main, g.v_export_industry AS export_industry,
            CAST(g.v_cited_by AS INTEGER) AS cited_by, g.v_legal_status AS legal_status, g.v_legal_events AS legal_events,
            CAST(g.v_family_size AS INTEGER) AS family_size,
            g.v_family_offices AS family_offices,
            g.v_province AS applicant_province_raw, g.v_city AS applicant_city_raw, g.v_county AS applicant_county_raw,
            g.v_address AS address, {p}.applicant_country, {common}, {demo} AS is_demo"""
    if kind == "trademark":
        return f"""SELECT g.record_id, {imp} AS import_id, g.v_nice_classes AS nice_classes, coalesce(g.v_applicants, []) AS applicants,
            g.v_address AS address, g.v_application_date AS application_date, CAST(g.year AS INTEGER) AS application_year,
            g.v_registration_date AS registration_date, g.v_status AS status, {common}, {demo} AS is_demo"""
    if kind == "copyright":
        return f"""SELECT g.record_id, {imp} AS import_id, g.v_work_kind AS work_kind, g.v_category AS category,
            coalesce(g.v_owners, []) AS owners, g.v_address AS address, g.v_registration_date AS registration_date,
            CAST(g.year AS INTEGER) AS year, {common}, {demo} AS is_demo"""
    return f"""SELECT g.record_id, {imp} AS import_id, g.v_crop AS crop, g.v_variety_name AS variety_name,
        coalesce(g.v_applicants, []) AS applicants, g.v_address AS address, g.v_application_date AS application_date,
        CAST(g.year AS INTEGER) AS application_year, g.v_grant_date AS grant_date, {common}, {demo} AS is_demo"""


def _check_header(mapping: RecordMapping, cols: dict[str, int], header: list[str], file: Path, line: int) -> None:
    kind, problems = mapping.kind, []
    def need(fields, what):
        if not any(f in cols for f in fields):
            names = " / ".join(mapping.columns.get(f, [f])[0] for f in fields if f in mapping.columns)
            problems.append(Problem(f"no {what} column ({names}) in the header — wrong --format, or title rows "
                                    f"above the header (title_rows in the mapping)?", str(file), line, None,
                                    ", ".join(header[:12])))
    need(ID_FIELDS[kind], "record-id")
    for f in REQUIRED[kind]:
        need((f,), f)
    year_f, dates = YEAR_FIELDS[kind]
    need((year_f, *dates), "year or date")
    if problems:
        raise DataError(problems)


def _sidecar_demo(file: Path) -> bool:
    side = Path(str(file) + DEMO_SUFFIX)
    if not side.is_file():
        return False
    try:
        return bool(json.loads(side.read_text(encoding="utf-8")).get("is_demo"))
    except (ValueError, OSError):
        raise DataError(Problem("unreadable demo sidecar (expected JSON with is_demo)", str(side))) from None


def _bad_problems(con, prep: Prepared, file: Path, n_bad: int) -> list[Problem]:
    line = "line" if prep.has_line_column else "NULL"
    rows = con.execute(f"SELECT ord, {line}, bad_column, bad_value, reason FROM _parsed WHERE reason IS NOT NULL "
                       f"ORDER BY ord LIMIT {MAX_PROBLEMS}").fetchall()
    where = ({} if prep.has_line_column else lines_of(prep, [r[0] for r in rows]))
    out = [Problem(reason, str(file), int(ln) if ln is not None else where.get(o), col, val)
           for o, ln, col, val, reason in rows]
    if n_bad > len(out):
        out.append(Problem(f"… {n_bad - len(out):,} more bad row(s); {n_bad:,} in all. Fix them, or import the good "
                           "rows with --skip-bad (the bad ones go to a .rejects.csv next to the file)", str(file)))
    return out


def _write_rejects(con, prep: Prepared, out: Path) -> None:
    """Bad rows (the file's own columns + ``line`` + ``reason``) → ``out`` (moved next to the input later)."""
    cols = ", ".join(f"r.c{j} AS {_ident(h or f'column{j + 1}')}" for j, h in enumerate(prep.header))
    if prep.has_line_column:
        line_sql = "r.line"
    else:
        bad = [o for (o,) in con.execute("SELECT ord FROM _parsed WHERE reason IS NOT NULL").fetchall()]
        where = lines_of(prep, bad)
        con.execute("CREATE OR REPLACE TEMP TABLE _lines(ord BIGINT, line BIGINT)")
        con.executemany("INSERT INTO _lines VALUES (?, ?)", list(where.items()))
        line_sql = "(SELECT l.line FROM _lines l WHERE l.ord = r.ord)"
    con.execute(f"COPY (SELECT {cols}, {line_sql} AS line, p.reason FROM _raw r JOIN _parsed p USING (ord) "
                f"WHERE p.reason IS NOT NULL ORDER BY r.ord) TO {q(str(out))} (HEADER, DELIMITER ',')")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def import_records(file: Path | str, *, db_path: Path | str, fmt: str | None = None, mapping: Path | str | None = None,
                   sheet: str | None = None, skip_bad: bool = False, dry_run: bool = False, demo: bool = False,
                   record: bool = True, lock: bool = True, lock_timeout: float | None = None,
                   imported_at: str | None = None, max_bytes: int | None = None,
                   params_dir: Path | None = None, write_rejects: bool = True) -> RecordImportReport:
    """Import one record export (see the module docstring); returns the report, raises DataError with every problem.

    ``fmt`` picks a shipped mapping (``params/records/mappings/<fmt>.yaml``); ``mapping`` a user's own
    (source format ``user``). A ``<file>.demo.json`` sidecar or ``demo=True`` flags every record ``is_demo``.
    ``record=False, lock=False, write_rejects=False`` when ``db build`` replays a recorded import into its temp file.
    """
    file, db_path = Path(file), Path(db_path)
    if (fmt is None) == (mapping is None):
        raise DataError(Problem("give exactly one of --format and --mapping", str(file)))
    spec = load_record_mapping(Path(mapping) if mapping else mapping_path(fmt, params_dir))
    source_format = "user" if mapping else spec.source_format
    if not db_path.exists():
        raise DataError(Problem("database not found — run `iplayout db build` first", str(db_path)))
    digest = sha256_file(file) if file.is_file() else ""
    import_id = "rec-" + digest[:12]
    is_demo = demo or _sidecar_demo(file)
    def new_report() -> RecordImportReport:
        return RecordImportReport(file=file, db_path=db_path, kind=spec.kind, source_format=source_format,
                                  dry_run=dry_run, import_id=import_id, is_demo=is_demo)

    tx_args = dict(mapping=Path(mapping) if mapping else None, fmt=fmt, sheet=sheet, skip_bad=skip_bad, demo=demo,
                   record=record, lock=lock, lock_timeout=lock_timeout, imported_at=imported_at, digest=digest)
    if ONE_PASS and digest and not dry_run:
        # the usual case, a clean export: one pass writes it (docs/records.md, "规模 / Scale"); a file with a bad
        # row or a repeated id, or one already imported, rolls back and takes the checked path below
        report = new_report()
        try:
            with _staging(db_path) as (con, work):
                try:
                    _stage_one_pass(con, spec, file, sheet, work, max_bytes, report)
                except DataError:  # the checked path finds it again and reports it in its own words
                    raise _NotClean() from None
                _transact_one_pass(con, spec, file, db_path, report, **tx_args)
            return report
        except _NotClean:
            pass
    report = new_report()
    with _staging(db_path) as (con, work):
        prep = _stage(con, spec, file, sheet, work, max_bytes, skip_bad, report)
        if not digest:
            raise DataError(Problem("table not found (no such file)", str(file)))
        rejects = work / "rejects.csv"
        if report.rows_bad and not report.dry_run and write_rejects:
            _write_rejects(con, prep, rejects)
        _transact(con, spec, file, db_path, report, **tx_args)
        if rejects.exists():  # only once the good rows are in
            report.rejects_file = Path(str(file) + ".rejects.csv")
            with atomic_path(report.rejects_file, tag="rejects") as tmp:
                shutil.copyfile(rejects, tmp)
    return report


class _NotClean(Exception):
    """The one-pass write met a bad row or a repeated record id (or the file is imported already): it was rolled
    back, and the file takes the checked path, which reports it exactly."""


@contextmanager
def _staging(db_path: Path):
    """``(con, work)``: a work folder next to the database and the one in-memory DuckDB instance that stages, checks,
    diffs and writes (the copy of the database is attached to it), so one memory limit bounds the whole import and
    the staged rows go into the table without a file between."""
    with tempfile.TemporaryDirectory(prefix=".records-", dir=db_path.parent) as work:
        work = Path(work)
        con = duckdb.connect()
        try:
            con.execute(f"SET memory_limit = '{STAGING_MEMORY}'")
            con.execute(f"SET temp_directory = {q(str(work / 'spill'))}")
            con.execute("SET preserve_insertion_order = true")  # row_number() OVER () numbers rows in file order
            con.execute("SET enable_progress_bar = false")
            yield con, work
        finally:
            con.close()


def _place_keys(spec) -> dict[str, str]:
    """Placement depends on these six cells only: each distinct combination is placed once (few thousand in an
    export without addresses, about one per applicant with them), not every row."""
    office = "v_office" if spec.kind == "patent" else "'CN'"
    return {"office": office, "province_raw": "v_province", "city_raw": "v_city", "county_raw": "v_county",
            "code_field": "v_region_code_field", "address": "v_address"}


def _ptype(spec) -> str:
    return ("coalesce(v_patent_type_final, v_patent_type)" if spec.invention_granted_with_grant_date
            else "v_patent_type") if spec.kind == "patent" else "NULL"


def _open_file(con, spec, file, prep: Prepared, report) -> dict[str, int]:
    """Header checked, ignored columns noted, the IPC macros created; returns the resolved columns."""
    cols = resolve_columns(spec, prep.header)
    _check_header(spec, cols, prep.header, file, prep.header_line)
    report.ignored_columns = [h for j, h in enumerate(prep.header) if j not in set(cols.values()) and h]
    con.execute(IPC_MACRO)
    return cols


def _stage_one_pass(con, spec, file, sheet, work, max_bytes, report) -> Prepared:
    """The one-pass staging of a file hoped clean: ``_final`` — what the write inserts — parses every row once with
    the checks, stops at the first bad one (``error()``: the write rolls back and the file takes :func:`_stage`)
    and places each row as it goes (:func:`.placement.placed_select`: the province, city and county cells are
    looked up in the gazetteer). Only the address and 国省代码 cells need lookups of their distinct values: when the
    file has such a column a first scan reads those cells alone; without them the write is the file's only full
    read. The summary's shares and offices are counted from the rows written (:func:`_transact_one_pass`)."""
    has = {}

    def cells(con, prep: Prepared):
        cols = _open_file(con, spec, file, prep, report)
        con.execute("CREATE OR REPLACE TEMP VIEW _typed_scan AS " + parse_select(
            spec, cols, prep.header, has_line=prep.has_line_column, checks=False, ipc="ipc_rewrite"))
        con.execute("CREATE OR REPLACE TEMP VIEW _write_scan AS " + parse_select(
            spec, cols, prep.header, has_line=prep.has_line_column, checks=True, ipc="ipc_norm", bad_flag=True))
        register_gazetteer(con)
        has.update(address="address" in cols, code="region_code_field" in cols)
        if has["address"] or has["code"]:
            # the typed cells need no check: a bad row stops the write anyway
            con.execute("CREATE OR REPLACE TEMP TABLE _cells AS SELECT DISTINCT v_address AS address, "
                        "v_region_code_field AS code_field FROM _typed_scan")
            address_lookup(con, "SELECT address FROM _cells")
            code_lookup(con, "SELECT code_field FROM _cells")

    prep, _ = stage_file(con, file, title_rows=spec.title_rows, sheet=sheet, workdir=work, max_bytes=max_bytes,
                         probe=cells)
    report.encoding = prep.encoding
    con.execute(f"""CREATE OR REPLACE TEMP VIEW _good AS SELECT * EXCLUDE (bad), {_ptype(spec)} AS ptype
        FROM _write_scan WHERE CASE WHEN bad THEN error({q(BAD_ROW)}) ELSE true END""")
    # the v_ cells are trimmed already (parsing._clean)
    placed = placed_select("_good", "s.*", office="s.v_office" if spec.kind == "patent" else "'CN'",
                           pr="s.v_province", cr="s.v_city", kr="s.v_county",
                           code="s.v_region_code_field" if has["code"] else None,
                           address="s.v_address" if has["address"] else None)
    con.execute(f"CREATE OR REPLACE TEMP VIEW _final AS "
                f"{_final_select(spec.kind, report.import_id, report.is_demo, p='g')} FROM ({placed}) g")
    return prep


def _stage(con, spec, file, sheet, work, max_bytes, skip_bad, report) -> Prepared:
    keys = _place_keys(spec)
    cells = ", ".join(f"{v} AS {k}" for k, v in keys.items())
    combo = "{" + ", ".join(f"'{k}': {v}" for k, v in keys.items()) + ", 'year': CAST(year AS INTEGER)}"

    def check(con, prep: Prepared):
        """The check pass, the file's first full read: rows, bad rows, distinct ids and the placement cells with
        their row counts per year, in one scan that stores nothing per row."""
        cols = _open_file(con, spec, file, prep, report)
        # the check pass only asks whether each IPC symbol is one (ipc_valid), the stored parse rewrites them
        for view, checks, ipc in (("_check_scan", True, "ipc_valid"), ("_parsed_scan", True, "ipc_norm"),
                                  ("_typed_scan", False, "ipc_rewrite")):
            con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS " + parse_select(
                spec, cols, prep.header, has_line=prep.has_line_column, checks=checks, ipc=ipc))
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _check AS SELECT count(*) AS n, count(reason) AS n_bad,
            count(DISTINCT record_id) FILTER (WHERE reason IS NULL) AS n_ids,
            histogram({combo}) FILTER (WHERE reason IS NULL) AS combos FROM _check_scan""")
        return con.execute("SELECT n, n_bad, n_ids FROM _check").fetchone()

    prep, (n, n_bad, distinct) = stage_file(con, file, title_rows=spec.title_rows, sheet=sheet, workdir=work,
                                            max_bytes=max_bytes, probe=check)
    report.rows_read, report.encoding, report.rows_bad = n, prep.encoding, n_bad
    report.rows_duplicate = n - n_bad - distinct
    ptype = _ptype(spec)
    from_check = """CREATE OR REPLACE TEMP TABLE _combos AS SELECT unnest(k), n FROM (
        SELECT unnest(map_keys(combos)) AS k, unnest(map_values(combos)) AS n FROM _check)"""
    if n_bad or report.rows_duplicate:
        # bad rows are named by line and the last row of a repeated id wins: this needs the rows in file order,
        # so they are parsed once more and stored (spilling to disk beyond the memory limit)
        con.execute("CREATE OR REPLACE TEMP TABLE _parsed_rows AS SELECT * FROM _parsed_scan")
        con.execute("CREATE OR REPLACE TEMP VIEW _parsed AS SELECT rowid + 1 AS ord, * FROM _parsed_rows")
        if n_bad and not skip_bad:
            raise DataError(_bad_problems(con, prep, file, n_bad))
        # the same record twice in one export (a later row is the newer state): keep the last
        dedupe = ("QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY ord DESC) = 1"
                  if report.rows_duplicate else "")
        con.execute(f"""CREATE OR REPLACE TEMP {'TABLE' if dedupe else 'VIEW'} _good AS
            SELECT *, {ptype} AS ptype FROM _parsed WHERE reason IS NULL {dedupe}""")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _combos AS SELECT {cells}, CAST(year AS INTEGER) AS year, "
                    "count(*) AS n FROM _good GROUP BY ALL" if dedupe else from_check)
    else:
        # a clean export without repeated ids (the usual case): no row is stored here; the write parses the file
        # again, without the checks, straight into the table (docs/records.md, "规模 / Scale")
        con.execute(f"CREATE OR REPLACE TEMP VIEW _good AS SELECT *, {ptype} AS ptype FROM _typed_scan")
        con.execute(from_check)
    _place_and_summarise(con, spec, report, keys)
    return prep


def _place_and_summarise(con, spec, report, keys: dict[str, str]) -> None:
    """Place the combinations of ``_combos``; ``_final`` (``_good`` joined with its placement); the report's
    per-year shares and offices from the combinations and their counts, not from the rows."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _placing AS SELECT row_number() OVER () AS rid, * FROM (
        SELECT DISTINCT {', '.join(keys)} FROM _combos)""")
    register_gazetteer(con)
    place(con, "_placing", "_place")
    on = " AND ".join(f"k.{k} IS NOT DISTINCT FROM {'g.' + v if v.startswith('v_') else v}" for k, v in keys.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW _final AS {_final_select(spec.kind, report.import_id, report.is_demo)} "
                f"FROM _good g JOIN _placing k ON {on} JOIN _place p ON p.rid = k.rid")
    # shares and offices from the combinations and their counts, not from the rows
    year_col = "year" if spec.kind == "copyright" else "application_year"
    on_c = " AND ".join(f"k.{k} IS NOT DISTINCT FROM c.{k}" for k in keys)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW _combo_place AS SELECT c.office, c.year AS {year_col}, p.placement, c.n
        FROM _combos c JOIN _placing k ON {on_c} JOIN _place p ON p.rid = k.rid""")
    report.shares = year_shares(con, "_combo_place", year_col, weight="n")
    if spec.kind == "patent":
        report.offices = {o: int(c) for o, c in con.execute(
            "SELECT office, sum(n) FROM _combo_place GROUP BY 1 ORDER BY 2 DESC").fetchall()}


def _require_record_tables(cur, db_path) -> None:
    if not has_record_tables(cur):
        raise DataError(Problem("this database has no record tables (built before record imports existed): "
                                "rebuild it with `iplayout db build`", str(db_path)))


def _transact(con, spec, file, db_path, report, *, mapping, fmt, sheet, skip_bad, demo, record, lock,
              lock_timeout, imported_at, digest) -> None:
    table = KIND_TABLE[spec.kind]
    cols = COLUMNS[table]
    content = [c for c in cols if c not in ("import_id",)]
    with WriteTransaction(db_path, timeout=lock_timeout, lock=lock and not report.dry_run, tag="records") as tx:
        cur = tx.reader()
        _require_record_tables(cur, db_path)
        total = report.rows_read - report.rows_bad - report.rows_duplicate  # rows of _good, counted by the check
        if cur.execute("SELECT COUNT(*) FROM record_imports WHERE import_id = ?", [report.import_id]).fetchone()[0]:
            report.already_imported = True
            report.unchanged = total
            return
        stored = cur.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        upd = unch = 0
        if stored:  # only the staged records whose id is stored already can be updated or unchanged
            same = " AND ".join(f"n.{c} IS NOT DISTINCT FROM o.{c}" for c in content)
            with tx.attached(con, "cur"):
                upd, unch = con.execute(f"""SELECT count(*) FILTER (WHERE NOT ({same})), count(*) FILTER (WHERE {same})
                    FROM _final n JOIN cur.{table} o USING (record_id)""").fetchone()
        report.new, report.updated, report.unchanged = total - upd - unch, upd, unch
        if report.dry_run or report.new + upd == 0:
            return
        stamp = imported_at or dt.datetime.now().isoformat(timespec="seconds")
        report.source_id = f"import:{report.import_id}"

        def write(wcon) -> None:
            if upd + unch:  # a newer export of stored numbers: replace those records
                wcon.execute(f"DELETE FROM {table} WHERE record_id IN (SELECT record_id FROM _good)")
            # record ids are unique without an index: unique within the file (_good keeps the last row of an id)
            # and every stored id of the file was deleted just above (docs/records.md, "Record ids")
            wcon.execute("SET preserve_insertion_order = false")
            wcon.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _final")
            wcon.execute("SET preserve_insertion_order = true")
            _write_import_rows(wcon, spec, file, report, digest, stamp)

        tx.write_into(con, write)
        _written(tx, report, db_path, file, mapping, fmt, sheet, skip_bad, demo, record, stamp)


def _write_import_rows(wcon, spec, file, report, digest, stamp) -> None:
    """The ``record_imports`` and ``sources`` rows of the import, then the record-based observations."""
    source_id = report.source_id
    wcon.execute("INSERT INTO record_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 [report.import_id, spec.kind, report.source_format, file.name, digest, stamp,
                  report.rows_read, report.new + report.updated + report.unchanged, report.rows_bad, report.is_demo,
                  source_id])
    wcon.execute("DELETE FROM sources WHERE id = ?", [source_id])
    note = (f"record import of {file.name} (sha256 {digest[:12]}…, {spec.title}) by iplayout db records import"
            + ("; DEMO data (synthetic records)" if report.is_demo else ""))
    wcon.execute("INSERT INTO sources VALUES (?, ?, '', '', '', ?, ?, ?)",
                 [source_id, f"{spec.title}: {file.name}", stamp[:10], note, report.is_demo])
    # the record-based indicators are recomputed in the same transaction (all or nothing)
    report.observations = refresh_record_observations(wcon)


def _written(tx, report, db_path, file, mapping, fmt, sheet, skip_bad, demo, record, stamp) -> None:
    report.written = True
    if record:
        rec = tx.record(lambda: record_import(db_path, file, mapping, dict(
            kind="records", source_id=report.source_id, format=fmt, sheet=sheet, skip_bad=skip_bad,
            is_demo=report.is_demo, demo=demo, imported_at=stamp)))
        report.notes.append(f"recorded in {rec} (replayed by `iplayout db build`)")


class _Unchanged(Exception):
    """The one-pass write found every record of the file stored already, unchanged: rolled back, nothing written."""


def _transact_one_pass(con, spec, file, db_path, report, *, mapping, fmt, sheet, skip_bad, demo, record, lock,
                       lock_timeout, imported_at, digest) -> None:
    """Write ``_final`` into the transaction's copy first and check it there: a bad row stops the insert, and the
    rows written against their distinct ids say whether an id repeats (both roll back: :class:`_NotClean`); the
    diff against the stored records (new / updated / unchanged) runs in the copy too, and the stored records the
    file replaces are deleted after the insert. Same result as :func:`_transact` for a clean file."""
    table = KIND_TABLE[spec.kind]
    cols = COLUMNS[table]
    same = " AND ".join(f"n.{c} IS NOT DISTINCT FROM o.{c}" for c in cols if c != "import_id")
    mine = f"import_id = {q(report.import_id)}"
    with WriteTransaction(db_path, timeout=lock_timeout, lock=lock, tag="records") as tx:
        cur = tx.reader()
        _require_record_tables(cur, db_path)
        if cur.execute("SELECT COUNT(*) FROM record_imports WHERE import_id = ?", [report.import_id]).fetchone()[0]:
            raise _NotClean()  # already imported: the checked path counts and says so
        stored = cur.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        stamp = imported_at or dt.datetime.now().isoformat(timespec="seconds")
        report.source_id = f"import:{report.import_id}"

        def write(wcon) -> None:
            wcon.execute("SET preserve_insertion_order = false")
            try:
                n = wcon.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} "
                                 "FROM _final").fetchone()[0]
            except duckdb.Error:  # a bad row (BAD_ROW), or anything the checked path reports in its own words
                raise _NotClean() from None
            wcon.execute("SET preserve_insertion_order = true")
            # the rows are committed in the copy before they are counted, diffed and aggregated: DuckDB scans the
            # committed rows in parallel, the transaction's own uncommitted rows on about one thread (and with ≈ 25 %
            # more CPU). The copy stays all or nothing: whatever fails below removes it, the database is untouched
            wcon.execute("COMMIT")
            wcon.execute("BEGIN TRANSACTION")
            if wcon.execute(f"SELECT count(DISTINCT record_id) FROM {table} WHERE {mine}").fetchone()[0] != n:
                raise _NotClean()  # an id repeats: the last row wins, which needs the rows in file order
            report.rows_read, report.rows_bad, report.rows_duplicate = n, 0, 0
            # shares and offices of the summary from the rows written (the checked path counts its combinations)
            report.shares = year_shares(wcon, table, "year" if spec.kind == "copyright" else "application_year",
                                        where=f"WHERE {mine}")
            if spec.kind == "patent":
                report.offices = {o: int(c) for o, c in wcon.execute(
                    f"SELECT office, count(*) FROM {table} WHERE {mine} GROUP BY 1 ORDER BY 2 DESC").fetchall()}
            upd = unch = 0
            if stored:  # the file's records whose id is stored already are updated or unchanged
                upd, unch = wcon.execute(f"""SELECT count(*) FILTER (WHERE NOT ({same})), count(*) FILTER (WHERE {same})
                    FROM {table} n JOIN {table} o USING (record_id) WHERE n.{mine} AND NOT o.{mine}""").fetchone()
            report.new, report.updated, report.unchanged = n - upd - unch, upd, unch
            if report.new + upd == 0:
                raise _Unchanged()
            if upd + unch:  # a newer export of stored numbers: its records replace the stored ones
                wcon.execute(f"DELETE FROM {table} WHERE NOT {mine} AND record_id IN "
                             f"(SELECT record_id FROM {table} WHERE {mine})")
            _write_import_rows(wcon, spec, file, report, digest, stamp)

        try:
            tx.write_into(con, write)
        except _Unchanged:
            report.source_id = ""
            return
        _written(tx, report, db_path, file, mapping, fmt, sheet, skip_bad, demo, record, stamp)
