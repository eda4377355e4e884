"""Run evidence (a finished run records itself, a failed or partial one does not), the 2016 golden status
list, and the publication log with the package checksum."""
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from iplayout.cli import main
from iplayout.programme.evidence import EVIDENCE_LOG, load_run_evidence, record_run
from iplayout.programme.publications import PUBLICATION_LOG, load_publications

from programme_helpers import fake_run

GOLDEN = Path(__file__).parent / "golden"
STAGE_TASKS = ["T2.1", "T2.2", "T2.3", "T2.5", "T2.6", "T2.7", "T3.1"]


def test_finished_run_records_itself_failed_and_partial_runs_do_not(tmp_path):
    reports = tmp_path / "reports"
    ok = fake_run(reports, "r-ok")
    failed = fake_run(reports, "r-failed", statuses=("ok", "failed"))
    unfinished = fake_run(reports, "r-unfinished", finished=None)
    assert record_run(reports, failed, tasks=STAGE_TASKS, as_of=dt.date(2016, 12, 31), n_planned=2) is None
    assert record_run(reports, unfinished, tasks=STAGE_TASKS, as_of=dt.date(2016, 12, 31), n_planned=2) is None
    # an --only run produced 2 of the plan's 3 reports: not a delivered report set
    assert record_run(reports, ok, tasks=STAGE_TASKS, as_of=dt.date(2016, 12, 31), n_planned=3) is None
    assert not (reports / EVIDENCE_LOG).exists()
    rec = record_run(reports, ok, tasks=STAGE_TASKS, as_of=dt.date(2016, 12, 31), n_planned=2)
    assert rec["run_dir"] == "r-ok" and rec["as_of"] == "2016-12-31" and rec["reports"] == 2
    (ev,) = load_run_evidence(reports)
    assert (ev.run_id, ev.tasks, ev.stale, ev.as_of) == ("r-ok", STAGE_TASKS, "", dt.date(2016, 12, 31))
    # no as_of on the plan: the run's date
    other = fake_run(reports, "r-undated", finished="2026-12-01T09:00:00")
    assert record_run(reports, other, tasks=["T5.2"], as_of=None, n_planned=2)["as_of"] == "2026-12-01"
    # a deleted run folder is no longer evidence
    import shutil

    shutil.rmtree(reports / "r-ok")
    by_id = {e.run_id: e for e in load_run_evidence(reports)}
    assert by_id["r-ok"].stale and not by_id["r-undated"].stale


def test_progress_2016_golden(tmp_path, capsys):
    reports = tmp_path / "reports"
    m = fake_run(reports, "20261201-100000-jiangsu-stage-2016", statuses=("ok",) * 36)
    record_run(reports, m, tasks=STAGE_TASKS, as_of=dt.date(2016, 12, 31), n_planned=36)
    assert main(["progress", "--as-of", "2016-12-31", "--year", "2016", "--format", "tsv", "--reports", str(reports)]) == 0
    out = capsys.readouterr().out
    assert out == (GOLDEN / "progress-2016-12-31.tsv").read_text(encoding="utf-8")
    # the human table prints too (rich), with the summary line
    assert main(["progress", "--as-of", "2016-12-31", "--year", "2016", "--reports", str(reports)]) == 0
    assert "15 项任务：已完成 7，按期推进 0，逾期 4，未开始 4" in capsys.readouterr().out


def test_published_run_is_logged_with_its_package_checksum(tmp_path, capsys):
    from iplayout.reporting.package import build_package

    reports = tmp_path / "reports"
    fake_run(reports, "r-pub", publish=True, as_of="2016-12-31")
    fake_run(reports, "r-private", publish=False)
    zpath = build_package(reports / "r-pub")
    build_package(reports / "r-pub")            # same bytes again: logged once
    build_package(reports / "r-private")        # not a published plan: not logged
    (pub,) = load_publications(reports)
    digest = hashlib.sha256(zpath.read_bytes()).hexdigest()
    assert (pub["run_id"], pub["sha256"], pub["package"], pub["verified"]) == ("r-pub", digest, zpath.name, "一致")
    assert pub["scope"] == {"territories": ["320000"], "territory_names": ["江苏省"], "years": [2016], "reports": 2,
                            "groups": ["一、资源调查"]}
    assert pub["as_of"] == "2016-12-31" and pub["published"][:4].isdigit()
    assert main(["progress", "publications", "--format", "tsv", "--reports", str(reports)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and f"\tr-pub\t" in lines[1] and lines[1].endswith(f"\t{digest}\t一致")
    # a package changed after publication no longer verifies
    zpath.write_bytes(zpath.read_bytes() + b"x")
    assert load_publications(reports)[0]["verified"] == "校验值不符"
    assert json.loads((reports / PUBLICATION_LOG).read_text(encoding="utf-8").splitlines()[0])["sha256"] == digest


def test_malformed_log_line_is_named(tmp_path):
    from iplayout.errors import DataError

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / EVIDENCE_LOG).write_text('{"run_id": "a", "as_of": "2016-12-31"}\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"programme_evidence.jsonl, line 2: not a JSON line"):
        load_run_evidence(reports)
