"""The report chain's stages, declared once (survey → evaluation → …).

Adding a stage: write ``stages/<name>.py`` with ``compute_<name>(db, *, territory, year, params_dir, inputs)``,
register it here with what it ``needs``, put its spec under ``params/``, add a notebook and its declaration in
``params/notebooks.yaml`` (docs/architecture.md, "Adding a stage").
"""
from __future__ import annotations

from pathlib import Path

from .registry import Stage, register


def _survey_specs(params_dir: Path, territory: str) -> list[Path]:
    from ..territories import profiles_file  # noqa: PLC0415
    from .survey_spec import spec_file  # noqa: PLC0415

    # the survey orders region groups by the territory profile
    return [spec_file(params_dir), profiles_file(params_dir)]


def _evaluation_specs(params_dir: Path, territory: str) -> list[Path]:
    from .evaluation import spec_path  # noqa: PLC0415  (declaring never imports stage code)

    return [spec_path(params_dir, territory)]


SURVEY = register(Stage(
    name="survey", name_zh="资源调查", name_en="Survey",
    compute="iplayout.stages.survey:compute_survey",
    spec_files=_survey_specs,
    code=("survey", "stages/survey.py", "stages/survey_spec.py", "territories.py", "db/api.py"),
))

EVALUATION = register(Stage(
    name="evaluation", name_zh="综合评价", name_en="Evaluation",
    compute="iplayout.stages.evaluation:compute_evaluation",
    spec_files=_evaluation_specs,
    code=("evaluation", "methods", "survey", "stages/evaluation.py", "stages/international.py",
          "stages/survey.py", "territories.py", "db/api.py"),
))
