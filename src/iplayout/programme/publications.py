"""Publication log: every packaged release of a published report set, with its package checksum.

The work plan asks for a standing mechanism that regularly publishes regional and industry layout
reports (建立常态化资源分析和产业知识产权区域布局发布机制). A run plan marked ``publish: true`` is a
release: when ``iplayout package`` builds its acceptance zip, one record goes to
``<reports>/publications.jsonl`` — date, scope (territory, years, report count, sections), the
package file and its SHA-256 — so each periodic release can be audited against the file that was
handed out (``sha256sum`` of the zip must equal the logged value). Packaging the same run again gives
the same bytes, so a repeated entry (same run and checksum) is not logged twice.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..fileio import sha256_file as _sha256
from .logbook import append_record, read_records

PUBLICATION_LOG = "publications.jsonl"


def run_scope(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a release covers: territories, years, number of reports and the index sections."""
    jobs = manifest.get("jobs") or []
    labels: dict[str, str] = {}
    for j in jobs:
        labels.update({k: v for k, v in (j.get("labels") or {}).items() if v})
    territories = sorted({j["territory"] for j in jobs if j.get("territory")})
    return {"territories": territories, "territory_names": [labels.get(t, t) for t in territories],
            "years": sorted({j["year"] for j in jobs if j.get("year") is not None}),
            "reports": len(jobs), "groups": list(dict.fromkeys(j.get("group") or "" for j in jobs))}


def record_publication(reports_root: str | Path, manifest: dict[str, Any], package: str | Path, *,
                       when: dt.datetime | None = None) -> dict[str, Any] | None:
    """Log a packaged release of a ``publish: true`` run; returns the record (None when already logged)."""
    reports_root, package = Path(reports_root), Path(package).resolve()
    digest = _sha256(package)
    for old in read_records(reports_root / PUBLICATION_LOG):
        if old.get("run_id") == manifest.get("run_id") and old.get("sha256") == digest:
            return None
    try:
        where = package.relative_to(reports_root.resolve()).as_posix()
    except ValueError:
        where = str(package)
    plan = manifest.get("plan") or {}
    rec = {"run_id": manifest["run_id"], "plan": plan.get("name", ""), "title": plan.get("title", ""),
           "published": (when or dt.datetime.now()).isoformat(timespec="seconds"),
           "as_of": (manifest.get("programme") or {}).get("as_of"), "scope": run_scope(manifest),
           "package": where, "sha256": digest, "bytes": package.stat().st_size}
    append_record(reports_root / PUBLICATION_LOG, rec)
    return rec


def load_publications(reports_root: str | Path) -> list[dict[str, Any]]:
    """Every logged release, oldest first, each with ``verified``: the package file still has the logged checksum."""
    reports_root = Path(reports_root)
    out = []
    for rec in read_records(reports_root / PUBLICATION_LOG):
        p = Path(str(rec.get("package", "")))
        p = p if p.is_absolute() else reports_root / p
        rec["verified"] = "一致" if p.is_file() and _sha256(p) == rec.get("sha256") else (
            "文件缺失" if not p.is_file() else "校验值不符")
        out.append(rec)
    return sorted(out, key=lambda r: str(r.get("published")))
