"""File names of reports in a run folder: one rule, used by the runner and by reports that link to each other.

A report of notebook ``04_regions/region.ipynb`` for region ``320100`` is ``04_regions/region-320100``
(+ ``.html``/``.pdf``); every component that comes from a plan or the data passes :func:`safe_component`.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(text: str, *, max_len: int = 80) -> str:
    """Return a file-name component made only of ``[A-Za-z0-9._-]``.

    Anything else (slashes, spaces, Chinese, ``..``) is replaced; when the text changed, a short hash
    of the original is appended so two different inputs never collapse to the same name.
    """
    cleaned = _UNSAFE.sub("_", text).strip("._-") or "x"
    cleaned = cleaned[:max_len]
    if cleaned != text:
        cleaned = f"{cleaned}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return cleaned


def report_stem(notebook: str, codes=()) -> str:
    """Output stem (relative to the run folder, posix, no suffix) of ``notebook`` run for ``codes``.

    ``report_stem("01_survey/region.ipynb", ["320100"])`` → ``"01_survey/region-320100"``.
    """
    nb_stem = notebook.removesuffix(".ipynb")
    suffix = "-".join(safe_component(str(v)) for v in codes)
    parts = [safe_component(p) for p in PurePosixPath(nb_stem).parts]
    return "/".join(parts[:-1] + [parts[-1] + (f"-{suffix}" if suffix else "")])
