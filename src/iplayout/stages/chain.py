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

    from ..config import params_file  # noqa: PLC0415

    # the survey orders region groups by the territory profile; record sections read the counting rules
    return [spec_file(params_dir), profiles_file(params_dir), params_file("records/counting.yaml", params_dir)]


def _evaluation_specs(params_dir: Path, territory: str) -> list[Path]:
    from .evaluation import spec_path  # noqa: PLC0415  (declaring never imports stage code)

    return [spec_path(params_dir, territory)]


SURVEY = register(Stage(
    name="survey", name_zh="资源调查", name_en="Survey",
    compute="iplayout.stages.survey:compute_survey",
    spec_files=_survey_specs,
    code=("survey", "stages/survey.py", "stages/survey_spec.py", "stages/survey_records.py", "methods/technology.py",
          "territories.py", "db/api.py", "db/records/read.py"),
))

EVALUATION = register(Stage(
    name="evaluation", name_zh="综合评价", name_en="Evaluation",
    compute="iplayout.stages.evaluation:compute_evaluation",
    spec_files=_evaluation_specs,
    code=("evaluation", "methods", "survey", "stages/evaluation.py", "stages/international.py",
          "stages/survey.py", "territories.py", "db/api.py"),
))


def _allocation_specs(params_dir: Path, territory: str) -> list[Path]:
    # zones.yaml, catalogue.yaml, overrides.yaml; the policy inventory is in the database (its checksum keys it)
    d = Path(params_dir) / "allocation"
    return [p for p in (d / "zones.yaml", d / "catalogue.yaml", d / "overrides.yaml") if p.exists()]


ALLOCATION = register(Stage(
    name="allocation", name_zh="资源配置", name_en="Allocation",
    compute="iplayout.stages.allocation:compute_allocation",
    # the catalogue's industry evidence (location quotients) is the survey's table: one number everywhere
    needs=("survey", "evaluation"),
    spec_files=_allocation_specs,
    code=("allocation", "stages/allocation.py"),
))


def _regions_specs(params_dir: Path, territory: str) -> list[Path]:
    from .regions import spec_files  # noqa: PLC0415

    return spec_files(params_dir, territory)


def _regions_needs() -> tuple[str, ...]:
    """survey (location quotients), evaluation, and allocation once that stage is registered.

    Computed at registration, so this declaration must stay below every stage it may need: the regions
    stage runs without allocation (its reports then say 功能区与导向目录尚未生成) and uses it as soon as it exists.
    """
    from .registry import REGISTRY  # noqa: PLC0415

    return tuple(n for n in ("survey", "evaluation", "allocation") if n in REGISTRY)


# keep last: its needs are read from what is registered above
REGIONS = register(Stage(
    name="regions", name_zh="区域布局", name_en="Regional layout",
    compute="iplayout.stages.regions:compute_regions",
    needs=_regions_needs(),
    spec_files=_regions_specs,
    code=("methods/peers.py", "methods/targets.py", "methods/specialisation.py", "regions",
          "stages/regions.py", "stages/regions_data.py", "stages/regions_plan.py"),
))
