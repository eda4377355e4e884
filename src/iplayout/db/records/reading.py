"""Record exports (CSV in any of four encodings, XLSX) → a UTF-8 CSV that DuckDB reads in parallel, in bounded memory.

* **Files** pass :func:`iplayout.tablefile.check_input_file` (regular file, not empty) with the records' own,
  higher size cap (``$IPLAYOUT_MAX_RECORDS_MB``, default 20 000 MB) — exports of a province run to gigabytes.
* **Encodings** are detected like :mod:`iplayout.tablefile` does (UTF-16 by its byte-order mark, else UTF-8 with
  or without BOM, else GB18030 ⊇ GBK); DuckDB reads UTF-8 itself and, without extensions (no internet here),
  nothing but UTF-8/UTF-16/Latin-1, so anything else is **transcoded** to a temporary UTF-8 file in 4 MB chunks.
  A UTF-8 guess that DuckDB later finds invalid is retried as GB18030.
* **XLSX** is streamed row by row (openpyxl read-only) into a temporary CSV, skipping the mapping's title
  rows; its rows keep their spreadsheet row numbers.
* **Line numbers** of CSV rows are only computed for the rows reported as bad (one pass of Python's csv reader),
  so a clean file of 10 million rows is never read line by line in Python.
"""
from __future__ import annotations

import codecs
import csv
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ...errors import DataError, Problem
from ...tablefile import check_input_file

DEFAULT_MAX_MB = 20_000
CHUNK = 4 << 20
#: CSV scan buffer in bytes (None: DuckDB's default). A test sets it small so that a small file is scanned in many
#: parallel pieces, which must still come out in file order
SCAN_BUFFER: int | None = None
LINE_COLUMN = "__line"


class _NotUtf8(Exception):
    """The first megabyte looked like UTF-8 but DuckDB found invalid bytes later: retry as GB18030."""


def records_max_bytes() -> int:
    """Largest record export read (``$IPLAYOUT_MAX_RECORDS_MB`` megabytes, default 20 000)."""
    raw = os.environ.get("IPLAYOUT_MAX_RECORDS_MB", "")
    try:
        return int(float(raw) * 1_000_000) if raw.strip() else DEFAULT_MAX_MB * 1_000_000
    except ValueError:
        raise DataError(Problem("IPLAYOUT_MAX_RECORDS_MB must be a number of megabytes", None, None,
                                "IPLAYOUT_MAX_RECORDS_MB", raw)) from None


@dataclass
class Prepared:
    """A record export ready for DuckDB: a UTF-8 CSV, its header, and how its rows map to lines of the input."""

    file: Path            # the user's file
    csv: Path             # UTF-8 CSV DuckDB reads (the file itself when it already is one)
    header: list[str]
    skip: int             # lines of ``csv`` before the first data row (title rows + header)
    encoding: str         # detected encoding, or 'xlsx'
    header_line: int      # line (CSV) / row (XLSX) of the header in the user's file
    has_line_column: bool = False  # XLSX: the last column of ``csv`` holds the spreadsheet row


def detect_encoding(path: Path) -> str:
    """``utf-16``, ``utf-8-sig``, ``utf-8`` or ``gb18030`` from the first megabyte (order as in tablefile)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if b"\x00" in head[:65536]:
        raise DataError(Problem("binary data (NUL bytes), not a text table: is this really a CSV file? "
                                "(UTF-16 text needs its byte-order mark)", str(path)))
    if head[:3] == b"\xef\xbb\xbf":
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def transcode(path: Path, encoding: str, out: Path) -> Path:
    """Re-encode ``path`` from ``encoding`` to UTF-8 at ``out``, 4 MB at a time (bounded memory)."""
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    done = 0
    with open(path, "rb") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        while True:
            block = src.read(CHUNK)
            try:
                text = dec.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise DataError(Problem(f"not valid {encoding} text at byte {done + exc.start:,} (tried UTF-8 "
                                        "first); save the file as UTF-8 CSV", str(path))) from None
            if text:
                dst.write(text.lstrip("\ufeff") if done == 0 else text)
            if not block:
                break
            done += len(block)
    return out


def _csv_header(csv_path: Path, title_rows: int, file: Path) -> list[str]:
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            for _ in range(title_rows):
                next(reader)
            header = next(reader)
        except StopIteration:
            raise DataError(Problem(f"no header row after {title_rows} title row(s)", str(file))) from None
        except csv.Error as exc:
            raise DataError(Problem(f"cannot read CSV: {exc}", str(file), reader.line_num)) from None
        except UnicodeDecodeError:
            raise _NotUtf8() from None
    return [h.strip() for h in header]


def _xlsx_to_csv(path: Path, sheet: str | None, title_rows: int, out: Path) -> tuple[list[str], int]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise DataError(Problem(f"not a readable .xlsx workbook ({type(exc).__name__}): save it again from Excel "
                                "as .xlsx", str(path))) from None
    try:
        names = wb.sheetnames
        name = sheet or next((n for n in names if n not in ("说明", "instructions", "README")), names[0])
        if name not in names:
            raise DataError(Problem(f"sheet not found (sheets: {names})", str(path), None, "sheet", name))
        header, header_row = None, title_rows + 1
        with open(out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            for r, row in enumerate(wb[name].iter_rows(values_only=True), start=1):
                if r <= title_rows:
                    continue
                cells = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                         for v in row]
                if header is None:
                    header = [c.strip() for c in cells]
                    w.writerow(header + [LINE_COLUMN])
                    continue
                if any(c.strip() for c in cells):
                    w.writerow((cells + [""] * len(header))[:len(header)] + [str(r)])
    finally:
        wb.close()
    if header is None:
        raise DataError(Problem(f"no header row after {title_rows} title row(s)", str(path), None, "sheet", name))
    return header, header_row


def prepare(file: Path, *, title_rows: int, sheet: str | None, workdir: Path, max_bytes: int | None = None,
            force_encoding: str | None = None) -> Prepared:
    """Check ``file`` and make it readable by DuckDB (see the module docstring)."""
    file = Path(file)
    suffix = file.suffix.lower()
    if suffix == ".xls":
        raise DataError(Problem("old Excel .xls is not supported: save the sheet as .xlsx or CSV", str(file)))
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise DataError(Problem("unsupported file type (use .csv or .xlsx)", str(file), None, None, file.suffix))
    check_input_file(file, records_max_bytes() if max_bytes is None else max_bytes, "IPLAYOUT_MAX_RECORDS_MB")
    if suffix in (".xlsx", ".xlsm"):
        out = workdir / "sheet.csv"
        header, header_row = _xlsx_to_csv(file, sheet, title_rows, out)
        return Prepared(file, out, header, 1, "xlsx", header_row, has_line_column=True)
    enc = force_encoding or detect_encoding(file)
    target = file if enc in ("utf-8", "utf-8-sig") else transcode(file, enc, workdir / "utf8.csv")
    try:
        header = _csv_header(target, title_rows, file)
    except _NotUtf8:
        if enc != "utf-8":
            raise DataError(Problem(f"not valid {enc} text: save the file as UTF-8 CSV", str(file))) from None
        raise
    return Prepared(file, target, header, title_rows + 1, enc, title_rows + 1)


def stage_raw(con, prep: Prepared, table: str = "_raw", probe=None):
    """``table(ord, c0 … c<n-1>[, line])``: every data row as text; ``ord`` counts data rows from 1. Returns rows,
    or what ``probe(con, prep)`` returns: the first full scan of the file, which meets any reading error (the
    importer's check pass reads the file through the views instead of counting its rows in a pass of its own).

    ``table`` is a view (only a rejects file reads it); ``row_number() OVER ()`` numbers rows in file order (the
    CSV scan preserves insertion order). ``<table>_scan`` is the same without ``ord``, for the parse, which runs
    in parallel and numbers the rows itself (:func:`.parsing.build_parse_sql`). Short rows are padded with
    NULL; DuckDB's parallel scanner cannot pad rows when quoted fields hold newlines, so such a file is read
    with one thread.
    """
    n = len(prep.header)
    cols = {f"c{j}": "VARCHAR" for j in range(n)}
    if prep.has_line_column:
        cols["line"] = "VARCHAR"
    spec = ", ".join(f"'{k}': '{v}'" for k, v in cols.items())
    path = str(prep.csv).replace("'", "''")
    line = ", CAST(line AS BIGINT) AS line" if prep.has_line_column else ""
    for parallel in ("true", "false"):  # the second pass only after the parallel scanner refused the file
        buffer = f", buffer_size={SCAN_BUFFER}, max_line_size={SCAN_BUFFER}" if SCAN_BUFFER else ""
        scan = (f"read_csv('{path}', header=false, skip={prep.skip}, columns={{{spec}}}, delim=',', quote='\"', "
                f"escape='\"', null_padding=true, strict_mode=false, all_varchar=true, parallel={parallel}{buffer})")
        try:
            cells = ", ".join(f"c{j}" for j in range(n)) + line
            con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_scan AS SELECT {cells} FROM {scan}")
            con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT row_number() OVER () AS ord, {cells} FROM {scan}")
            if probe is not None:
                return probe(con, prep)
            return con.execute(f"SELECT COUNT(*) FROM {scan}").fetchone()[0]
        except duckdb.Error as exc:
            msg = str(exc).splitlines()
            if prep.encoding == "utf-8" and any("not utf-8" in m for m in msg):
                raise _NotUtf8() from None
            if not _has_data_rows(prep):  # DuckDB's sniffer fails on a header alone: say what is wrong
                where = "row" if prep.encoding == "xlsx" else "line"
                raise DataError(Problem(f"no data rows below the header ({where} {prep.header_line}): the export "
                                        "holds no records; nothing was imported", str(prep.file))) from None
            if parallel == "false" or not any("parallel=false" in m for m in msg):
                raise DataError(Problem("cannot read the CSV: " + " ".join(m.strip() for m in msg[:3])[:500],
                                        str(prep.file))) from None
    return 0  # not reached: the single-threaded pass returns or raises


@contextmanager
def _data_reader(prep: Prepared):
    """A ``csv.reader`` over ``prep.csv`` positioned at its first data row (title rows and header skipped)."""
    with open(prep.csv, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        for _ in range(prep.skip):
            next(reader, None)
        yield reader


def _has_data_rows(prep: Prepared) -> bool:
    """Whether the CSV holds any non-blank row after its header (read only when DuckDB refused the file)."""
    with _data_reader(prep) as reader:
        return any(any(cell.strip() for cell in row) for row in reader)


def stage_file(con, file: Path, *, title_rows: int, sheet: str | None, workdir: Path,
               max_bytes: int | None = None, probe=None) -> tuple[Prepared, object]:
    """:func:`prepare` + :func:`stage_raw` (rows, or the ``probe``'s result), retrying a false UTF-8 guess as
    GB18030."""
    try:
        prep = prepare(file, title_rows=title_rows, sheet=sheet, workdir=workdir, max_bytes=max_bytes)
        return prep, stage_raw(con, prep, probe=probe)
    except _NotUtf8:
        prep = prepare(file, title_rows=title_rows, sheet=sheet, workdir=workdir, max_bytes=max_bytes,
                       force_encoding="gb18030")
        return prep, stage_raw(con, prep, probe=probe)


def lines_of(prep: Prepared, ordinals: list[int]) -> dict[int, int]:
    """Line in the user's CSV where data row ``ord`` starts (blank lines and quoted newlines counted)."""
    want = set(ordinals)
    out: dict[int, int] = {}
    if not want:
        return out
    with _data_reader(prep) as reader:
        k, last = 0, reader.line_num
        for row in reader:
            start = last + 1
            last = reader.line_num
            if not row:  # a blank line: DuckDB skips it too
                continue
            k += 1
            if k in want:
                out[k] = start
                if len(out) == len(want):
                    break
    return out
