"""The stage registry with a toy stage that needs the evaluation (docs/architecture.md, "Adding a stage").

The toy stage is registered by a fixture and removed afterwards, so the chain the other tests see is unchanged.
"""
import shutil

import pytest

from iplayout.config import default_db_path, params_dir
from iplayout.errors import ParameterError
from iplayout.stages import REGISTRY, Stage, load_stage, prepare_stage, register, stage_order
from iplayout.stages.api import stage_key
from iplayout.stages.registry import code_fingerprint, unregister

DB = default_db_path()
needs_db = pytest.mark.skipif(not DB.exists(), reason="database not built")
SEEN: list[dict] = []


def compute_toy(db, *, territory, year, params_dir, inputs):
    """Top three regions by coupling coordination D, from the evaluation stage passed in."""
    SEEN.append({name: res.stage for name, res in inputs.items()})
    scores = inputs["evaluation"].table("scores")
    top = scores.sort_values(["D", "region_code"], ascending=[False, True]).head(3)[["region_code", "D"]]
    return {"top": top.reset_index(drop=True)}, {"is_demo": inputs["evaluation"].is_demo, "steps": []}


@pytest.fixture
def toy():
    stage = register(Stage(name="toy", name_zh="玩具", name_en="Toy", compute=compute_toy, needs=("evaluation",)))
    SEEN.clear()
    yield stage
    unregister("toy")


@pytest.fixture
def light_params(tmp_path):
    """A params folder whose Jiangsu spec skips the Monte Carlo (seconds instead of a minute)."""
    params = tmp_path / "params"
    shutil.copytree(params_dir() / "evaluation", params / "evaluation")
    spec = params / "evaluation" / "jiangsu_cities.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("  enabled: true", "  enabled: false", 1),
                    encoding="utf-8")
    return params


def test_registry_rules(toy):
    assert stage_order(["toy"]) == ["evaluation", "toy"]
    assert stage_order(["toy", "survey"]) == ["survey", "evaluation", "toy"]
    with pytest.raises(ParameterError, match="registered twice"):
        register(toy)
    with pytest.raises(ParameterError, match="unregistered"):
        register(Stage(name="later", name_zh="", name_en="", compute=compute_toy, needs=("nowhere",)))
    with pytest.raises(ParameterError, match="drawing code"):
        register(Stage(name="drawn", name_zh="", name_en="", compute=compute_toy, code=("views/survey.py",)))
    with pytest.raises(ParameterError, match="needed by"):
        unregister("evaluation")
    assert "later" not in REGISTRY and "drawn" not in REGISTRY


def test_code_fingerprint_covers_stage_code_not_charts():
    from iplayout.stages.registry import code_files, package_root

    files = {f.relative_to(package_root()).as_posix() for f in code_files("evaluation")}
    assert {"stages/evaluation.py", "evaluation/engine.py", "methods/weights.py", "stages/store.py"} <= files
    assert not any(f.startswith(("plots/", "views/")) for f in files)
    assert code_fingerprint("survey") != code_fingerprint("evaluation")


@needs_db
def test_toy_stage_gets_the_evaluation_and_its_key_follows_the_spec(toy, light_params, tmp_path):
    out = tmp_path / "stages"
    folder = prepare_stage("toy", db_path=DB, territory="320000", year=2016, out_dir=out, params_dir=light_params)
    assert SEEN == [{"evaluation": "evaluation"}]  # the needed stage arrived as a StageResult
    ev = load_stage("evaluation", territory="320000", year=2016, stage_dir=str(out))
    res = load_stage("toy", territory="320000", year=2016, stage_dir=str(out))
    want = ev.table("scores").sort_values(["D", "region_code"], ascending=[False, True]).head(3)
    assert res.table("top")["region_code"].tolist() == want["region_code"].tolist()
    assert res.is_demo == ev.is_demo and folder.name == "320000-2016"

    # a prepared evaluation is reused, not recomputed; the toy key records the evaluation's key
    before = (out / "evaluation" / "320000-2016" / "scores.parquet").stat().st_mtime_ns
    key1 = stage_key("toy", db_file=DB, territory="320000", params_dir=light_params)
    assert res.meta["inputs"] == key1 and "needs:evaluation" in key1
    prepare_stage("toy", db_path=DB, territory="320000", year=2016, out_dir=out, params_dir=light_params)
    assert (out / "evaluation" / "320000-2016" / "scores.parquet").stat().st_mtime_ns == before

    # editing the evaluation spec changes the toy stage's key (through its dependency) and recomputes both
    spec = light_params / "evaluation" / "jiangsu_cities.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("seed: 20160101", "seed: 7"), encoding="utf-8")
    key2 = stage_key("toy", db_file=DB, territory="320000", params_dir=light_params)
    assert key2["needs:evaluation"] != key1["needs:evaluation"]
    assert {k: v for k, v in key2.items() if k != "needs:evaluation"} == \
        {k: v for k, v in key1.items() if k != "needs:evaluation"}
    SEEN.clear()
    prepare_stage("toy", db_path=DB, territory="320000", year=2016, out_dir=out, params_dir=light_params)
    ev2 = load_stage("evaluation", territory="320000", year=2016, stage_dir=str(out))
    assert ev2.meta["spec"]["uncertainty"]["seed"] == 7 and SEEN == [{"evaluation": "evaluation"}]


@needs_db
def test_survey_stage_reads_params_survey_yaml(tmp_path):
    import yaml

    params = tmp_path / "params"
    params.mkdir()
    raw = yaml.safe_load((params_dir() / "survey.yaml").read_text(encoding="utf-8"))
    raw.update(growth_span=3, key_indicators=["patent_grants", "patent_applications"])
    (params / "survey.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    folder = prepare_stage("survey", db_path=DB, territory="320000", year=2016, out_dir=tmp_path / "s",
                           params_dir=params)
    res = load_stage("survey", territory="320000", year=2016, stage_dir=str(tmp_path / "s"))
    assert res.meta["spec"]["growth_span"] == 3
    assert sorted(set(res.table("concentration")["indicator_code"])) == ["patent_applications", "patent_grants"]
    assert "spec:survey.yaml" in res.meta["inputs"] and folder.exists()
    # groups in the territory profile's order (苏南, 苏中, 苏北)
    assert res.table("groups")["region_group"].tolist() == ["苏南", "苏中", "苏北"]
    g = res.table("growth")
    assert len(g) and g["start_year"].min() >= 2016 - 3  # CAGR over the spec's three years
