"""The IPC rewrite used for a file the check pass found clean gives what the checked rewrite gives."""
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
        assert con.execute("SELECT ipc_norm(?), ipc_rewrite(?)", [y, y]).fetchone() == (want, want)
    # the checked rewrite refuses what is not a symbol (NULL → a bad row), so the unchecked one never sees it
    assert con.execute("SELECT ipc_norm('H4N'), ipc_norm('H04N21'), ipc_norm(NULL), ipc_rewrite(NULL)").fetchone() == (
        None, None, None, None)
