"""Parameter validation happens before any kernel starts; codes stay strings."""
from pathlib import Path

import pytest

from iplayout.config import params_dir
from iplayout.errors import ParameterError, SpecError
from iplayout.reporting.jobs import expand_plan, filter_jobs, safe_component
from iplayout.reporting.parameters import load_declarations, validate_parameters
from iplayout.reporting.plans import load_plan
from iplayout.reporting.runner import new_run_dir, run_plan


def _region_decl(fixture_plan):
    return load_declarations(fixture_plan.parent / "notebooks.yaml").notebooks["chinese.ipynb"]


def test_project_declarations_and_plans_validate():
    decls = load_declarations(params_dir() / "notebooks.yaml")
    assert decls.notebooks["01_survey/region.ipynb"].parameters["region_code"].type == "region"
    names = set()
    for plan_file in sorted((params_dir() / "runs").glob("*.yaml")):
        lp = load_plan(plan_file)
        names.add(lp.plan.name)
        for entry in lp.plan.reports:
            assert entry.notebook in decls.notebooks, (plan_file, entry.notebook)
    assert {"national", "jiangsu-stage-2016", "jiangsu-final-2018"} <= names


def test_codes_stay_strings_and_ints_are_rejected(fixture_plan, codebook):
    decl = _region_decl(fixture_plan)
    resolved, problems = validate_parameters("chinese.ipynb", decl, {"region_code": "320100"}, codebook)
    assert problems == []
    assert resolved["region_code"] == "320100" and isinstance(resolved["region_code"], str)
    assert resolved["territory"] == "320000" and resolved["year"] == 2016
    _, problems = validate_parameters("chinese.ipynb", decl, {"region_code": 320100}, codebook)
    assert len(problems) == 1 and "quoted strings" in problems[0].message and problems[0].column == "region_code"
    _, problems = validate_parameters("chinese.ipynb", decl, {"region_code": "320100", "year": "2016"}, codebook)
    assert [p.column for p in problems] == ["year"]
    _, problems = validate_parameters("chinese.ipynb", decl, {"region_code": "320100", "year": True}, codebook)
    assert [p.column for p in problems] == ["year"]  # bool is not an int here


def test_unknown_region_membership_and_range(fixture_plan, codebook):
    decl = _region_decl(fixture_plan)
    _, problems = validate_parameters("chinese.ipynb", decl, {"region_code": "329999"}, codebook)
    assert "unknown region" in problems[0].message and problems[0].value == "329999"
    _, problems = validate_parameters("chinese.ipynb", decl, {"region_code": "110000"}, codebook)
    assert "not a member of territory '320000'" in problems[0].message
    _, problems = validate_parameters("chinese.ipynb", decl, {"region_code": "320100", "year": 1990}, codebook)
    assert "minimum" in problems[0].message
    _, problems = validate_parameters("chinese.ipynb", decl, {}, codebook)
    assert "required" in problems[0].message


def _write_plan(fixture_plan, reports_yaml: str) -> Path:
    text = fixture_plan.read_text(encoding="utf-8").split("reports:")[0] + "reports:\n" + reports_yaml
    fixture_plan.write_text(text, encoding="utf-8")
    return fixture_plan


class _NoKernelBackend:
    workers = 1

    def __init__(self):
        self.calls = 0

    def run(self, tasks):
        self.calls += 1
        raise AssertionError("a kernel would have started")


@pytest.mark.parametrize("entry, expected", [
    ('  - notebook: chinese.ipynb\n    parameters: {region_code: "320100", colour: red}\n', "unknown parameter"),
    ('  - notebook: chinese.ipynb\n    parameters: {region_code: "329999"}\n', "unknown region"),
    ('  - notebook: chinese.ipynb\n    over: {region_code: ["320100", 320200]}\n', "quoted strings"),
])
def test_bad_parameters_fail_before_any_kernel(fixture_plan, fixture_db, tmp_path, entry, expected):
    plan = _write_plan(fixture_plan, '  - notebook: chart.ipynb\n    parameters: {region_code: "320100"}\n' + entry)
    backend = _NoKernelBackend()
    with pytest.raises(ParameterError, match=expected):
        run_plan(load_plan(plan), backend=backend, db_path=fixture_db, reports_root=tmp_path / "reports")
    assert backend.calls == 0
    assert not (tmp_path / "reports").exists()  # not even a run folder was created


def test_expansion_ids_are_stable_and_safe(fixture_plan, fixture_db, codebook):
    plan = _write_plan(fixture_plan, "  - notebook: chinese.ipynb\n    over: {region_code: members}\n"
                                     '  - notebook: fails.ipynb\n    parameters: {region_code: "320300"}\n')
    lp = load_plan(plan)
    decls = load_declarations(lp.declarations_path)
    jobs = expand_plan(lp, decls, codebook)
    again = expand_plan(lp, decls, codebook)
    assert [j.job_id for j in jobs] == [j.job_id for j in again]
    assert len(jobs) == 14
    assert jobs[0].job_id == "chinese--320100" and jobs[0].output_stem == "chinese-320100"
    assert jobs[-1].job_id == "fails--320300"
    assert all(isinstance(j.parameters["region_code"], str) for j in jobs)
    assert jobs[0].labels["320100"] == "南京市"
    assert [j.job_id for j in filter_jobs(jobs, ["320500"])] == ["chinese--320500"]
    assert len(filter_jobs(jobs, ["chinese"])) == 13
    assert filter_jobs(jobs, ["fails.ipynb"])[0].region == "320300"


def test_plan_rejects_unknown_keys_and_escaping_paths(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("name: x\ntitle: t\nreports:\n  - notebook: a.ipynb\n    colour: red\n", encoding="utf-8")
    with pytest.raises(SpecError, match="colour"):
        load_plan(bad)
    bad.write_text("name: x\ntitle: t\nreports:\n  - notebook: ../../etc/passwd.ipynb\n", encoding="utf-8")
    with pytest.raises(SpecError, match="relative .ipynb"):
        load_plan(bad)
    bad.write_text("name: ../x\ntitle: t\nreports:\n  - notebook: a.ipynb\n", encoding="utf-8")
    with pytest.raises(SpecError, match="slug"):
        load_plan(bad)


def test_safe_component_never_yields_a_path():
    for text in ("../../etc/passwd", "南京市", "a b/c", "..", "/abs", "con:1"):
        out = safe_component(text)
        assert "/" not in out and "\\" not in out and out not in (".", "..") and not out.startswith(".")
    assert safe_component("320100") == "320100"
    assert safe_component("南京") != safe_component("苏州")  # hash suffix keeps distinct inputs distinct


def test_run_folder_is_never_overwritten(tmp_path):
    a = new_run_dir(tmp_path, "plan", "r1")
    (a / "keep.txt").write_text("x")
    with pytest.raises(SpecError, match="never overwritten"):
        new_run_dir(tmp_path, "plan", "r1")
    assert (a / "keep.txt").read_text() == "x"
    b, c = new_run_dir(tmp_path, "plan"), new_run_dir(tmp_path, "plan")
    assert b != c and b.is_dir() and c.is_dir()
    with pytest.raises(SpecError):
        new_run_dir(tmp_path, "plan", "../escape")


def test_dry_run_lists_reports_without_running(fixture_plan, fixture_db, tmp_path):
    from click.testing import CliRunner

    from iplayout.reporting.cli import run

    res = CliRunner().invoke(run, [str(fixture_plan), "--db", str(fixture_db), "--dry-run",
                                   "--reports-dir", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "fixture: 4 report(s)" in res.output and "chinese--320500" in res.output
    assert "'region_code': '320500'" in res.output  # still a string
    assert not (tmp_path / "r").exists()


def test_shipped_plans_expand_against_the_built_database():
    from iplayout.config import default_db_path
    from iplayout.reporting.runner import plan_jobs

    db = default_db_path()
    if not db.is_file():
        pytest.skip("integrated database not built (iplayout db build)")
    counts = {}
    for name in ("national", "jiangsu-stage-2016", "jiangsu-final-2018", "programme"):
        lp = load_plan(params_dir() / "runs" / f"{name}.yaml")
        missing = [e.notebook for e in lp.plan.reports if not (lp.notebooks_dir / e.notebook).is_file()]
        if missing:
            pytest.skip(f"notebooks not written yet: {missing}")
        counts[name] = len(plan_jobs(lp, db)[1])
    # 1 territory + 31 provinces + HT + 1 evaluation + 31 provinces; Jiangsu: 1 + 13 + 8 SEI + 1 + 13 + progress report
    assert counts == {"national": 65, "jiangsu-stage-2016": 37, "jiangsu-final-2018": 37, "programme": 1}


def test_unknown_stage_is_a_plan_error_naming_the_notebook(fixture_plan, tmp_path):
    """A typo in ``stage:`` stops the run at validation, before any kernel starts, and names the notebook."""
    import shutil

    import yaml

    raw = yaml.safe_load((fixture_plan.parent / "notebooks.yaml").read_text(encoding="utf-8"))
    raw["notebooks"]["chart.ipynb"] = {**raw["notebooks"]["chart.ipynb"], "stage": "evalution"}
    decl = tmp_path / "notebooks.yaml"
    decl.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError, match=r"chart\.ipynb: unknown stage 'evalution'.*registered stages: survey, evaluation"):
        load_declarations(decl)
    plan = tmp_path / "plan.yaml"
    shutil.copy(fixture_plan, plan)
    loaded = load_plan(plan, notebooks_dir=fixture_plan.parent / "notebooks", declarations=decl)
    with pytest.raises(SpecError, match="evalution"):
        run_plan(loaded, backend=None, db_path=Path("unused.duckdb"), reports_root=tmp_path / "reports")
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
