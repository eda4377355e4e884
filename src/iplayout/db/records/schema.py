"""DDL of the record-level tables (RECORDS.md contract; same ``TABLES``/``COLUMNS``/``ORDER`` shape as ``db.schema``).

``db build`` creates them empty and replays recorded record imports; ``iplayout db records import`` fills them.
All codes are VARCHAR, lists are ``VARCHAR[]`` (Nice classes ``INTEGER[]``), dates DATE (NULL when missing).
"""
from __future__ import annotations

TABLES: dict[str, str] = {
    "record_imports": """CREATE TABLE record_imports (
        import_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, source_format VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, imported_at VARCHAR NOT NULL,
        rows_read INTEGER NOT NULL, rows_imported INTEGER NOT NULL, rows_skipped INTEGER NOT NULL,
        is_demo BOOLEAN NOT NULL, source_id VARCHAR NOT NULL)""",
    "patent_records": """CREATE TABLE patent_records (
        record_id VARCHAR NOT NULL, import_id VARCHAR NOT NULL, office VARCHAR NOT NULL,
        patent_type VARCHAR NOT NULL, title VARCHAR, application_number VARCHAR, application_date DATE,
        application_year INTEGER NOT NULL, publication_date DATE, grant_date DATE,
        applicants VARCHAR[] NOT NULL, applicant_count INTEGER, inventors VARCHAR[],
        claims INTEGER, ipc VARCHAR[] NOT NULL, ipc_main VARCHAR, export_industry VARCHAR,
        cited_by INTEGER, legal_status VARCHAR, legal_events VARCHAR, family_size INTEGER,
        family_offices VARCHAR[], applicant_province_raw VARCHAR, applicant_city_raw VARCHAR,
        applicant_county_raw VARCHAR, address VARCHAR, applicant_country VARCHAR, region_code VARCHAR,
        province_code VARCHAR, placement VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL)""",
    "trademark_records": """CREATE TABLE trademark_records (
        record_id VARCHAR NOT NULL, import_id VARCHAR NOT NULL, nice_classes INTEGER[] NOT NULL,
        applicants VARCHAR[] NOT NULL, address VARCHAR, application_date DATE, application_year INTEGER NOT NULL,
        registration_date DATE, status VARCHAR, region_code VARCHAR, province_code VARCHAR,
        placement VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL)""",
    "copyright_records": """CREATE TABLE copyright_records (
        record_id VARCHAR NOT NULL, import_id VARCHAR NOT NULL, work_kind VARCHAR NOT NULL,
        category VARCHAR, owners VARCHAR[] NOT NULL, address VARCHAR, registration_date DATE, year INTEGER NOT NULL,
        region_code VARCHAR, province_code VARCHAR, placement VARCHAR NOT NULL, is_demo BOOLEAN NOT NULL)""",
    "plant_variety_records": """CREATE TABLE plant_variety_records (
        record_id VARCHAR NOT NULL, import_id VARCHAR NOT NULL, crop VARCHAR, variety_name VARCHAR,
        applicants VARCHAR[] NOT NULL, address VARCHAR, application_date DATE, application_year INTEGER NOT NULL,
        grant_date DATE, region_code VARCHAR, province_code VARCHAR, placement VARCHAR NOT NULL,
        is_demo BOOLEAN NOT NULL)""",
}

COLUMNS: dict[str, list[str]] = {
    "record_imports": ["import_id", "kind", "source_format", "file_name", "sha256", "imported_at", "rows_read",
                       "rows_imported", "rows_skipped", "is_demo", "source_id"],
    "patent_records": ["record_id", "import_id", "office", "patent_type", "title", "application_number",
                       "application_date", "application_year", "publication_date", "grant_date", "applicants",
                       "applicant_count", "inventors", "claims", "ipc", "ipc_main", "export_industry", "cited_by",
                       "legal_status", "legal_events", "family_size", "family_offices", "applicant_province_raw",
                       "applicant_city_raw", "applicant_county_raw", "address", "applicant_country", "region_code",
                       "province_code", "placement", "is_demo"],
    "trademark_records": ["record_id", "import_id", "nice_classes", "applicants", "address", "application_date",
                          "application_year", "registration_date", "status", "region_code", "province_code",
                          "placement", "is_demo"],
    "copyright_records": ["record_id", "import_id", "work_kind", "category", "owners", "address",
                          "registration_date", "year", "region_code", "province_code", "placement", "is_demo"],
    "plant_variety_records": ["record_id", "import_id", "crop", "variety_name", "applicants", "address",
                              "application_date", "application_year", "grant_date", "region_code", "province_code",
                              "placement", "is_demo"],
}

ORDER: dict[str, list[str]] = {
    "record_imports": ["import_id"], "patent_records": ["record_id"], "trademark_records": ["record_id"],
    "copyright_records": ["record_id"], "plant_variety_records": ["record_id"],
}

#: record kind → its table
KIND_TABLE: dict[str, str] = {"patent": "patent_records", "trademark": "trademark_records",
                              "copyright": "copyright_records", "plant_variety": "plant_variety_records"}
PLACEMENTS = ("field", "address", "foreign", "non_cn_office", "unplaced")
PATENT_TYPES = ("invention_application", "invention_grant", "utility_model", "design")


def create_record_tables(con) -> None:
    """Create the (empty) record tables in ``con`` (a build's fresh database)."""
    for ddl in TABLES.values():
        con.execute(ddl)


def has_record_tables(con) -> bool:
    """True when ``con``'s database has the record tables (a database built before issue 11 has not)."""
    n = con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'record_imports'").fetchone()[0]
    return bool(n)
