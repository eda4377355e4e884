"""Layering: methods are pure (numpy/pandas/scipy + our errors/log); evaluation never imports stages/reporting."""
import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "iplayout"
ALLOWED_METHODS = {"numpy", "pandas", "scipy", "__future__", "collections", "dataclasses", "typing", "itertools"}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((a.name, 0) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield (node.module or "", node.level)


def test_methods_are_pure():
    for f in (SRC / "methods").glob("*.py"):
        for mod, level in _imports(f):
            if level == 1:
                continue  # sibling method module
            if level == 2:
                assert mod in ("errors", "log"), (f.name, mod)
            else:
                assert mod.split(".")[0] in ALLOWED_METHODS, (f.name, mod)


def test_evaluation_does_not_import_upper_layers():
    for f in (SRC / "evaluation").glob("*.py"):
        for mod, level in _imports(f):
            assert not any(part in mod for part in ("stages", "reporting", "plots")), (f.name, mod)


def test_modules_are_small():
    for d in ("methods", "evaluation"):
        for f in (SRC / d).glob("*.py"):
            assert len(f.read_text(encoding="utf-8").splitlines()) < 400, f.name
