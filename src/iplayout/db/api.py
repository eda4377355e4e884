"""Read API of the integrated database for stages and notebooks: ``open_db(path) → IPDatabase``.

Connections are read-only so several report processes can read the same file at once. Derived
indicators are computed here from their definitions (never stored), see :class:`IPDatabase`.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..config import default_db_path
from ..errors import IplayoutError, ParameterError
from .records.read import RecordReads

TIDY_COLUMNS = ["region_code", "region_name", "year", "indicator_code", "industry_code", "value", "unit",
                "source_id", "is_demo", "quality_flag"]


#: DuckDB's file magic (bytes 8–11 of the main header)
DUCKDB_MAGIC = b"DUCK"


def check_duckdb_file(p: Path) -> None:
    """Refuse a path that is not an existing regular DuckDB file, naming what it is instead."""
    if not p.exists():
        raise IplayoutError(f"database not found: {p} — run `iplayout db build` first")
    if not p.is_file():
        raise IplayoutError(f"{p}: not a regular file, so not a DuckDB database")
    try:
        with open(p, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise IplayoutError(f"{p}: cannot read the database: {exc.strerror}") from None
    if head[8:12] != DUCKDB_MAGIC:
        raise IplayoutError(f"{p}: not a DuckDB database (no DuckDB file header) — give the file written by "
                            "`iplayout db build`")


def connect_db(path: str | Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to an integrated database file, with a clear error instead of DuckDB's traceback."""
    p = Path(path)
    check_duckdb_file(p)
    try:
        return duckdb.connect(str(p), read_only=read_only)
    except duckdb.Error as exc:
        raise IplayoutError(f"{p}: cannot open as a DuckDB database: {str(exc).splitlines()[0][:300]}") from None


def open_db(path: str | Path | None = None) -> "IPDatabase":
    """Open the integrated database read-only (default ``iplayout.config.default_db_path()``).

    Raises IplayoutError with the command to run when the file does not exist.
    """
    p = Path(path) if path else default_db_path()
    if not p.exists():
        raise IplayoutError(f"database not found: {p} — run `iplayout db build` first"
                            + (f" (or `iplayout db build --db {p}`)" if path else ""))
    return IPDatabase(p)


def _as_list(x) -> list | None:
    if x is None:
        return None
    if isinstance(x, (str, int, np.integer)):
        return [x]
    return list(x)


class IPDatabase(RecordReads):
    """One read-only connection to the integrated database."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.con = connect_db(self.path, read_only=True)

    # --- housekeeping -------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "IPDatabase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"IPDatabase({str(self.path)!r})"

    def _df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    # --- reference tables ---------------------------------------------------------------------
    def regions(self) -> pd.DataFrame:
        return self._df("SELECT * FROM regions ORDER BY code")

    def policies(self) -> pd.DataFrame:
        """The policy inventory (政策清单; ``db.policies``); empty in a database built before it existed."""
        from .schema import COLUMNS

        has = self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'policies'").fetchone()[0]
        if not has:
            return pd.DataFrame(columns=COLUMNS["policies"])
        return self._df("SELECT * FROM policies ORDER BY issued, policy_id")

    def indicators(self) -> pd.DataFrame:
        return self._df("SELECT * FROM indicators ORDER BY code")

    def industries(self) -> pd.DataFrame:
        return self._df("SELECT * FROM industries ORDER BY code")

    def sources(self) -> pd.DataFrame:
        return self._df("SELECT * FROM sources ORDER BY id")

    def source_records(self) -> list[dict]:
        """Rows of ``sources`` as plain Python values (None for NULL), ordered by id (run manifests)."""
        cur = self.con.execute("SELECT * FROM sources ORDER BY id")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def packages(self) -> pd.DataFrame:
        return self._df("SELECT * FROM packages ORDER BY id")

    def build_info(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT key, value FROM build_info ORDER BY key").fetchall())

    def region(self, code: str) -> dict:
        df = self._df("SELECT * FROM regions WHERE code = ?", [str(code)])
        if df.empty:
            raise ParameterError(f"unknown region code {code!r}")
        return df.iloc[0].to_dict()

    def members(self, territory: str) -> pd.DataFrame:
        """Direct children of ``territory`` ("100000" → 31 provinces, "320000" → 13 cities)."""
        df = self._df("SELECT * FROM regions WHERE parent_code = ? ORDER BY code", [str(territory)])
        if df.empty:
            self.region(territory)  # raises for an unknown code
        return df

    def unit(self, indicator: str) -> str:
        row = self.con.execute("SELECT unit FROM indicators WHERE code = ?", [indicator]).fetchone()
        if row is None:
            raise ParameterError(f"unknown indicator code {indicator!r}")
        return row[0]

    # --- facts --------------------------------------------------------------------------------
    def observations(self, indicators=None, regions=None, years=None, level=None, territory=None,
                     industries=("_T",), include_demo=True) -> pd.DataFrame:
        """Tidy facts: ``region_code, region_name, year, indicator_code, industry_code, value, unit,
        source_id, is_demo, quality_flag`` sorted by region, year, indicator, industry.

        ``industries=None`` returns every industry; ``territory`` keeps its member regions only.
        """
        where, params = [], []

        def isin(col, values):
            vals = _as_list(values)
            if vals is not None:
                where.append(f"{col} IN ({', '.join('?' * len(vals))})" if vals else "FALSE")
                params.extend(vals)

        isin("o.indicator_code", indicators)
        isin("o.region_code", [str(r) for r in _as_list(regions)] if regions is not None else None)
        isin("o.year", [int(y) for y in _as_list(years)] if years is not None else None)
        isin("r.level", level)
        isin("o.industry_code", industries)
        if territory is not None:
            self.region(territory)
            where.append("r.parent_code = ?")
            params.append(str(territory))
        if not include_demo:
            where.append("NOT o.is_demo")
        sql = ("SELECT o.region_code, r.name AS region_name, o.year, o.indicator_code, o.industry_code, o.value, "
               "i.unit, o.source_id, o.is_demo, o.quality_flag FROM observations o "
               "JOIN regions r ON r.code = o.region_code JOIN indicators i ON i.code = o.indicator_code"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY o.region_code, o.year, o.indicator_code, o.industry_code")
        df = self._df(sql, params)
        df["year"] = df["year"].astype("int64")
        return df[TIDY_COLUMNS]

    def panel(self, indicators, territory: str, years=None, industry: str = "_T") -> pd.DataFrame:
        """Wide frame indexed by ``(region_code, year)`` with one column per indicator (NaN where missing)."""
        inds = _as_list(indicators)
        obs = self.observations(indicators=inds, territory=territory, years=years, industries=[industry])
        wide = obs.pivot_table(index=["region_code", "year"], columns="indicator_code", values="value", aggfunc="first")
        wide = wide.reindex(columns=inds)
        wide.columns.name = None
        return wide

    def is_demo(self, territory: str, indicators=None) -> bool:
        """True if any value a report on ``territory`` uses (optionally for ``indicators``) is demo."""
        obs = self.observations(indicators=indicators, territory=territory, industries=None)
        return bool(obs["is_demo"].any())

    # --- derived indicators -------------------------------------------------------------------
    DERIVED = ("per_10k_pop", "per_100m_gdp", "share_of_territory", "cagr", "invention_share")

    def derive(self, name: str, *args, **kwargs) -> pd.DataFrame:
        """Derived indicator by name (one of ``DERIVED``), e.g. ``derive("per_10k_pop", "patent_grants", territory="320000")``."""
        if name not in self.DERIVED:
            raise ParameterError(f"unknown derived indicator {name!r}; choose from {self.DERIVED}")
        return getattr(self, name)(*args, **kwargs)

    def _ratio(self, num: str, den: str, scale: float, code: str, unit: str, *, territory=None, regions=None,
               years=None, industry="_T") -> pd.DataFrame:
        a = self.observations(indicators=[num], territory=territory, regions=regions, years=years, industries=[industry])
        b = self.observations(indicators=[den], territory=territory, regions=regions, years=years)
        m = a.merge(b[["region_code", "year", "value", "is_demo", "quality_flag", "source_id"]],
                    on=["region_code", "year"], suffixes=("", "_den"))
        return _derived_frame(m, ratio(m["value"], m["value_den"], scale), code, unit)

    def per_10k_pop(self, indicator: str, *, territory=None, regions=None, years=None, industry="_T") -> pd.DataFrame:
        """Indicator per 10,000 residents.

        Notes
        -----
        ``x_per_10k_pop = x / population`` with population in 万人 (10,000 persons, year-end resident),
        so no further scaling is needed (e.g. 每万人口发明专利拥有量 = valid_patents_invention / population).
        Rows where either factor is missing are dropped.

        References
        ----------
        国家知识产权局《知识产权统计指标解释》: 每万人口发明专利拥有量 uses year-end resident population.
        """
        return self._ratio(indicator, "population", 1.0, f"{indicator}_per_10k_pop", f"{self.unit(indicator)}/万人",
                           territory=territory, regions=regions, years=years, industry=industry)

    def per_100m_gdp(self, indicator: str, *, territory=None, regions=None, years=None, industry="_T") -> pd.DataFrame:
        """Indicator per 亿元 (100 million yuan) of GDP.

        Notes
        -----
        ``x_per_100m_gdp = x / gdp`` with gdp in 亿元 at current prices (first-published series).
        """
        return self._ratio(indicator, "gdp", 1.0, f"{indicator}_per_100m_gdp", f"{self.unit(indicator)}/亿元",
                           territory=territory, regions=regions, years=years, industry=industry)

    def invention_share(self, kind: str = "applications", *, territory=None, regions=None, years=None) -> pd.DataFrame:
        """Share of invention patents in all patents, in %.

        Notes
        -----
        ``invention_share = patent_<kind>_invention / patent_<kind> × 100`` for ``kind`` in
        applications, grants, valid (valid: ``valid_patents_invention / valid_patents``).
        """
        base = {"applications": "patent_applications", "grants": "patent_grants", "valid": "valid_patents"}
        if kind not in base:
            raise ParameterError(f"kind must be one of {sorted(base)}, got {kind!r}")
        return self._ratio(base[kind] + "_invention", base[kind], 100.0, f"invention_share_{kind}", "%",
                           territory=territory, regions=regions, years=years)

    def share_of_territory(self, indicator: str, territory: str, years=None, industry: str = "_T") -> pd.DataFrame:
        """Each member's share of the territory total, in %.

        Notes
        -----
        ``share_i,t = x_i,t / Σ_j x_j,t × 100`` over the territory's members j with a value in year t
        (the sum of members, not the published total of the parent, so shares add up to 100).
        """
        obs = self.observations(indicators=[indicator], territory=territory, years=years, industries=[industry])
        total = obs.groupby("year")["value"].transform("sum")
        obs = obs.assign(value_den=total, is_demo_den=False, quality_flag_den="", source_id_den="")
        return _derived_frame(obs, ratio(obs["value"], total, 100.0), f"{indicator}_share_of_territory", "%")

    def cagr(self, indicator: str, territory: str, end_year: int, n_years: int, industry: str = "_T") -> pd.DataFrame:
        """Compound annual growth rate over ``n_years`` ending in ``end_year``, in %.

        Notes
        -----
        ``CAGR = ((x_end / x_{end−n})^(1/n) − 1) × 100`` (geometric mean growth). NaN where either end
        is missing or the start value is not positive.
        """
        if n_years < 1:
            raise ParameterError(f"n_years must be ≥ 1, got {n_years}")
        start = end_year - n_years
        obs = self.observations(indicators=[indicator], territory=territory, years=[start, end_year], industries=[industry])
        a = obs[obs["year"] == end_year]
        b = obs[obs["year"] == start][["region_code", "value", "is_demo", "quality_flag", "source_id"]]
        m = a.merge(b, on="region_code", suffixes=("", "_den"))
        return _derived_frame(m, cagr_values(m["value_den"], m["value"], n_years), f"{indicator}_cagr_{n_years}y", "%")


def ratio(num: pd.Series, den: pd.Series, scale: float = 1.0) -> pd.Series:
    """``num / den × scale`` with NaN (not inf) where the denominator is 0 or missing."""
    den = den.where(den != 0)
    return num / den * scale


def cagr_values(start: pd.Series, end: pd.Series, n_years: int) -> pd.Series:
    """Vectorised ``((end / start)^(1/n) − 1) × 100``; NaN where ``start ≤ 0``."""
    s = start.where(start > 0)
    return (np.power(end / s, 1.0 / n_years) - 1.0) * 100.0


def _derived_frame(m: pd.DataFrame, values: pd.Series, code: str, unit: str) -> pd.DataFrame:
    out = pd.DataFrame({
        "region_code": m["region_code"], "region_name": m["region_name"], "year": m["year"].astype("int64"),
        "indicator_code": code, "industry_code": m["industry_code"], "value": values.astype("float64"), "unit": unit,
        "source_id": m["source_id"] + np.where(m["source_id_den"].ne(m["source_id"]) & m["source_id_den"].ne(""),
                                               " + " + m["source_id_den"], ""),
        "is_demo": m["is_demo"].astype(bool) | m["is_demo_den"].astype(bool),
        "quality_flag": [";".join(sorted({f for f in (a + ";" + b).split(";") if f}))
                         for a, b in zip(m["quality_flag"], m["quality_flag_den"])],
    })
    return out.sort_values(["region_code", "year"]).reset_index(drop=True)[TIDY_COLUMNS]

