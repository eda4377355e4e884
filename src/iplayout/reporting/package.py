"""Acceptance package: ``iplayout package RUN`` → zip; ``iplayout verify PACKAGE`` re-checks it.

The zip holds the rendered reports (HTML, PDF, executed notebooks), the index, any catalogue
workbook (``*.xlsx``), ``manifest.json``, the plan, ``sources.csv`` (data source list) and
``SHA256SUMS`` (``sha256sum -c`` format) over every other member. Members are written in sorted order
with a fixed timestamp, so packaging the same run twice gives the same bytes. Packaging a run of a
``publish: true`` plan enters it in ``reports/publications.jsonl`` with the zip's SHA-256
(:mod:`iplayout.programme.publications`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..fileio import atomic_path
from .manifest import MANIFEST, load_manifest

SUMS = "SHA256SUMS"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SUFFIXES = (".html", ".pdf", ".ipynb", ".xlsx")


def collect_files(run_dir: Path) -> list[Path]:
    """Run-folder files that belong in the package (reports, workbooks, manifest, plan), sorted."""
    keep = []
    for p in sorted(run_dir.rglob("*")):
        if not p.is_file() or p.name.startswith("."):  # dot-files are temporary files of a live run
            continue
        rel = p.relative_to(run_dir)
        if p.suffix in _SUFFIXES and (rel.parts[0] != "stages" or p.suffix == ".xlsx"):
            keep.append(p)
        elif rel.as_posix() in (MANIFEST, "plan.yaml"):
            keep.append(p)
    return keep


def sources_csv(manifest: dict[str, Any]) -> str:
    """The data source list: the database's ``sources`` table plus titles the reports declared."""
    cols = ["id", "title", "publisher", "url", "licence", "accessed", "is_demo", "used_by_reports"]
    used: dict[str, list[str]] = {}
    for job in manifest.get("jobs", []):
        for s in job.get("sources") or []:
            used.setdefault(s, []).append(job["job_id"])
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for row in manifest.get("sources", []):
        w.writerow({c: row.get(c, "") for c in cols[:-1]} | {"used_by_reports": ""})
    for title, jobs in sorted(used.items()):
        w.writerow({"title": title, "used_by_reports": " ".join(sorted(set(jobs)))})
    return buf.getvalue()


def _info(name: str) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    return zi


def build_package(run_dir: str | Path, output: str | Path | None = None, *, allow_failed: bool = False) -> Path:
    """Write the acceptance zip of a finished run and return its path."""
    run_dir = Path(run_dir).resolve()
    manifest = load_manifest(run_dir)
    if not manifest:
        raise SpecError(f"{run_dir}: no {MANIFEST}; not a finished run folder")
    if manifest.get("finished") is None:
        raise SpecError(f"{run_dir}: the run has not finished (manifest has no 'finished' time)")
    failed = [j["job_id"] for j in manifest.get("jobs", []) if j.get("status") == "failed"]
    if failed and not allow_failed:
        raise SpecError(f"{run_dir}: {len(failed)} report(s) failed ({', '.join(failed[:5])}); fix and "
                        "`iplayout run --resume` first")
    out = Path(output) if output else run_dir.parent / f"{run_dir.name}-acceptance.zip"
    prefix = run_dir.name
    members: list[tuple[str, bytes]] = [(p.relative_to(run_dir).as_posix(), p.read_bytes())
                                        for p in collect_files(run_dir)]
    members.append(("sources.csv", sources_csv(manifest).encode("utf-8")))
    members.sort()
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in members)
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for name, data in members:
            zf.writestr(_info(f"{prefix}/{name}"), data)
        zf.writestr(_info(f"{prefix}/{SUMS}"), sums.encode("utf-8"))
    if (manifest.get("plan", {}).get("content") or {}).get("publish"):
        from ..programme.publications import record_publication  # noqa: PLC0415

        record_publication(run_dir.parent, manifest, out)  # a published release: log date, scope, checksum
    return out


def verify_package(path: str | Path) -> list[str]:
    """Re-check a package; returns a list of problems (empty when the package is intact)."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        return [f"{path}: not a zip file ({exc})"]
    with zf:
        names = zf.namelist()
        sums_names = [n for n in names if n.endswith("/" + SUMS) or n == SUMS]
        if len(sums_names) != 1:
            return [f"{path}: expected exactly one {SUMS}, found {len(sums_names)}"]
        prefix = sums_names[0][: -len(SUMS)]
        bad_crc = zf.testzip()
        if bad_crc:
            problems.append(f"{bad_crc}: zip CRC mismatch (damaged member)")
        listed: dict[str, str] = {}
        for i, line in enumerate(zf.read(sums_names[0]).decode("utf-8").splitlines(), start=1):
            digest, sep, name = line.partition("  ")
            if not sep or len(digest) != 64:
                problems.append(f"{SUMS} line {i}: malformed ({line!r})")
                continue
            listed[prefix + name] = digest
        for name, digest in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name}: listed in {SUMS} but missing from the package")
            elif hashlib.sha256(zf.read(name)).hexdigest() != digest:
                problems.append(f"{name}: SHA-256 mismatch (file changed after packaging)")
        for name in names:
            if name not in listed and name != sums_names[0] and not name.endswith("/"):
                problems.append(f"{name}: not listed in {SUMS} (file added after packaging)")
    return problems
