"""Run evidence: a finished report set records itself on the programme tasks its plan delivers.

A run plan lists ``delivers: [task ids]``. When every report of the plan has been produced (status
``ok`` or ``reused``, none failed, none left out by ``--only``), the runner appends one record to
``<reports>/programme_evidence.jsonl``::

    {"run_id", "plan", "title", "tasks": [...], "as_of": "2016-12-31", "recorded": "2026-…",
     "run_dir": "<run-id>", "reports": 36}

``as_of`` is the date the report set speaks for (the plan's ``as_of``; the run date when the plan
has none): ``iplayout progress --as-of D`` counts a record only when ``as_of <= D``. A failed run
records nothing. On reading, a record whose run folder is gone, or whose manifest no longer shows
every report produced, is set aside as *stale* (listed, not counted): progress follows from the
reports that actually exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .logbook import append_record, read_records

EVIDENCE_LOG = "programme_evidence.jsonl"
PRODUCED = ("ok", "reused")


@dataclass
class RunEvidence:
    """One run recorded as evidence (``run_dir`` relative to the reports folder)."""

    run_id: str
    plan: str
    title: str
    tasks: list[str]
    as_of: dt.date
    recorded: str
    run_dir: str
    reports: int
    stale: str = ""          # why the record is not counted ("" when it is)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def index(self) -> str:
        return f"{self.run_dir}/index.html"


def run_delivers(manifest: dict[str, Any], n_planned: int) -> bool:
    """Whether a run's manifest shows the whole plan produced: ``n_planned`` reports, all ok or reused."""
    jobs = manifest.get("jobs") or []
    return bool(jobs) and len(jobs) == n_planned and all(j.get("status") in PRODUCED for j in jobs) \
        and manifest.get("finished") is not None


def record_run(reports_root: str | Path, manifest: dict[str, Any], *, tasks: list[str], as_of: dt.date | None,
               n_planned: int) -> dict[str, Any] | None:
    """Append the run to the evidence log when it delivered every report; return the record or None."""
    if not tasks or not run_delivers(manifest, n_planned):
        return None
    finished = str(manifest.get("finished"))
    rec = {
        "run_id": manifest["run_id"], "plan": manifest["plan"]["name"], "title": manifest["plan"].get("title", ""),
        "tasks": list(tasks), "as_of": (as_of or dt.date.fromisoformat(finished[:10])).isoformat(),
        "recorded": finished, "run_dir": manifest["run_id"], "reports": len(manifest.get("jobs") or []),
    }
    log = Path(reports_root) / EVIDENCE_LOG
    same = ("run_id", "tasks", "as_of", "reports")
    if any(all(old.get(k) == rec[k] for k in same) for old in read_records(log)):
        return rec  # e.g. `--resume` of a complete run: already on record
    append_record(log, rec)
    return rec


def _stale_reason(reports_root: Path, rec: dict[str, Any]) -> str:
    import json  # noqa: PLC0415

    run_dir = reports_root / str(rec.get("run_dir", ""))
    man = run_dir / "manifest.json"
    if not rec.get("run_dir") or "/" in str(rec["run_dir"]) or ".." in str(rec["run_dir"]) or not man.is_file():
        return "运行目录或其 manifest.json 不存在"
    try:
        manifest = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "manifest.json 无法读取"
    if manifest.get("run_id") != rec.get("run_id") or not run_delivers(manifest, int(rec.get("reports", -1))):
        return "运行目录中的报告已不完整"
    return ""


def load_run_evidence(reports_root: str | Path) -> list[RunEvidence]:
    """Records of the evidence log, last record per run id, each checked against its run folder."""
    reports_root = Path(reports_root)
    latest: dict[str, dict[str, Any]] = {}
    for rec in read_records(reports_root / EVIDENCE_LOG):
        latest[str(rec.get("run_id"))] = rec
    out = []
    for rec in latest.values():
        try:
            as_of = dt.date.fromisoformat(str(rec["as_of"])[:10])
        except (KeyError, ValueError):
            continue
        out.append(RunEvidence(run_id=str(rec["run_id"]), plan=str(rec.get("plan", "")), title=str(rec.get("title", "")),
                               tasks=[str(t) for t in rec.get("tasks") or []], as_of=as_of,
                               recorded=str(rec.get("recorded", "")), run_dir=str(rec.get("run_dir", "")),
                               reports=int(rec.get("reports", 0)), stale=_stale_reason(reports_root, rec)))
    return sorted(out, key=lambda e: (e.as_of, e.recorded, e.run_id))
