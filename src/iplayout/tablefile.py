"""Users' table files (CSV / TSV / XLSX) → a grid of text cells with the line each row came from.

The one reader behind ``iplayout db import`` and ``iplayout evaluate`` (and the record importers to come):
every hostile-file check lives here, so each command refuses the same files with the same words.

* only **regular files** are read (a symlink to ``/dev/zero`` or a FIFO would never end) and at most
  :func:`max_input_bytes` bytes (``$IPLAYOUT_MAX_INPUT_MB``, default 200 MB);
* a **0-byte** file, **binary bytes** (NUL) in a text file, or a damaged ``.xlsx`` is refused by name;
* **text encodings** are detected in a fixed order: a UTF-16 byte-order mark → UTF-16; else UTF-8 (with or
  without BOM); else GB18030 (a superset of GBK/GB2312, what Excel writes for "CSV" on Chinese Windows);
* every cell is text: codes such as ``320100`` stay strings and no cell is guessed to be a number or NA;
* in an XLSX file, **merged cells** of the header rows are filled across/down (yearbook headers merge an
  indicator over its years and the region cell over the header rows), and **formula cells without a
  cached value** (a file written by a program and never opened in Excel) are refused.
"""
from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, Problem

#: text encodings tried in this order (UTF-16 only with its byte-order mark)
ENCODINGS = ("utf-8-sig", "gb18030")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DEFAULT_MAX_MB = 200


def max_input_bytes() -> int:
    """Largest input file read (``$IPLAYOUT_MAX_INPUT_MB`` megabytes, default 200)."""
    raw = os.environ.get("IPLAYOUT_MAX_INPUT_MB", "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_MB
    except ValueError:
        raise DataError(Problem("IPLAYOUT_MAX_INPUT_MB must be a number of megabytes", None, None,
                                "IPLAYOUT_MAX_INPUT_MB", raw)) from None
    return int(mb * 1_000_000)


def check_input_file(path: Path, limit: int | None = None, limit_name: str = "IPLAYOUT_MAX_INPUT_MB") -> int:
    """Refuse what is not a readable regular file of sensible size; return its size in bytes.

    ``limit`` bytes (default :func:`max_input_bytes`); record exports pass their own, higher cap and the name
    of the setting that raises it (``limit_name``).
    """
    try:
        st = os.stat(path)  # follows symlinks: what matters is what would be read
    except FileNotFoundError:
        raise DataError(Problem("table not found (no such file)", str(path))) from None
    except OSError as exc:
        raise DataError(Problem(f"cannot read: {exc.strerror}", str(path))) from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
        raise DataError(Problem(f"not a regular file ({kind}): only ordinary files are read", str(path)))
    limit = max_input_bytes() if limit is None else limit
    if st.st_size > limit:
        raise DataError(Problem(f"file is {st.st_size / 1e6:,.1f} MB, larger than the {limit / 1e6:,.0f} MB limit "
                                f"(set {limit_name} to raise it)", str(path)))
    if st.st_size == 0:
        raise DataError(Problem("the file is empty (0 bytes)", str(path)))
    return st.st_size


def decode_text(path: Path) -> tuple[str, str]:
    """Text of a checked file and the encoding used (see module docstring for the order)."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(Problem(f"damaged UTF-16 text at byte {exc.start}", str(path))) from None
    if b"\x00" in data[:65536]:
        raise DataError(Problem("binary data (NUL bytes), not a text table: is this really a CSV file? "
                                "(UTF-16 text needs its byte-order mark; save as UTF-8 CSV)", str(path)))
    tried = []
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            tried.append(f"{enc}: {exc.reason} at byte {exc.start}")
    raise DataError(Problem("unknown text encoding (tried " + "; ".join(tried) + "); save the file as UTF-8 CSV",
                            str(path)))


@dataclass
class Grid:
    """Every non-blank row of a sheet as text cells, with the line (CSV) or row (XLSX) number it has in the file."""

    rows: list[list[str]]
    lines: list[int]
    file: str
    encoding: str = ""
    sheet: str | None = None


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_csv(path: Path) -> Grid:
    text, enc = decode_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    rows, lines = [], []
    try:
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(Problem(f"cannot read CSV: {exc}", str(path), reader.line_num)) from None
    return Grid(rows, lines, str(path), enc)


def _read_xlsx(path: Path, sheet: str | None, merged_rows: int) -> Grid:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        wf = openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise DataError(Problem(f"not a readable .xlsx workbook ({type(exc).__name__}): save it again from Excel "
                                "as .xlsx", str(path))) from None
    names = wb.sheetnames
    if sheet is None:
        data_sheets = [n for n in names if n not in ("说明", "instructions", "README")]
        sheet = data_sheets[0] if data_sheets else names[0]
    if sheet not in names:
        raise DataError(Problem(f"sheet not found (sheets: {names})", str(path), None, "sheet", sheet))
    ws, wsf = wb[sheet], wf[sheet]
    grid = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    formulas = []
    for r in wsf.iter_rows():
        for c in r:
            if c.data_type == "f" and grid[c.row - 1][c.column - 1] is None:
                formulas.append(c.coordinate)
    if formulas:
        raise DataError(Problem(f"formula cells without values ({len(formulas)}: {', '.join(formulas[:10])}"
                                f"{' …' if len(formulas) > 10 else ''}) — open and save the file in Excel so that "
                                "the computed values are stored", str(path), None, None, sheet))
    # yearbook headers: an indicator merged across its years, the region cell merged down the header rows
    for rng in ws.merged_cells.ranges:
        if rng.min_row > merged_rows:
            continue
        top = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                grid[r - 1][c - 1] = top
    rows = [[_cell_text(v) for v in r] for r in grid]
    return Grid(rows, list(range(1, len(rows) + 1)), str(path), "xlsx", sheet)


def read_grid(path: Path | str, *, sheet: str | None = None, merged_rows: int = 0) -> Grid:
    """Read a CSV/TSV/XLSX file into a :class:`Grid` (all rows, including header rows and blank rows).

    Parameters
    ----------
    sheet : XLSX sheet (default: the first sheet that is not 说明/instructions/README).
    merged_rows : fill merged XLSX cells that start in the first ``merged_rows`` rows (header rows).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DataError(Problem("old Excel .xls is not supported: save the sheet as .xlsx or CSV", str(path)))
    if suffix not in TEXT_SUFFIXES + EXCEL_SUFFIXES:
        raise DataError(Problem("unsupported file type (use .csv or .xlsx)", str(path), None, None, path.suffix))
    check_input_file(path)
    return _read_xlsx(path, sheet, merged_rows) if suffix in EXCEL_SUFFIXES else _read_csv(path)


def header_and_body(grid: Grid, header_row: int = 1) -> tuple[list[str], list[list[str]], list[int]]:
    """Split a grid at its (1-based) header row: header names, body rows padded to the header width, their lines.

    Blank rows are dropped (their line numbers are kept for the others). Refused with the line named: a header
    row past the end, a column name given twice (a two-row header read as one?), a row with more non-empty
    cells than the header has columns (an unquoted comma inside a field, e.g. ``1,234`` or ``南京,江苏``).
    """
    file = grid.file
    idx = next((i for i, ln in enumerate(grid.lines) if ln >= header_row), None)
    if idx is None or not any(str(c).strip() for c in grid.rows[idx]):
        raise DataError(Problem("no header row (the file has no rows there)", file, header_row))
    header = [str(c).strip() for c in grid.rows[idx]]  # blank names stay: a merged header leaves them
    seen: dict[str, int] = {}
    problems = []
    for j, name in enumerate(header, start=1):
        if name and name in seen:
            problems.append(Problem(f"column name given twice (columns {seen[name]} and {j}): a two-row header? "
                                    "rename one, or declare the header levels in a mapping (header_levels: 2)",
                                    file, grid.lines[idx], name, name))
        seen.setdefault(name, j)
    width = len(header)
    body, lines = [], []
    for row, ln in zip(grid.rows[idx + 1:], grid.lines[idx + 1:]):
        cells = [str(c) for c in row]
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            n = max(j for j, c in enumerate(cells, start=1) if c.strip())
            problems.append(Problem(f"too many columns: {n} cells for a {width}-column header: an unquoted comma inside a field? "
                                    "(quote the field or remove the comma)", file, ln, None, ",".join(cells)))
            continue
        body.append((cells + [""] * width)[:width])
        lines.append(ln)
    if problems:
        raise DataError(problems)
    return header, body, lines
