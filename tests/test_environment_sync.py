"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from the PyPI distribution name
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}
NOT_PACKAGES = {"python", "pip"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower()


def _pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(meta["dependencies"])
    for extra in ("test", "lab"):
        reqs += meta["optional-dependencies"][extra]
    return {_name(r): r.replace(" ", "") for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e"):
                continue
            name = CONDA_TO_PYPI.get(_name(item), _name(item))
            if name not in NOT_PACKAGES:
                spec = item.replace(" ", "")
                out[name] = name + spec[len(_name(item)):]
    return out


def test_same_package_names():
    assert sorted(_pyproject_requirements()) == sorted(_conda_requirements())


def test_same_version_bounds():
    py, conda = _pyproject_requirements(), _conda_requirements()
    for name, spec in py.items():
        assert conda[name] == spec, f"{name}: pyproject {spec!r} vs environment.yml {conda[name]!r}"
