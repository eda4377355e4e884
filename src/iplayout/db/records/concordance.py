"""Versioned IPC concordances: IPC symbol → technology field (TF01…TF35) or industry (SEI01…SEI09), with weights.

Table ``ipc_concordance(version, ipc_pattern, match, target_code, weight, source)`` and one row per version in
``concordance_versions(version, scheme, title, status, source_id, n_rows)``. ``scheme`` is ``field`` (targets
TF…) or ``industry`` (targets SEI…); ``status`` is ``official`` or ``proposal`` (本项目建议，非官方).

Matching (:func:`code_map_sql`): an IPC symbol in PATSTAT spacing (``H04N   3/00``) matches a ``prefix`` pattern
it starts with (``H04N   3`` = main group 3 of H04N, since groups are right-aligned in four positions) or an
``exact`` pattern equal to it; the **longest** matching pattern wins (the most specific rule), and a pattern
with several targets splits the symbol by their weights (which sum to 1 per pattern).

Bundled versions come from ``data/ipc_concordance`` (``versions.yaml``); more are imported with
``iplayout db concordance import FILE --version V`` (:mod:`.concordance_import`).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ...errors import DataError, Problem
from ...tablefile import header_and_body, read_grid
from ...yamlio import load_yaml

TABLES = {
    "ipc_concordance": """CREATE TABLE ipc_concordance (
        version VARCHAR NOT NULL, ipc_pattern VARCHAR NOT NULL, match VARCHAR NOT NULL, target_code VARCHAR NOT NULL,
        weight DOUBLE NOT NULL, source VARCHAR NOT NULL, PRIMARY KEY (version, ipc_pattern, match, target_code))""",
    "concordance_versions": """CREATE TABLE concordance_versions (
        version VARCHAR PRIMARY KEY, scheme VARCHAR NOT NULL, title VARCHAR NOT NULL, status VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL, n_rows INTEGER NOT NULL)""",
}
COLUMNS = ["ipc_pattern", "match", "target_code", "weight", "source"]
SCHEME_PREFIX = {"field": "TF", "industry": "SEI"}
PACKAGE = "ipc_concordance"
#: section + class (``H10``), subclass (``H04N``), main group (``H04N   3``), group with subgroup (``H04N   3/04``)
_PATTERN = re.compile(r"^[A-H]\d\d([A-Z](( {3}\d| {2}\d{2}| \d{3}|\d{4})(/\d{1,6})?)?)?$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_TOL = 1e-9


def create_concordance_tables(con) -> None:
    for ddl in TABLES.values():
        con.execute(ddl)


def has_concordance(con) -> bool:
    n = con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'ipc_concordance'").fetchall()[0][0]
    return bool(n)


def like_to_prefix(pattern: str) -> str:
    """A SQL LIKE pattern of the WIPO table (``H04N   3%``) → the prefix it stands for (``H04N   3``)."""
    return pattern[:-1] if pattern.endswith("%") else pattern


# --- validation -------------------------------------------------------------------------------
def check_rows(rows: pd.DataFrame, *, file: str, lines: list[int], known_targets: set[str]) -> tuple[pd.DataFrame, str]:
    """Validate concordance rows (columns :data:`COLUMNS`); return them typed and the scheme they belong to.

    Every problem is collected (pattern syntax, match kind, unknown target, weight outside (0, 1], weights of one
    pattern not summing to 1, a target of the other scheme, duplicates) and raised together as a DataError.
    """
    problems: list[Problem] = []
    out = rows.copy()
    out["ipc_pattern"] = out["ipc_pattern"].astype(str).map(like_to_prefix)
    weights = pd.to_numeric(out["weight"].replace("", "1"), errors="coerce")
    schemes = set()
    for i, (ln, r) in enumerate(zip(lines, out.itertuples(index=False))):
        if not _PATTERN.match(r.ipc_pattern):
            problems.append(Problem("not an IPC pattern in PATSTAT spacing (e.g. H04N, H04N   3, H04N   3/04)",
                                    file, ln, "ipc_pattern", r.ipc_pattern))
        if r.match not in ("exact", "prefix"):
            problems.append(Problem("match must be exact or prefix", file, ln, "match", r.match))
        if r.target_code not in known_targets:
            problems.append(Problem("target_code is not a registered field/industry (TF01…TF35, SEI01…SEI09)",
                                    file, ln, "target_code", r.target_code))
        else:
            schemes.update(s for s, p in SCHEME_PREFIX.items() if r.target_code.startswith(p))
        w = weights.iloc[i]
        if pd.isna(w) or not (0 < w <= 1):
            problems.append(Problem("weight must be a number in (0, 1]", file, ln, "weight", r.weight))
    if len(schemes) > 1:
        problems.append(Problem("one version maps to one scheme: technology fields (TF…) or industries (SEI…), "
                                "not both", file, None, "target_code", ",".join(sorted(schemes))))
    out["weight"] = weights
    key = ["ipc_pattern", "match", "target_code"]
    for ln, dup in zip(lines, out.duplicated(key)):
        if dup:
            problems.append(Problem("the same pattern and target given twice", file, ln, "ipc_pattern"))
    sums = out.groupby(["ipc_pattern", "match"])["weight"].transform("sum")
    for ln, s, p in zip(lines, sums, out["ipc_pattern"]):
        if pd.notna(s) and abs(s - 1) > 1e-6:
            problems.append(Problem(f"weights of one pattern must sum to 1 (they sum to {s:g})", file, ln, "weight", p))
    if problems:
        raise DataError(problems)
    return out[COLUMNS], (schemes.pop() if schemes else "field")


def read_concordance_file(path: Path | str, *, known_targets: set[str]) -> tuple[pd.DataFrame, str]:
    """A user's concordance (CSV/XLSX with ``ipc_pattern, match, target_code, weight[, source]``) → rows, scheme."""
    path = Path(path)
    header, body, lines = header_and_body(read_grid(path))
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise DataError(Problem(f"missing columns {missing} (need ipc_pattern, match, target_code, weight; "
                                "optional source)", str(path), 1))
    df = pd.DataFrame(body, columns=header)
    df = df.apply(lambda c: c.str.strip())
    if "source" not in df.columns:
        df["source"] = path.name
    df["source"] = df["source"].where(df["source"] != "", path.name)
    if df.empty:
        raise DataError(Problem("the concordance file has no rows", str(path)))
    return check_rows(df[COLUMNS], file=str(path), lines=lines, known_targets=known_targets)


# --- bundled versions --------------------------------------------------------------------------
def bundled_targets(data_dir: Path) -> pd.DataFrame:
    """TF01…TF35 as ``industries`` rows (code, name, name_en, classification, notes) from ``fields.csv``."""
    f = pd.read_csv(Path(data_dir) / PACKAGE / "fields.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({"code": f["code"], "name": f["name"], "name_en": f["name_en"],
                         "classification": "WIPO技术领域", "notes": "WIPO 35 fields, sector " + f["sector"]})


def read_bundled(data_dir: Path, known_targets: set[str]) -> list[tuple[str, dict, pd.DataFrame]]:
    """``(version, version meta, rows)`` for every version in ``data/ipc_concordance/versions.yaml``."""
    pdir = Path(data_dir) / PACKAGE
    fields = pd.read_csv(pdir / "fields.csv", dtype=str, keep_default_na=False)
    tf_of = dict(zip(fields["field_nr"], fields["code"]))
    out = []
    for version, meta in load_yaml(pdir / "versions.yaml").items():
        parts, lines = [], []
        for name in meta["files"]:
            raw = pd.read_csv(pdir / name, dtype=str, keep_default_na=False)
            if "field_nr" in raw.columns:  # the verbatim WIPO table: LIKE patterns → prefix rows
                raw = pd.DataFrame({"ipc_pattern": raw["ipc"], "match": "prefix",
                                    "target_code": raw["field_nr"].map(tf_of), "weight": "1",
                                    "source": "WIPO IPC–Technology Concordance (Schmoch 2008)"})
            parts.append(raw[COLUMNS])
            lines += list(range(2, len(raw) + 2))
        rows, scheme = check_rows(pd.concat(parts, ignore_index=True), file=str(pdir / ",".join(meta["files"])),
                                  lines=lines, known_targets=known_targets)
        if scheme != meta["scheme"]:
            raise DataError(Problem(f"version {version} declares scheme {meta['scheme']} but maps to {scheme}",
                                    str(pdir / "versions.yaml")))
        out.append((str(version), meta, rows))
    return out


def write_version(con, version: str, rows: pd.DataFrame, *, scheme: str, title: str, status: str,
                  source_id: str) -> None:
    """Replace ``version`` in the concordance tables of ``con`` by ``rows`` (inside the caller's transaction)."""
    con.execute("DELETE FROM ipc_concordance WHERE version = ?", [version])
    con.execute("DELETE FROM concordance_versions WHERE version = ?", [version])
    frame = rows.assign(version=version)[["version", *COLUMNS]].sort_values(["ipc_pattern", "match", "target_code"])
    con.register("_conc", frame)
    try:
        con.execute("INSERT INTO ipc_concordance SELECT * FROM _conc")
    finally:
        con.unregister("_conc")
    con.execute("INSERT INTO concordance_versions VALUES (?, ?, ?, ?, ?, ?)",
                [version, scheme, title, status, source_id, len(rows)])


def load_bundled(con, data_dir: Path) -> list[str]:
    """Create the concordance tables in a fresh build and load the bundled versions; returns their names."""
    create_concordance_tables(con)
    known = {r[0] for r in con.execute("SELECT code FROM industries").fetchall()}
    done = []
    for version, meta, rows in read_bundled(data_dir, known):
        write_version(con, version, rows, scheme=meta["scheme"], title=meta["title"], status=meta["status"],
                      source_id=PACKAGE)
        done.append(version)
    return done


def check_version_name(version: str) -> str:
    if not _VERSION.match(str(version)):
        raise DataError(Problem("a version name is 1–40 letters, digits, '.', '_' or '-'", None, None, "--version",
                                version))
    return str(version)


def versions(con) -> pd.DataFrame:
    """The concordance versions in ``con`` (empty frame in a database built before issue 11)."""
    if not has_concordance(con):
        return pd.DataFrame(columns=["version", "scheme", "title", "status", "source_id", "n_rows"])
    return con.execute("SELECT * FROM concordance_versions ORDER BY scheme, version").df()


# --- matching ----------------------------------------------------------------------------------
def code_map_sql(codes: str, version_param: str = "?") -> str:
    """SQL mapping the distinct IPC symbols of relation ``codes(code)`` through one version → ``(code, target_code, w)``.

    The join runs on the distinct symbols only (tens of thousands even for millions of records) and uses the
    first three characters as an equality key, so it stays a hash join; the longest matching pattern wins (an
    exact pattern before a prefix of the same length) and
    its targets' weights (summing to 1) are the symbol's shares.
    """
    return f"""
    WITH m AS (
        SELECT c.code, k.target_code, k.weight AS w,
               2 * length(k.ipc_pattern) + (k.match = 'exact')::INTEGER AS len
        FROM (SELECT DISTINCT code FROM {codes} WHERE code IS NOT NULL) c
        JOIN ipc_concordance k ON k.version = {version_param} AND left(c.code, 3) = left(k.ipc_pattern, 3)
         AND ((k.match = 'prefix' AND starts_with(c.code, k.ipc_pattern)) OR (k.match = 'exact' AND c.code = k.ipc_pattern))
    ), best AS (SELECT code, max(len) AS len FROM m GROUP BY code)
    SELECT m.code, m.target_code, m.w FROM m JOIN best USING (code, len)"""

