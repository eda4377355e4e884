"""Staged text cells → typed record fields and, per row, the reason it is bad (DuckDB SQL, one pass).

Every cell is trimmed and a missing token (``-``) or blank is NULL; multi-value cells are split on the
mapping's separator (`` | ``); dates try the mapping's formats; IPC symbols are rewritten in PATSTAT spacing
(``H04N21/00`` → ``H04N  21/00``, subclass ``F21H`` kept); types and offices go through the value maps.
A row is **bad** when it has no record id, no year, or a cell that does not parse; its ``reason`` names the
column (as the file's header has it) and the value. Nothing here writes the database.
"""
from __future__ import annotations

from .mappings import CANONICAL_VALUES, FIELDS, ID_FIELDS, YEAR_FIELDS, RecordMapping

# ``y`` is a symbol upper-cased without spaces (computed once, before the macro); a subclass has 4 characters,
# a group symbol at least 7, so one regular expression decides each symbol. ``ipc_valid`` is NULL exactly when
# ``ipc_norm`` is (one expression for both lengths) but does not rewrite: the check pass only counts bad symbols.
# ``ipc_rewrite`` is the rewrite without the check, for a file the check pass found clean: the same result
IPC_MACRO = r"""CREATE OR REPLACE TEMP MACRO ipc_norm(y) AS (
    CASE WHEN len(y) = 4 THEN CASE WHEN regexp_full_match(y, '[A-H][0-9]{2}[A-Z]') THEN y END
         WHEN regexp_full_match(y, '[A-H][0-9]{2}[A-Z]0*[1-9][0-9]{0,3}/[0-9]{1,6}') THEN
              left(y, 4) || lpad(ltrim(split_part(substr(y, 5), '/', 1), '0'), 4, ' ') || '/' || split_part(y, '/', 2)
    END);
    CREATE OR REPLACE TEMP MACRO ipc_valid(y) AS (
    CASE WHEN regexp_full_match(y, '[A-H][0-9]{2}[A-Z](0*[1-9][0-9]{0,3}/[0-9]{1,6})?') THEN y END);
    CREATE OR REPLACE TEMP MACRO ipc_rewrite(y) AS (
    CASE WHEN len(y) = 4 THEN y
         ELSE left(y, 4) || lpad(ltrim(substr(y, 5, strpos(y, '/') - 5), '0'), 4, ' ') || substr(y, strpos(y, '/'))
    END)"""


def q(text: str) -> str:
    """SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def _clean(col: str, missing: list[str]) -> str:
    tokens = ", ".join(q(m) for m in missing if m != "") or "''"
    return f"CASE WHEN trim({col}) = '' OR trim({col}) IN ({tokens}) THEN NULL ELSE trim({col}) END"


def _items(f: str, mapping: RecordMapping) -> str:
    """``f`` split on the separator, items trimmed, blank and missing items dropped."""
    tokens = "[" + ", ".join(q(m) for m in mapping.missing) + "]"
    return (f"list_filter(list_transform(string_split({f}, {q(mapping.separator)}), lambda x: trim(x)), "
            f"lambda x: x <> '' AND NOT list_contains({tokens}, x))")


def _split(f: str, mapping: RecordMapping) -> str:
    """:func:`_items` of ``f``, a cleaned cell (trimmed, NULL when missing). A cell without the separator — most
    of them — is the one-item list ``[f]`` without the list lambdas: the same result, far cheaper."""
    return f"CASE WHEN NOT contains({f}, {q(mapping.separator)}) THEN [{f}] ELSE {_items(f, mapping)} END"


def _ipc_split(f: str, upper: str, mapping: RecordMapping, norm: str = "ipc_norm") -> str:
    """IPC symbols of cell ``f`` rewritten (NULL for one that is not a symbol); ``upper`` is the cell upper-cased
    without spaces, computed once before. ``ipc_norm``'s argument appears several times in the macro and DuckDB
    does not share expressions inside a lambda, so the items are upper-cased by one lambda and rewritten by a
    second."""
    multi = (f"list_transform(list_transform({_items(f, mapping)}, lambda x: upper(replace(x, ' ', ''))), "
             f"lambda y: {norm}(y))")
    return f"CASE WHEN NOT contains({f}, {q(mapping.separator)}) THEN [{norm}({upper})] ELSE {multi} END"


def _value_map(f: str, field: str, mapping: RecordMapping) -> str:
    pairs = dict(mapping.values.get(field, {}))
    for code in CANONICAL_VALUES.get(field, ()):
        pairs.setdefault(code, code)
    whens = " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in pairs.items())
    if field == "office":  # a two-letter office code passes as it is
        return f"CASE {f} {whens} ELSE CASE WHEN regexp_full_match({f}, '[A-Z]{{2}}') THEN {f} END END"
    return f"CASE {f} {whens} END" if whens else "NULL"


def build_parse_sql(mapping: RecordMapping, columns: dict[str, int], header: list[str], *, has_line: bool,
                    src: str = "_raw_scan", out: str = "_parsed") -> str:
    """SQL creating view ``out``: ``ord, [line,] record_id, year, v_<field> …, reason, bad_column, bad_value``.

    The rows are parsed straight from the scan ``src`` (no row numbers: a window would run single-threaded) into
    table ``<out>_rows`` in file order (``preserve_insertion_order``); ``ord`` — the data row's number from 1 — is
    that table's ``rowid + 1``.
    """
    select = parse_select(mapping, columns, header, has_line=has_line, src=src)
    return f"""CREATE OR REPLACE TEMP TABLE {out}_rows AS {select};
        CREATE OR REPLACE TEMP VIEW {out} AS SELECT rowid + 1 AS ord, * FROM {out}_rows"""


def parse_select(mapping: RecordMapping, columns: dict[str, int], header: list[str], *, has_line: bool,
                 src: str = "_raw_scan", checks: bool = True, ipc: str | None = None, bad_flag: bool = False) -> str:
    """The parse as one ``SELECT`` over ``src``: ``[line,] record_id, year, v_<field> …`` and, with ``checks``,
    ``reason, bad_column, bad_value``. Without them (a file already checked clean) the typed values cost less:
    the check flags, which read most cells a second time, are left out. ``ipc``: the macro that rewrites each IPC
    symbol (default ``ipc_norm``, checked; ``ipc_rewrite`` without checks; ``ipc_valid`` for a pass that only
    counts bad rows). ``bad_flag``: with ``checks``, one boolean ``bad`` (the row has a reason) instead of ``reason,
    bad_column, bad_value`` — the one-pass write only needs to know that a row is bad, not why."""
    kind, with_checks = mapping.kind, checks
    norm = ipc or ("ipc_norm" if checks else "ipc_rewrite")  # without checks every symbol is known to be valid
    fields = FIELDS[kind]
    name = {f: header[j] for f, j in columns.items()}
    label = lambda f: name.get(f) or mapping.columns.get(f, [f])[0]  # noqa: E731
    cells = [f"{_clean(f'c{j}', mapping.missing)} AS f_{f}" for f, j in columns.items()]
    # checks: (condition, column label, value sql, message); a condition reads the typed value v_<field> of the CTE
    # before it rather than repeating its expression (DuckDB does not share expressions across CTEs: the IPC
    # rewrite, dates and casts would be computed twice)
    sel, checks, defaults = [], [], []
    for f, typ in fields.items():
        raw = f"f_{f}" if f in columns else "NULL"
        if typ in ("text", "id"):
            expr = f"upper(replace({raw}, ' ', ''))" if typ == "id" else raw
        elif typ == "int":
            expr = f"TRY_CAST({raw} AS BIGINT)"
            checks.append((f"{raw} IS NOT NULL AND v_{f} IS NULL", label(f), raw, "not a whole number"))
        elif typ == "year":
            expr = f"TRY_CAST({raw} AS INTEGER)"
            checks.append((f"{raw} IS NOT NULL AND (v_{f} IS NULL OR v_{f} NOT BETWEEN 1900 AND 2100)", label(f),
                           raw, "unparsable year"))
        elif typ == "date":
            fmts = "[" + ", ".join(q(x) for x in mapping.date_formats) + "]"
            expr = f"CAST(try_strptime({raw}, {fmts}) AS DATE)"
            checks.append((f"{raw} IS NOT NULL AND v_{f} IS NULL", label(f), raw,
                           f"unparsable date (formats {', '.join(mapping.date_formats[:4])} …)"))
        elif typ == "list":
            expr = _split(raw, mapping) if f in columns else "CAST(NULL AS VARCHAR[])"  # NULL: cell missing
        elif typ == "ipc_list":
            expr = (f"coalesce({_ipc_split(raw, f'u_{f}', mapping, norm)}, [])" if f in columns
                    else "CAST([] AS VARCHAR[])")
            checks.append((f"list_contains(list_transform(v_{f}, lambda x: x IS NULL), true)", label(f), raw,
                           "unparsable IPC code (e.g. H04N21/00, A61K 31/00, F21H)"))
        elif typ == "ipc":
            expr = f"{norm}(u_{f})" if f in columns else "CAST(NULL AS VARCHAR)"
            checks.append((f"{raw} IS NOT NULL AND v_{f} IS NULL", label(f), raw, "unparsable IPC code"))
        elif typ == "nice_list":
            expr = f"list_transform(coalesce({_split(raw, mapping)}, []), lambda x: TRY_CAST(x AS INTEGER))"
            checks.append((f"list_contains(list_transform(v_{f}, lambda x: x IS NULL OR x NOT BETWEEN 1 AND 45), true)",
                           label(f), raw, "Nice class must be a number 1–45"))
            checks.append((f"len(v_{f}) = 0", label(f), raw, "missing Nice class (国际分类)"))
        elif typ == "office":  # the default office replaces a missing one at the end (defaults), so the check
            # reads the mapped value instead of mapping the cell a second time
            expr = _value_map(raw, f, mapping) if f in columns else q(mapping.default_office)
            checks.append((f"{raw} IS NOT NULL AND v_{f} IS NULL", label(f), raw,
                           "unknown office (add it to the mapping's values: office)"))
            defaults.append(f"coalesce(v_{f}, {q(mapping.default_office)}) AS v_{f}")
        elif typ == "mapped":
            expr = _value_map(raw, f, mapping)
            checks.append((f"{raw} IS NOT NULL AND v_{f} IS NULL", label(f), raw,
                           f"unknown {label(f)} (known: {', '.join(mapping.values.get(f, {}))})"))
            checks.append((f"{raw} IS NULL", label(f), "NULL", f"missing {label(f)}"))
        else:  # pragma: no cover - FIELDS and this switch are kept in step by test_mappings
            raise ValueError(typ)
        sel.append(f"{expr} AS v_{f}")
    ids = [f for f in ID_FIELDS[kind]]
    id_expr = "coalesce(" + ", ".join(f"v_{f}" for f in ids) + ")" if len(ids) > 1 else f"v_{ids[0]}"
    year_f, dates = YEAR_FIELDS[kind]
    year_expr = "coalesce(" + ", ".join([f"v_{year_f}"] + [f"year(v_{d})" for d in dates]) + ")"
    checks.insert(0, (f"{id_expr} IS NULL", label(ids[0]), "NULL",
                      "missing " + " and ".join(label(f) for f in ids)))
    checks.insert(1, (f"{year_expr} IS NULL AND v_{year_f} IS NULL AND "
                      + " AND ".join(f"f_{d} IS NULL" if d in columns else "true" for d in dates)
                      + (f" AND f_{year_f} IS NULL" if year_f in columns else ""),
                      label(year_f), "NULL", "missing " + " and ".join(label(x) for x in (year_f, *dates))))
    # each check is computed once (k0, k1 …); reason, column and value are read from those flags
    flags = ", ".join(f"({c}) AS k{i}" for i, (c, _, _, _) in enumerate(checks))
    reason = "NULLIF(concat_ws('; ', " + ", ".join(
        f"CASE WHEN k{i} THEN {q(col + ': ' + msg)} END" for i, (_, col, _, msg) in enumerate(checks)) + "), '')"
    bad_col = "CASE " + " ".join(f"WHEN k{i} THEN {q(col)}" for i, (_, col, _, _) in enumerate(checks)) + " END"
    bad_val = "CASE " + " ".join(f"WHEN k{i} THEN CAST({v} AS VARCHAR)" for i, (_, _, v, _) in enumerate(checks)) + " END"
    cells_sql = ", ".join(cells) if cells else "NULL AS f__none"
    ipc_cols = [f for f, typ in fields.items() if typ in ("ipc", "ipc_list") and f in columns]
    upper = "".join(f", upper(replace(f_{f}, ' ', '')) AS u_{f}" for f in ipc_cols)
    typed = ", ".join(sel)
    granted = ""
    if kind == "patent" and mapping.invention_granted_with_grant_date:
        granted = (", CASE WHEN v_patent_type = 'invention_application' AND v_grant_date IS NOT NULL "
                   "THEN 'invention_grant' ELSE v_patent_type END AS v_patent_type_final")
    flag_cols = [f"k{i}" for i in range(len(checks))] if with_checks else []
    checked = f", {reason} AS reason, {bad_col} AS bad_column, {bad_val} AS bad_value" if with_checks else ""
    if with_checks and bad_flag:  # NULL flags count as not bad, as in ``reason`` (concat_ws skips NULL)
        checked = ", coalesce(" + " OR ".join(f"k{i}" for i in range(len(checks))) + ", false) AS bad"
    return f"""
        WITH c AS (SELECT {'line, ' if has_line else ''}{cells_sql} FROM {src}),
             u AS (SELECT *{upper} FROM c),
             t AS (SELECT *, {typed} FROM u),
             k AS (SELECT *, {id_expr} AS record_id, {year_expr} AS year{', ' + flags if with_checks else ''} FROM t)
        SELECT * EXCLUDE ({", ".join(flag_cols + [f"f_{f}" for f in columns] + [f"u_{f}" for f in ipc_cols])})
               {"REPLACE (" + ", ".join(defaults) + ")" if defaults else ""}{checked}{granted}
        FROM k"""
