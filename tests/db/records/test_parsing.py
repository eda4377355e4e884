"""The IPC macros of the three parse passes agree: the check pass's test, the stored parse's checked rewrite and
the unchecked rewrite of a file found clean."""
from __future__ import annotations

import duckdb

from iplayout.db.records.parsing import IPC_MACRO

# symbol (upper-cased, spaces removed, as the parse hands it over) → PATSTAT spacing, worked out by hand
CASES = {"H04N21/00": "H04N  21/00", "A61K31/00": "A61K  31/00", "A61K0031/00": "A61K  31/00", "F21H": "F21H",
         "G06F3/0481": "G06F   3/0481", "C12N15/113": "C12N  15/113", "B01D2257/504": "B01D2257/504",
         "H01L21/67": "H01L  21/67"}


def test_unchecked_rewrite_equals_checked_rewrite_on_valid_symbols():
    con = duckdb.connect()
    con.execute(IPC_MACRO)
    for y, want in CASES.items():
        assert con.execute("SELECT ipc_norm(?), ipc_rewrite(?), ipc_valid(?)", [y, y, y]).fetchone() == (want, want, y)
    # the checked rewrite refuses what is not a symbol (NULL → a bad row), so the unchecked one never sees it
    # the check pass's ipc_valid is NULL for exactly those
    for bad in ("H4N", "H04N21", "H04N0/00", "I01B1/00", "H04N21/1234567", "H04N12345/00", "H04", ""):
        assert con.execute("SELECT ipc_norm(?), ipc_valid(?)", [bad, bad]).fetchone() == (None, None), bad
    assert con.execute("SELECT ipc_norm(NULL), ipc_rewrite(NULL), ipc_valid(NULL)").fetchone() == (None, None, None)


def test_check_macro_refuses_exactly_what_the_checked_rewrite_refuses():
    con = duckdb.connect()
    con.execute(IPC_MACRO)
    parts = [["A", "H", "I", "h"], ["0", "04", "12", "1"], ["N", "n", "", "1"], ["", "0", "21", "00021", "12345", "0000"],
             ["/", "", "//"], ["00", "0481", "1234567", "", "x"]]
    # nested unnests in one SELECT would zip, so cross-join one list per part
    froms = ", ".join(f"(SELECT unnest({p!r}::VARCHAR[]) AS p{i})" for i, p in enumerate(parts))
    y = " || ".join(f"p{i}" for i in range(len(parts)))
    n, differ, valid = con.execute(f"SELECT count(*), count(*) FILTER (WHERE (ipc_norm(y) IS NULL) <> (ipc_valid(y) IS NULL)),"
                                   f" count(ipc_norm(y)) FROM (SELECT {y} AS y FROM {froms})").fetchone()
    # valid: {A, H} × {04, 12} × N, alone (4) or with group 21 or 00021, "/" and 00 or 0481 (16)
    assert (n, differ, valid) == (4 * 4 * 4 * 6 * 3 * 5, 0, 20)
