#!/usr/bin/env python3
"""Compare two `iplayout run` results: stage tables byte for byte, reports output by output.

Usage::

    python scripts/compare_runs.py reports/before reports/after      # folders of run folders, paired by plan
    python scripts/compare_runs.py RUN_A RUN_B                       # two run folders

What is compared, per pair of run folders:

- every ``stages/**/*.parquet`` file: identical bytes (SHA-256);
- every executed notebook (``**/*.ipynb`` outside ``stages/``): the cell sources and, per output, its type and
  each MIME payload (text, Markdown, HTML, PNG/SVG images, the report metadata JSON). The injected-parameters
  cell, execution timings, the run folder's own path and id and object addresses in plain-text reprs
  (``<Styler at 0x7f…>``) are run-specific and ignored;
- every rendered ``.html`` report, after replacing the run id and run folder path.

Exit status 0 when everything matches, 1 otherwise; differences are listed (first lines of each).
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
from pathlib import Path

_RUN_ID = re.compile(r"^\d{8}-\d{6}-(?P<plan>.+)$")
MIME_KEYS = ("text/plain", "text/markdown", "text/html", "image/png", "image/svg+xml", "image/jpeg",
             "application/vnd.iplayout.report+json", "application/json")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pairs(a: Path, b: Path) -> list[tuple[str, Path, Path]]:
    if (a / "manifest.json").exists() and (b / "manifest.json").exists():
        return [(a.name, a, b)]
    def runs(root: Path) -> dict[str, Path]:
        out = {}
        for p in sorted(root.iterdir()):
            m = _RUN_ID.match(p.name)
            if p.is_dir() and m:
                out[m.group("plan")] = p
        return out
    ra, rb = runs(a), runs(b)
    missing = sorted(set(ra) ^ set(rb))
    if missing:
        print(f"plans present on one side only: {', '.join(missing)}")
    return [(k, ra[k], rb[k]) for k in sorted(set(ra) & set(rb))]


_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def _normalise(text: str, run_dir: Path) -> str:
    """Drop what differs between two runs of the same inputs: the run folder, object addresses in reprs."""
    for s in (str(run_dir.resolve()), str(run_dir), run_dir.name):
        text = text.replace(s, "<RUN>")
    return _ADDRESS.sub(" at 0x…>", text)


def _outputs(nb_path: Path, run_dir: Path) -> list:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        src = "".join(cell.get("source", ""))
        outs = []
        for o in cell.get("outputs", []):
            entry = {"type": o.get("output_type"), "name": o.get("name")}
            if "text" in o:
                entry["text"] = _normalise("".join(o["text"]), run_dir)
            for mime, val in sorted(o.get("data", {}).items()):
                val = "".join(val) if isinstance(val, list) else (json.dumps(val, sort_keys=True, ensure_ascii=False)
                                                                   if not isinstance(val, str) else val)
                entry[mime] = _normalise(val, run_dir)
            if o.get("output_type") == "error":
                entry["error"] = f"{o.get('ename')}: {o.get('evalue')}"
            outs.append(entry)
        cells.append({"type": cell["cell_type"], "source": src, "outputs": outs})
    return cells


def _first_diff(a: str, b: str, n: int = 6) -> str:
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0))
    return "\n".join(line[:200] for line in lines[2:2 + n])


def compare(a: Path, b: Path, *, partial: bool = False) -> tuple[dict, list[str]]:
    """Compare run folders ``a`` and ``b``; ``partial`` skips reports present on one side only (a run still going)."""
    stats = {"parquet": 0, "notebooks": 0, "outputs": 0, "images": 0, "html": 0, "one_side": 0}
    problems: list[str] = []
    pa = {p.relative_to(a).as_posix(): p for p in (a / "stages").rglob("*.parquet")}
    pb = {p.relative_to(b).as_posix(): p for p in (b / "stages").rglob("*.parquet")}
    for rel in sorted(set(pa) ^ set(pb)):
        problems.append(f"stage table on one side only: {rel}")
    for rel in sorted(set(pa) & set(pb)):
        stats["parquet"] += 1
        if _digest(pa[rel].read_bytes()) != _digest(pb[rel].read_bytes()):
            problems.append(f"stage table differs: {rel}")
    na = {p.relative_to(a).as_posix(): p for p in a.rglob("*.ipynb") if "stages" not in p.relative_to(a).parts}
    nbb = {p.relative_to(b).as_posix(): p for p in b.rglob("*.ipynb") if "stages" not in p.relative_to(b).parts}
    if partial:  # a report counts once rendered (a run stopped midway leaves unexecuted notebooks behind)
        na = {k: v for k, v in na.items() if v.with_suffix(".html").is_file()}
        nbb = {k: v for k, v in nbb.items() if v.with_suffix(".html").is_file()}
    stats["one_side"] = len(set(na) ^ set(nbb))
    for rel in sorted(set(na) ^ set(nbb)) if not partial else []:
        problems.append(f"report on one side only: {rel}")
    for rel in sorted(set(na) & set(nbb)):
        stats["notebooks"] += 1
        ca, cb = _outputs(na[rel], a), _outputs(nbb[rel], b)
        if len(ca) != len(cb):
            problems.append(f"{rel}: {len(ca)} vs {len(cb)} cells")
            continue
        for i, (x, y) in enumerate(zip(ca, cb)):
            if x["source"] != y["source"]:
                problems.append(f"{rel} cell {i}: source differs\n{_first_diff(x['source'], y['source'])}")
            if len(x["outputs"]) != len(y["outputs"]):
                problems.append(f"{rel} cell {i}: {len(x['outputs'])} vs {len(y['outputs'])} outputs")
                continue
            for j, (ox, oy) in enumerate(zip(x["outputs"], y["outputs"])):
                stats["outputs"] += 1
                stats["images"] += sum(1 for k in ox if k.startswith("image/"))
                for k in sorted(set(ox) | set(oy)):
                    if ox.get(k) != oy.get(k):
                        detail = "" if k.startswith("image/") else "\n" + _first_diff(str(ox.get(k)), str(oy.get(k)))
                        problems.append(f"{rel} cell {i} output {j}: {k} differs{detail}")
    ha = {p.relative_to(a).as_posix(): p for p in a.rglob("*.html") if "stages" not in p.relative_to(a).parts}
    hb = {p.relative_to(b).as_posix(): p for p in b.rglob("*.html") if "stages" not in p.relative_to(b).parts}
    for rel in sorted(set(ha) & set(hb)):
        stats["html"] += 1
        x, y = _normalise(ha[rel].read_text(encoding="utf-8"), a), _normalise(hb[rel].read_text(encoding="utf-8"), b)
        if x != y:
            problems.append(f"rendered {rel} differs\n{_first_diff(x, y)}")
    return stats, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--max-problems", type=int, default=40)
    ap.add_argument("--partial", action="store_true", help="compare only the reports both sides rendered (a run still going or stopped)")
    args = ap.parse_args(argv)
    pairs = _pairs(args.before, args.after)
    if not pairs:
        print("nothing to compare")
        return 1
    failed = False
    for plan, a, b in pairs:
        stats, problems = compare(a, b, partial=args.partial)
        verdict = "IDENTICAL" if not problems else f"{len(problems)} DIFFERENCE(S)"
        print(f"{plan}: {a.name} vs {b.name}: {stats['parquet']} stage tables, {stats['notebooks']} reports, "
              f"{stats['outputs']} outputs ({stats['images']} images), {stats['html']} rendered HTML"
              + (f", {stats['one_side']} reports on one side only (not compared)" if args.partial else "")
              + f" → {verdict}")
        for p in problems[: args.max_problems]:
            print("  - " + p.replace("\n", "\n    "))
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
