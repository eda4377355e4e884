"""``iplayout db import``: users' own statistical tables into the integrated database, all or nothing.

The import is four steps around one :class:`~iplayout.db.transaction.WriteTransaction` (the writer
lock is held from validation to the record, so two imports never lose each other's facts):

1. **read** (:mod:`iplayout.db.reading`, on :mod:`iplayout.tablefile`): file (+ mapping) → raw facts;
   long tables, wide yearbook sheets with one or two header levels and a unit row;
2. **validate** (:mod:`iplayout.db.validation`, regions through :mod:`iplayout.db.aliases`): every
   problem is collected (file, spreadsheet line, column, value) before anything is written; then the
   **magnitude checks** (:mod:`iplayout.db.plausibility`, off with ``unit_check=False``);
3. **diff** against the database: new / changed / unchanged. Values already in the database from real
   sources are only changed with ``allow_changes``; demo values are always replaced by real ones. A
   file whose ``is_demo`` column is true (the seeded demo country file) is imported as demo data and may
   never replace a real value;
4. **write** in one SQL transaction into a copy that atomically replaces the database, with the
   source rows (title, publisher, URL, licence, and each distinct per-row ``source`` text or the
   mapping's ``source:`` as its own cited row), then **record** the import for ``db build`` to replay.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from ..fileio import sha256_file
from . import schema
from .plausibility import check_magnitudes
from .reading import MappingSpec, load_mapping, read_facts, read_long, read_wide  # noqa: F401 (public API)
from .recorded import record_import
from .transaction import WriteTransaction
from .validation import validate_facts


@dataclass
class SourceInfo:
    title: str | None = None
    publisher: str = ""
    url: str = ""
    licence: str = ""


@dataclass
class ImportReport:
    file: Path
    db_path: Path
    dry_run: bool
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    replaced_demo: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_id: str = ""
    source_titles: dict[str, str] = field(default_factory=dict)
    is_demo: bool = False

    def lines(self) -> list[str]:
        head = "DRY RUN — nothing written / 试运行，未写入" if self.dry_run else f"imported into {self.db_path}"
        out = [head, f"  file: {self.file}", f"  facts read: {self.rows}"
               + ("  [DEMO data, flagged is_demo / 演示数据]" if self.is_demo else ""),
               f"  new: {self.new}, changed: {self.changed} (of which demo replaced: {self.replaced_demo}), "
               f"unchanged: {self.unchanged}"]
        for kind, ex in self.examples.items():
            out += [f"  e.g. {kind}: {e}" for e in ex]
        out += [f"  note: {n}" for n in self.notes]
        if self.source_id and not self.dry_run:
            out += [f"  source {sid}: {title}" for sid, title in self.source_titles.items()]
        return out


def _diff(obs: pd.DataFrame, con) -> pd.DataFrame:
    con.register("_imp", obs[["region_code", "year", "indicator_code", "industry_code"]])
    try:
        cur = con.execute("""SELECT o.region_code, o.year, o.indicator_code, o.industry_code, o.value AS old_value,
                                    o.is_demo AS old_is_demo, o.source_id AS old_source
                             FROM observations o JOIN _imp USING (region_code, year, indicator_code, industry_code)""").df()
    finally:
        con.unregister("_imp")
    m = obs.merge(cur, on=["region_code", "year", "indicator_code", "industry_code"], how="left")
    m["status"] = "new"
    m.loc[m["old_value"].notna() & (m["old_value"] == m["value"]), "status"] = "unchanged"
    m.loc[m["old_value"].notna() & (m["old_value"] != m["value"]), "status"] = "changed"
    return m


# --- the command ----------------------------------------------------------------------------------
def source_rows(obs: pd.DataFrame, base_id: str, source: SourceInfo, *, file: Path, digest: str, accessed: str,
                is_demo: bool) -> tuple[pd.DataFrame, pd.Series]:
    """Rows of ``sources`` for one import and the source id of every observation.

    One row per distinct per-row ``source`` text (or the mapping's ``source:``), titled with that text —
    the id is ``<base>`` when there is one text, else ``<base>:s<n>`` in sorted text order — and a row
    ``<base>`` titled ``--source-title`` (or the file name) for facts without a text. The
    ``--source-title`` of a file whose rows carry texts goes into each row's notes.
    """
    texts = sorted(t for t in obs["source"].astype(str).str.strip().unique() if t)
    untexted = obs["source"].astype(str).str.strip().eq("")
    note = (f"imported by iplayout db import from {file.name} (sha256 {digest}…)"
            + ("; DEMO data (synthetic, not official statistics)" if is_demo else ""))
    rows, ids = [], {}
    if len(texts) == 1 and not untexted.any():
        ids[texts[0]] = base_id
        title = source.title or texts[0]
        rows.append((base_id, title, note + (f"; row source: {texts[0]}" if title != texts[0] else "")))
    else:
        for n, text in enumerate(texts, start=1):
            ids[text] = f"{base_id}:s{n}"
            rows.append((ids[text], text, note + (f"; file: {source.title}" if source.title else "")))
        if untexted.any():
            rows.append((base_id, source.title or file.name, note))
    srow = pd.DataFrame([dict(id=i, title=t, publisher=source.publisher, url=source.url, licence=source.licence,
                              accessed=accessed, notes=n, is_demo=is_demo) for i, t, n in rows])
    cited = obs["source"].astype(str).str.strip().map(lambda t: ids.get(t, base_id))
    return srow, cited


def import_file(file: Path | str, *, db_path: Path | str, mapping: Path | str | None = None, dry_run: bool = False,
                sheet: str | None = None, source: SourceInfo | None = None, allow_changes: bool = False,
                this_year: int | None = None, source_id: str | None = None, accessed: str | None = None,
                record: bool = True, unit_check: bool = True, lock_timeout: float | None = None,
                lock: bool = True) -> ImportReport:
    """Validate ``file`` fully, then write it in one transaction on a copy that replaces ``db_path``.

    Returns an ImportReport (new / changed / unchanged counts with examples). Raises DataError with
    every problem, or when real (non-demo) values would change without ``allow_changes``; in both cases
    the database file is untouched. A successful import is recorded next to the database
    (``record``) so that ``iplayout db build`` replays it; ``source_id``/``accessed`` fix the source row
    when replaying. ``unit_check=False`` skips the magnitude checks (:mod:`iplayout.db.plausibility`);
    ``lock=False`` only for a caller that already holds the writer lock (the build's replay).
    """
    file, db_path = Path(file), Path(db_path)
    source = source or SourceInfo()
    if not db_path.exists():
        raise DataError(Problem("database not found — run `iplayout db build` first", str(db_path)))
    facts, _spec = read_facts(file, Path(mapping) if mapping else None, sheet)
    report = ImportReport(file=file, db_path=db_path, dry_run=dry_run, rows=len(facts))
    if facts.attrs.get("blank_cells"):
        report.notes.append(f"blank cells skipped (no data): {facts.attrs['blank_cells']}")
    if facts.attrs.get("note_rows"):
        report.notes.append(f"note rows under the table skipped: {facts.attrs['note_rows']}")
    if facts.attrs.get("ignored_columns"):
        report.notes.append(f"columns not in the mapping, ignored: {facts.attrs['ignored_columns']}")
    if not unit_check:
        report.notes.append("unit check off: magnitudes were not compared with the series or the totals")
    digest = sha256_file(file)[:10]
    with WriteTransaction(db_path, timeout=lock_timeout, lock=lock and not dry_run) as tx:
        con = tx.reader()
        obs = validate_facts(facts, con, str(file), this_year=this_year)
        if unit_check:
            units = con.execute("SELECT code, unit FROM indicators").df().set_index("code")["unit"]
            problems = check_magnitudes(obs, con, str(file), units)
            if problems:
                raise DataError(problems)
        diff = _diff(obs, con)
        _count(report, diff)
        _refuse_real_changes(diff, report, str(file), allow_changes)
        if dry_run:
            return report
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
        report.source_id = source_id or f"import:{stamp}:{digest}"
        accessed = accessed or dt.date.today().isoformat()
        srow, cited = source_rows(diff, report.source_id, source, file=file, digest=digest, accessed=accessed,
                                  is_demo=report.is_demo)
        report.source_titles = dict(zip(srow["id"], srow["title"]))
        new = diff.assign(source_id=cited)[diff["status"] != "unchanged"].copy()
        new["is_demo"] = report.is_demo
        tx.write(lambda wcon: _write(wcon, srow, new))
        if record:
            rec = tx.record(lambda: record_import(db_path, file, Path(mapping) if mapping else None, dict(
                source_id=report.source_id, accessed=accessed, sheet=sheet, allow_changes=allow_changes,
                unit_check=unit_check,
                source=dict(title=source.title, publisher=source.publisher, url=source.url, licence=source.licence))))
            report.notes.append(f"recorded in {rec} (replayed by `iplayout db build`)")
    return report


def _count(report: ImportReport, diff: pd.DataFrame) -> None:
    fmt = lambda r: (f"line {r.line}: {r.region_code} {r.year} {r.indicator_code}/{r.industry_code} = {r.value:,.10g}"  # noqa: E731
                     + (f" (was {r.old_value:,.10g}{', demo' if r.old_is_demo else ''})" if r.status == "changed" else ""))
    for status in ("new", "changed", "unchanged"):
        sel = diff[diff["status"] == status]
        setattr(report, status, len(sel))
        if len(sel):
            report.examples[status] = [fmt(r) for r in sel.head(3).itertuples()]
    changed = diff[diff["status"] == "changed"]
    report.replaced_demo = int(changed["old_is_demo"].fillna(False).astype(bool).sum())
    report.is_demo = bool(diff["is_demo"].any())


def _refuse_real_changes(diff: pd.DataFrame, report: ImportReport, file: str, allow_changes: bool) -> None:
    changed = diff[diff["status"] == "changed"]
    real_changes = changed[~changed["old_is_demo"].fillna(False).astype(bool)]
    if len(real_changes) and report.is_demo:  # demo figures never overwrite a real one, not even with --replace
        raise DataError([Problem(f"demo value would replace a real value from source {r.old_source} "
                                 f"({r.old_value:g} → {r.value:g}); drop this row from the demo file",
                                 file, int(r.line), r.value_column, r.value) for r in real_changes.itertuples()])
    if len(real_changes) and not allow_changes:
        raise DataError([Problem(f"would change a real value from source {r.old_source} "
                                 f"({r.old_value:g} → {r.value:g}); use --replace to allow",
                                 file, int(r.line), r.value_column, r.value) for r in real_changes.itertuples()])


def _write(con, srow: pd.DataFrame, new: pd.DataFrame) -> None:
    schema.write_table(con, "sources", srow)
    con.register("_chg", new[["region_code", "year", "indicator_code", "industry_code"]])
    con.execute("""DELETE FROM observations o USING _chg c WHERE o.region_code = c.region_code AND
                   o.year = c.year AND o.indicator_code = c.indicator_code AND o.industry_code = c.industry_code""")
    con.unregister("_chg")
    schema.write_table(con, "observations", new)
