"""The integrated database: bundled data packages → ``iplayout db build`` → one DuckDB file.

This package is the only writer of the database. Readers use :func:`iplayout.db.api.open_db`.
"""
from .api import IPDatabase, open_db

__all__ = ["IPDatabase", "open_db"]
