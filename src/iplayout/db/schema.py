"""DDL of the integrated database (docs/architecture.md, "Integrated database")."""
from __future__ import annotations

TABLES: dict[str, str] = {
    "regions": """CREATE TABLE regions (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, name_en VARCHAR NOT NULL, level VARCHAR NOT NULL,
        parent_code VARCHAR, region_group VARCHAR, in_sunan_demo_zone BOOLEAN NOT NULL, flags VARCHAR)""",
    "region_aliases": """CREATE TABLE region_aliases (
        alias VARCHAR PRIMARY KEY, code VARCHAR, action VARCHAR NOT NULL, reason VARCHAR NOT NULL)""",
    "indicators": """CREATE TABLE indicators (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, name_en VARCHAR NOT NULL, unit VARCHAR NOT NULL,
        subsystem VARCHAR, direction VARCHAR, kind VARCHAR NOT NULL, definition VARCHAR, source_table VARCHAR)""",
    "industries": """CREATE TABLE industries (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, name_en VARCHAR NOT NULL, classification VARCHAR, notes VARCHAR)""",
    "sources": """CREATE TABLE sources (
        id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, publisher VARCHAR, url VARCHAR, licence VARCHAR,
        accessed VARCHAR, notes VARCHAR, is_demo BOOLEAN NOT NULL)""",
    "observations": """CREATE TABLE observations (
        region_code VARCHAR NOT NULL, year INTEGER NOT NULL, indicator_code VARCHAR NOT NULL,
        industry_code VARCHAR NOT NULL, value DOUBLE NOT NULL, source_id VARCHAR NOT NULL,
        quality_flag VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL,
        PRIMARY KEY (region_code, year, indicator_code, industry_code))""",
    "packages": """CREATE TABLE packages (
        id VARCHAR PRIMARY KEY, title VARCHAR, title_en VARCHAR, publisher VARCHAR, original_source VARCHAR,
        licence VARCHAR, level VARCHAR, years VARCHAR, is_demo BOOLEAN, known_defects VARCHAR, attribution VARCHAR,
        sha256 VARCHAR)""",
    "build_info": "CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR)",
    # policy inventory (政策清单): written by db.policies (bundled example at build, user imports after)
    "policies": """CREATE TABLE policies (
        policy_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, doc_number VARCHAR, issuer VARCHAR NOT NULL,
        issued VARCHAR NOT NULL, level VARCHAR NOT NULL, instruments VARCHAR NOT NULL, industries VARCHAR NOT NULL,
        regions VARCHAR NOT NULL, status VARCHAR NOT NULL, ended VARCHAR, url VARCHAR, notes VARCHAR,
        is_example BOOLEAN NOT NULL, source_file VARCHAR)""",
}

COLUMNS: dict[str, list[str]] = {
    "regions": ["code", "name", "name_en", "level", "parent_code", "region_group", "in_sunan_demo_zone", "flags"],
    "region_aliases": ["alias", "code", "action", "reason"],
    "indicators": ["code", "name", "name_en", "unit", "subsystem", "direction", "kind", "definition", "source_table"],
    "industries": ["code", "name", "name_en", "classification", "notes"],
    "sources": ["id", "title", "publisher", "url", "licence", "accessed", "notes", "is_demo"],
    "observations": ["region_code", "year", "indicator_code", "industry_code", "value", "source_id", "quality_flag", "is_demo"],
    "packages": ["id", "title", "title_en", "publisher", "original_source", "licence", "level", "years", "is_demo",
                 "known_defects", "attribution", "sha256"],
    "build_info": ["key", "value"],
    "policies": ["policy_id", "title", "doc_number", "issuer", "issued", "level", "instruments", "industries",
                 "regions", "status", "ended", "url", "notes", "is_example", "source_file"],
}

# Sort keys that make every table's row order a function of its content (byte-stable dumps).
ORDER: dict[str, list[str]] = {
    "regions": ["code"], "region_aliases": ["alias"], "indicators": ["code"], "industries": ["code"],
    "sources": ["id"], "observations": ["region_code", "year", "indicator_code", "industry_code"],
    "packages": ["id"], "build_info": ["key"], "policies": ["issued", "policy_id"],
}


def create_all(con) -> None:
    for ddl in TABLES.values():
        con.execute(ddl)


def write_table(con, name: str, df) -> None:
    """Insert a DataFrame (columns in schema order, rows in canonical order) into table ``name``."""
    frame = df[COLUMNS[name]].sort_values(ORDER[name], kind="mergesort").reset_index(drop=True)
    con.register("_frame", frame)
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM _frame")
    finally:
        con.unregister("_frame")
