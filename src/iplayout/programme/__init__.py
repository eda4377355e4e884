"""Programme tracking: the pilot's schedule as data, task status on a date, run evidence, publications.

``load_programme`` reads and validates ``params/programme.yaml``; ``progress_table`` gives each
task's status on an as-of date (rule in :mod:`.status`); finished report-set runs are evidence
(:mod:`.evidence`); published releases are logged with their package checksum (:mod:`.publications`);
``iplayout.views.programme`` (``open_progress`` and one function per section) feeds ``notebooks/05_programme/progress.ipynb``.
"""
from .evidence import EVIDENCE_LOG, RunEvidence, load_run_evidence, record_run
from .model import LoadedProgramme, Programme, Task, load_programme
from .publications import PUBLICATION_LOG, load_publications, record_publication
from .status import STATUS_LABEL, progress_table, summary_by, task_status

__all__ = ["EVIDENCE_LOG", "PUBLICATION_LOG", "LoadedProgramme", "Programme", "RunEvidence", "STATUS_LABEL", "Task",
           "load_programme", "load_publications", "load_run_evidence", "progress_table", "record_publication",
           "record_run", "summary_by", "task_status"]
