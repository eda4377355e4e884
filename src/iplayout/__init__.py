"""iplayout — IP regional-layout programme: integrated database, evaluation and report sets."""
from ._version import __version__


def open_db(path=None, **kwargs):
    """Open the integrated database (see :func:`iplayout.db.api.open_db`)."""
    from .db.api import open_db as _open_db

    return _open_db(path, **kwargs)


__all__ = ["__version__", "open_db"]
