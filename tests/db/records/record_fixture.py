"""A hand-made set of ten patent records (and a few trademarks / copyrights) for the industry-layer tests.

Expected values in the tests are computed by hand from these rows with the bundled concordances:
H04L→TF04, G06F→TF06, A61K 31→TF16, C12N→TF15, F21V→TF01, H01M→TF01, B60L→TF32, H10K→TF08 (project
addition), G06T→TF06, A61P→TF16; SEI proposal: H04L/G06F/H10→SEI01, A61K/C12N/A61P→SEI04, H01M→½ SEI05 + ½ SEI06,
B60L→SEI05, G06T→½ SEI01 + ½ SEI08, F21V→none.
"""
from __future__ import annotations

import datetime as dt

IMPORT_ID = "rec-aaaaaaaaaaaa"
D = dt.date

PATENT_COLUMNS = ("record_id", "region_code", "province_code", "placement", "patent_type", "application_year",
                  "application_date", "ipc", "ipc_main", "legal_status", "family_size", "family_offices", "office",
                  "applicants", "export_industry")
PATENTS = [
    ("CN1A", "320100", "320000", "field", "invention_grant", 2016, D(2005, 3, 1), ["H04L  29/06", "G06F   3/00"],
     "H04L  29/06", "有效", 3, ["CN", "US"], "CN", ["甲公司", "乙大学"], "新一代信息技术产业"),
    ("CN2A", "320100", "320000", "field", "invention_application", 2016, D(2016, 5, 1), ["A61K  31/00", "C12N  15/09"],
     "A61K  31/00", "审中", 1, None, "CN", ["甲公司"], "生物产业"),
    ("CN3U", "320100", "320000", "field", "utility_model", 2016, D(2016, 6, 1), ["F21V  29/00"], "F21V  29/00",
     "有效", 1, None, "CN", ["丙厂"], None),
    ("CN4B", "320100", "320000", "field", "invention_grant", 2016, D(2016, 7, 1), ["H01M  10/05", "B60L  50/00"],
     "B60L  50/00", "失效", 1, None, "CN", ["甲公司", "丁公司"], "新能源汽车产业"),
    ("CN5S", "320500", "320000", "field", "design", 2016, D(2016, 8, 1), [], None, "有效", 1, None, "CN", ["戊公司"], None),
    ("CN6B", "320500", "320000", "field", "invention_grant", 2016, D(2015, 1, 1), ["H10K  50/00"], "H10K  50/00",
     "有效", 1, None, "CN", ["戊公司", "甲公司"], None),
    ("CN7A", "320500", "320000", "field", "invention_application", 2017, D(2017, 2, 1), ["G06T   7/00"],
     "G06T   7/00", "审中", 1, None, "CN", ["己公司"], "数字创意产业"),
    ("CN8B", "110000", "110000", "address", "invention_grant", 2016, D(2016, 1, 1), ["A61P  35/00"], "A61P  35/00",
     "有效", 2, ["CN", "EP"], "CN", ["庚公司"], "生物产业"),
    ("CN9B", None, None, "unplaced", "invention_grant", 2016, D(2016, 1, 1), ["G06F   3/00"], None, "有效", 1, None,
     "CN", ["某人"], None),
    ("US1B", None, None, "non_cn_office", "invention_grant", 2016, D(2016, 1, 1), ["G06F   3/00"], None, None, 1,
     None, "US", ["Foo Inc."], None),
]


def insert_records(con, patents=PATENTS, *, is_demo: bool = False, trademarks: bool = True) -> None:
    """Insert the fixture (one record import, its source row) into an open connection with the record tables."""
    con.execute("INSERT INTO sources VALUES (?, ?, '', '', '', '', '', ?) ON CONFLICT DO NOTHING",
                [f"import:{IMPORT_ID}", "fixture export", is_demo])
    con.execute("INSERT INTO record_imports VALUES (?, 'patent', 'patsnap', 'fixture.csv', 'x', '2026-12-01', 10, 10, 0, ?, ?)",
                [IMPORT_ID, is_demo, f"import:{IMPORT_ID}"])
    cols = ", ".join(PATENT_COLUMNS)
    marks = ", ".join("?" * len(PATENT_COLUMNS))
    for row in patents:
        con.execute(f"INSERT INTO patent_records ({cols}, import_id, is_demo, applicant_count) VALUES ({marks}, ?, ?, ?)",
                    [*row, IMPORT_ID, is_demo, len(row[13])])
    con.execute("UPDATE patent_records SET publication_date = DATE '2018-05-01' WHERE record_id = 'CN1A'")
    if trademarks:
        con.execute("""INSERT INTO trademark_records (record_id, import_id, nice_classes, applicants, application_year,
            registration_date, region_code, province_code, placement, is_demo) VALUES
            ('T1', ?, [9, 42], ['甲公司'], 2016, DATE '2017-01-01', '320100', '320000', 'address', ?),
            ('T2', ?, [35], ['乙公司'], 2016, NULL, '320100', '320000', 'address', ?)""", [IMPORT_ID, is_demo] * 2)
        con.execute("""INSERT INTO copyright_records (record_id, import_id, work_kind, owners, year, region_code,
            province_code, placement, is_demo) VALUES
            ('C1', ?, 'software', ['甲公司'], 2016, '320100', '320000', 'address', ?),
            ('C2', ?, 'work', ['乙'], 2016, '320100', '320000', 'address', ?),
            ('C3', ?, 'software', ['丙'], 2016, '320500', '320000', 'address', ?)""", [IMPORT_ID, is_demo] * 3)
