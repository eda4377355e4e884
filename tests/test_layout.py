"""Project layout and import direction (docs/architecture.md, "Layers").

methods are pure; the database layer knows nothing of evaluation or reporting; nothing below
reporting imports it (except the tiny, dependency-free `reporting.meta` that notebooks call); stages never
import drawing code (plots, views); the ground-floor modules import no area; the import graph has no
cycles; checksums and atomic writes live in `iplayout.fileio` only.
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
    "allocation": {"db", "evaluation", "survey", "plots", "stages", "views", "reporting", "cli"},
    # regions: specs of the regions stage and the peers/parks commands (db only to read codes, write files)
    "regions": {"plots", "stages", "views", "reporting", "cli"},
    # computing a stage never imports drawing code, so editing a chart never invalidates a stage cache
    "stages": {"plots", "views", "reporting", "cli"},
    # views are the notebook-facing layer above stages and plots: they may draw but never run reports
    "views": {"reporting", "cli"},
    # programme tracking: the schedule, status rules and logs; views.programme draws it, reporting records runs
    "programme": {"db", "methods", "evaluation", "survey", "stages", "plots", "views", "reporting", "cli"},
    # the layout explorer (static site) sits at the reporting level: it reads the database, run folders and the
    # report maps' geometry; only cli.py imports it (test_only_cli_imports_explore)
    "explore": {"methods", "evaluation", "survey", "allocation", "regions", "programme", "cli"},
}
ALLOWED_EVERYWHERE = {"reporting.meta"}
AREAS = ("methods", "db", "evaluation", "survey", "plots", "stages", "views", "programme", "reporting", "explore")
# single modules every layer may import; they import no area themselves
GROUND_FLOOR = ("_version", "config", "errors", "fileio", "fonts", "log", "narrative", "territories")


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


@pytest.mark.parametrize("module", GROUND_FLOOR)
def test_ground_floor_imports_no_area(module):
    path = SRC / f"{module}.py"
    assert path.exists(), path
    bad = sorted(i for i in _iplayout_imports(path) if i.split(".")[0] in AREAS + ("cli",))
    assert not bad, f"{module}.py imports {bad}"


def _module_of(dotted: str) -> str | None:
    """``stages.api.prepare_stage`` → ``stages.api`` (the longest prefix that is a module or package)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        base = SRC.joinpath(*parts[:n])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return ".".join(parts[:n])
    return None


def _import_graph() -> dict[str, set[str]]:
    """Module → the iplayout modules it imports (top-level and function-local imports alike)."""
    graph = {}
    for py in sorted(SRC.rglob("*.py")):
        rel = py.relative_to(SRC).with_suffix("").parts
        name = ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
        graph[name] = {m for m in map(_module_of, _iplayout_imports(py)) if m and m != name}
    return graph


def test_import_graph_has_no_cycles():
    """A cycle (db.importer ⇄ db.replay, evaluation.engine ⇄ robustness once) means two modules with one job."""
    graph = _import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} → {nxt}")
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_graph_sees_local_imports():
    graph = _import_graph()
    assert "stages.evaluation" in graph["stages.chain"]  # a function-local import counts
    assert "fileio" in graph["stages.store"]


def test_only_cli_imports_explore():
    """The explorer is a leaf: reporting, views and the rest never depend on it (cli.py names it lazily)."""
    graph = _import_graph()
    users = sorted(m for m, deps in graph.items() if not m.startswith("explore")
                   and any(d == "explore" or d.startswith("explore.") for d in deps))
    assert users == [], users
    assert "iplayout.explore.cli:explore" in (SRC / "cli.py").read_text(encoding="utf-8")


def test_checksums_and_atomic_writes_only_in_fileio():
    """One copy of each helper: no other module defines a sha256/checksum/atomic function or calls os.replace."""
    bad = []
    for py in sorted(SRC.rglob("*.py")):
        if py == SRC / "fileio.py":
            continue
        tree = ast.parse(py.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    w in node.name.lower() for w in ("sha256", "checksum", "atomic", "fsync")):
                bad.append(f"{py.relative_to(ROOT)}:{node.lineno} defines {node.name}()")
            if (isinstance(node, ast.Attribute) and node.attr in ("replace", "rename", "fsync")
                    and isinstance(node.value, ast.Name) and node.value.id == "os"):
                bad.append(f"{py.relative_to(ROOT)}:{node.lineno} calls os.{node.attr}")
    assert not bad, "use iplayout.fileio instead:\n" + "\n".join(bad)


def test_stage_code_lists_no_drawing_code():
    from iplayout.stages import REGISTRY
    from iplayout.stages.registry import DRAWING_CODE, code_files

    for stage in REGISTRY.values():
        drawn = [f for f in code_files(stage) if f.relative_to(SRC).parts[0] in DRAWING_CODE]
        assert not drawn, (stage.name, drawn)


def test_version_is_declared_once():
    import tomllib

    from iplayout import __version__
    from iplayout._version import __version__ as ground

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == ground == meta["project"]["version"]


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
