"""Read queries on the record tables for ``IPDatabase`` (db.api): what the survey stage needs beyond observations.

Counts per region × year × field / industry are observations (``rec_*``, :mod:`.aggregate`); these are the
record-level reads that cannot be pre-aggregated: applicants (concentration, top applicants), co-applicants
(links between cities) and the agreement of the export's own industry label with our SEI mapping.
Each returns a small frame (grouped in DuckDB), never the record table itself.
"""
from __future__ import annotations

import json

import pandas as pd

from .aggregate import load_counting_spec
from .applications import records_with_counting_flag
from .concordance import code_map_sql

_PATENT = "patent_records"
#: the records with their ``app_once`` flag (counts of applications count each application once)
_ONCE = records_with_counting_flag()


def has_records(con) -> bool:
    """True when the database holds placed patent records (a database built before issue 11 has none)."""
    n = con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = ?", [_PATENT]).fetchall()[0][0]
    if not n:
        return False
    return bool(con.execute(f"SELECT COUNT(*) FROM {_PATENT} WHERE region_code IS NOT NULL").fetchall()[0][0])


def _where(regions, years) -> tuple[str, list]:
    parts, params = ["region_code IS NOT NULL"], []
    if regions is not None:
        regions = [str(r) for r in regions]
        parts.append(f"(region_code IN ({', '.join('?' * len(regions))}) OR province_code IN "
                     f"({', '.join('?' * len(regions))}))" if regions else "FALSE")
        params += regions * 2 if regions else []
    if years is not None:
        years = [int(y) for y in years]
        parts.append(f"application_year IN ({', '.join('?' * len(years))})" if years else "FALSE")
        params += years
    return " AND ".join(parts), params


def _region_expr(regions) -> str:
    """The member region a record belongs to: its own code, or its province when the members are provinces."""
    if regions is None:
        return "region_code"
    return "CASE WHEN region_code IN ({0}) THEN region_code ELSE province_code END".format(
        ", ".join("'" + str(r).replace("'", "''") + "'" for r in regions) or "''")


def applicant_counts(con, regions=None, years=None) -> pd.DataFrame:
    """``region_code, applicant, patents``: applications (one per application, :mod:`.applications`; whole counting: a
    co-applied one counts for each applicant)."""
    where, params = _where(regions, years)
    sql = f"""SELECT {_region_expr(regions)} AS region_code, a AS applicant, count(*)::DOUBLE AS patents
        FROM (SELECT *, unnest(list_distinct(applicants)) AS a FROM {_ONCE} WHERE {where} AND app_once)
        WHERE a IS NOT NULL AND a <> '' GROUP BY ALL ORDER BY region_code, patents DESC, applicant"""
    return con.execute(sql, params).df()


def first_applicant_regions(con) -> pd.DataFrame:
    """``applicant, region_code, n``: where each applicant appears as a placed application's first applicant."""
    sql = f"""SELECT applicants[1] AS applicant, region_code, count(*) AS n FROM {_ONCE}
        WHERE app_once AND region_code IS NOT NULL AND len(applicants) > 0 GROUP BY ALL ORDER BY ALL"""
    return con.execute(sql).df()


def co_applied(con, regions=None, years=None) -> pd.DataFrame:
    """``record_id, applicants`` of the applications with at least two applicants (in the given regions and years;
    one record per application, so a granted invention's link is not counted twice)."""
    where, params = _where(regions, years)
    sql = f"""SELECT record_id, list_distinct(applicants) AS applicants FROM {_ONCE}
        WHERE {where} AND app_once AND len(list_distinct(applicants)) >= 2 ORDER BY record_id"""
    return con.execute(sql, params).df()


def export_label_pairs(con, regions=None, years=None, *, params_dir=None) -> pd.DataFrame:
    """``export_industry, top_sei, records``: the export's own label against our top SEI industry per record.

    Our top SEI is the industry with the largest fractional share of the record under the industry concordance in
    ``counting.yaml`` (ties → smallest code); ``top_sei`` is ``SEI_UNMAPPED`` when no symbol maps.
    """
    version = load_counting_spec(params_dir).concordance_version.industry
    where, params = _where(regions, years)
    lab = (f"(SELECT record_id, export_industry, ipc FROM {_PATENT} "
           f"WHERE {where} AND export_industry IS NOT NULL AND export_industry <> '')")
    quoted = "'" + version.replace("'", "''") + "'"
    sql = f"""WITH m AS ({code_map_sql(f"(SELECT unnest(ipc) AS code FROM {lab})", quoted)}),
        s AS (SELECT l.record_id, m.target_code, sum(m.w) AS w
              FROM (SELECT record_id, unnest(list_distinct(ipc)) AS code FROM {lab}) l JOIN m USING (code) GROUP BY ALL),
        top AS (SELECT record_id, first(target_code ORDER BY w DESC, target_code) AS top_sei FROM s GROUP BY record_id)
        SELECT l.export_industry, coalesce(t.top_sei, 'SEI_UNMAPPED') AS top_sei, count(*) AS records
        FROM {lab} l LEFT JOIN top t USING (record_id) GROUP BY ALL ORDER BY ALL"""
    return con.execute(sql, params * 3).df()  # lab's filters, once for each of its three uses


def aggregation_info(con) -> dict:
    """The ``record_aggregation`` row of ``build_info`` (basis, concordance versions, high-value criteria)."""
    rows = con.execute("SELECT value FROM build_info WHERE key = 'record_aggregation'").fetchall()
    return json.loads(rows[0][0]) if rows else {}


class RecordReads:
    """Record-level reads (issue 11) mixed into ``db.api.IPDatabase`` (uses its ``con`` and ``_df``)."""

    def has_records(self) -> bool:
        """True when patent records are imported and placed (record-based report sections appear)."""
        return has_records(self.con)

    def record_imports(self) -> pd.DataFrame:
        """The record imports (``record_imports``): file, kind, format, rows, demo flag, source id."""
        if not self.has_records():
            return pd.DataFrame(columns=["import_id", "kind", "source_format", "file_name", "rows_imported", "is_demo"])
        return self._df("SELECT * FROM record_imports ORDER BY import_id")

    def record_applicants(self, regions=None, years=None) -> pd.DataFrame:
        """``region_code, applicant, patents`` per member region (whole counting), placed patent records only."""
        return applicant_counts(self.con, regions, years)

    def record_first_applicants(self) -> pd.DataFrame:
        """``applicant, region_code, n``: the regions where each applicant is a record's first applicant."""
        return first_applicant_regions(self.con)

    def record_co_applied(self, regions=None, years=None) -> pd.DataFrame:
        """``record_id, applicants`` of the co-applied records (≥ 2 distinct applicants)."""
        return co_applied(self.con, regions, years)

    def record_export_labels(self, regions=None, years=None, params_dir=None) -> pd.DataFrame:
        """``export_industry, top_sei, records``: the export's own industry label against our top SEI industry."""
        return export_label_pairs(self.con, regions, years, params_dir=params_dir)

    def record_aggregation(self) -> dict:
        """How the ``rec_*`` observations were counted (basis, concordance versions, high-value criteria)."""
        return aggregation_info(self.con)
