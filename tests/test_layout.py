"""Project layout and import direction (docs/architecture.md, "Layers").

methods are pure; the database layer knows nothing of evaluation or reporting; nothing below
reporting imports it (except the tiny, dependency-free `reporting.meta` that notebooks call).
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "iplayout"

# area -> iplayout areas it must NOT import
FORBIDDEN = {
    "methods": {"db", "evaluation", "survey", "plots", "stages", "views", "reporting", "cli"},
    "db": {"methods", "evaluation", "survey", "plots", "stages", "views", "reporting", "cli"},
    "evaluation": {"survey", "plots", "stages", "views", "reporting", "cli"},
    "survey": {"db", "evaluation", "plots", "stages", "views", "reporting", "cli"},
    "plots": {"db", "evaluation", "stages", "views", "reporting", "cli"},
    # computing a stage never imports drawing code, so editing a chart never invalidates a stage cache
    "stages": {"plots", "views", "reporting", "cli"},
    # views are the notebook-facing layer above stages and plots: they may draw but never run reports
    "views": {"reporting", "cli"},
}
ALLOWED_EVERYWHERE = {"reporting.meta"}


def _iplayout_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg_parts = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg_parts[: len(pkg_parts) - node.level + 1])
                mod = ".".join(base + ([node.module] if node.module else []))
                names = [mod] if node.module else [f"{mod}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            if name.startswith("iplayout."):
                found.add(name.removeprefix("iplayout."))
    return found


@pytest.mark.parametrize("area", sorted(FORBIDDEN))
def test_import_direction(area):
    folder = SRC / area
    if not folder.exists():
        pytest.skip(f"{area} not built yet")
    bad = []
    for py in sorted(folder.rglob("*.py")):
        for imp in _iplayout_imports(py):
            if any(imp == a or imp.startswith(a + ".") for a in ALLOWED_EVERYWHERE):
                continue
            if imp.split(".")[0] in FORBIDDEN[area]:
                bad.append(f"{py.relative_to(ROOT)} imports iplayout.{imp}")
    assert not bad, "\n".join(bad)


def test_top_level_layout():
    for name in ("params", "data", "tests", "notebooks/01_survey", "notebooks/02_evaluation",
                 "notebooks/03_allocation", "notebooks/04_regions", "environment.yml", "pyproject.toml",
                 "Makefile", "README.md", ".ci/run"):
        assert (ROOT / name).exists(), name
    assert "reports/" in (ROOT / ".gitignore").read_text()


def test_ci_calls_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make test" in ci
