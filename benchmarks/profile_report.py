"""Profile one report in-process: per-cell CPU time, where it goes (cProfile buckets), HTML and PDF rendering.

Runs the notebook's cells in an in-process IPython shell prepared like a report kernel
(:func:`iplayout.reporting.kernel_state.prepare`), so cProfile sees the views, matplotlib and the
display formatters; then renders the executed notebook to HTML and PDF with the runner's functions.

Usage (a run folder of an earlier ``iplayout run`` gives the prepared stages)::

    python benchmarks/profile_report.py notebooks/01_survey/region.ipynb --stage-dir RUN/stages \
        --db /tmp/ip.duckdb -p territory=100000 -p year=2022 -p region_code=110000 [--warm 1]

``--warm N`` executes the report N times first (a warm kernel's state: caches filled, fonts loaded).
"""
from __future__ import annotations

import argparse
import ast
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

#: cProfile buckets: (label, function-name substrings); a function's cumulative time is its bucket's
BUCKETS = [
    ("PNG encode+savefig", ("print_figure",)),
    ("ECharts spec", ("interactive.py",)),
    ("Styler.to_html", ("_repr_html_", "to_html")),
]


def _parse_params(items: list[str]) -> dict:
    out = {}
    for item in items:
        k, v = item.split("=", 1)
        out[k] = int(v) if k == "year" else v
    return out


def execute(nb_path: Path, params: dict, quiet: bool = True):
    """Execute in-process; return (notebook with outputs, [(cell index, seconds, first source line)])."""
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from iplayout.reporting import kernel_state

    nb = parameterize_notebook(load_notebook_node(str(nb_path)), params)
    shell = InteractiveShell.instance()
    kernel_state.prepare(["matplotlib.pyplot"])
    import matplotlib

    matplotlib.use("agg")
    timings = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        t0 = time.process_time()
        tree = ast.parse(shell.transform_cell(cell.source))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        result = None
        with capture_output() as cap:
            exec(compile(tree, f"<cell {i}>", "exec"), shell.user_ns)
            if last is not None:
                result = eval(compile(ast.Expression(last.value), f"<cell {i}>", "eval"), shell.user_ns)
            t1 = time.process_time()
            # display() calls format inside the cell; the cell's value is formatted here (PNG, Styler HTML)
            cell.outputs = [nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata)
                            for o in cap.outputs]
            if result is not None:
                data, md = shell.display_formatter.format(result)
                cell.outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=md,
                                                           execution_count=1))
        dt = time.process_time() - t0
        fmt = time.process_time() - t1
        timings.append((i, dt, fmt, cell.source.splitlines()[-1][:60] if cell.source else ""))
    return nb, timings


def bucket_table(prof: cProfile.Profile, total: float) -> list[tuple[str, float]]:
    st = pstats.Stats(prof)
    rows = []
    for label, keys in BUCKETS:
        best = 0.0
        for (fname, _line, func), (_cc, _nc, _tt, ct, _callers) in st.stats.items():
            if any(k in func or k in fname for k in keys):
                best = max(best, ct)  # the outermost such call (cumulative times nest)
        rows.append((label, best))
    return rows


def _forget_layouts() -> None:
    try:
        from iplayout.plots import png
    except ImportError:  # a checkout from before figure layouts were reused
        return
    png._LAYOUTS.clear()


def _save(nb, path: Path | None) -> None:
    if path is not None:
        import nbformat

        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("-p", action="append", default=[], help="parameter NAME=VALUE")
    ap.add_argument("--stage-dir", default="")
    ap.add_argument("--db", default="")
    ap.add_argument("--warm", type=int, default=1, help="executions before the profiled one")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--pdf-profile", action="store_true", help="cProfile the PDF rendering too")
    ap.add_argument("--dump", type=Path, default=None, help="write the cProfile stats here (execute.prof, pdf.prof)")
    ap.add_argument("--save", type=Path, default=None, help="write the executed notebook (with outputs) here")
    ap.add_argument("--warm-region", default="", help="region_code of the warm runs (a warm kernel's previous "
                    "report is another region's: per-process caches keyed by content then miss where they would)")
    ap.add_argument("--cold-layouts", action="store_true", help="forget reusable figure layouts before each run "
                    "(a report that runs once per plan, e.g. the territory's, finds none in a real run)")
    ap.add_argument("--no-profile", action="store_true", help="only the unprofiled runs (their per-cell CPU)")
    ap.add_argument("--no-render", action="store_true", help="stop after execution (no HTML/PDF rendering)")
    args = ap.parse_args()
    params = dict(_parse_params(args.p), stage_dir=args.stage_dir, db_path=args.db)

    import os
    args.notebook = args.notebook.resolve()
    os.chdir(args.notebook.parent)
    warm_timings = []
    for k in range(args.warm):
        if k == args.warm - 1 and args.warm_region:  # the timed warm run is the report itself
            args.warm_region = ""
        if args.cold_layouts:
            _forget_layouts()
        t0 = time.process_time()
        wp = dict(params, region_code=args.warm_region) if args.warm_region else params
        nb, warm_timings = execute(args.notebook.resolve(), wp)
        warm_total = time.process_time() - t0
    if warm_timings:  # without the profiler's overhead (which weighs Python-heavy code more)
        # run 1 is cold (imports, fonts, per-process caches): use --warm 2 for a warm kernel's timings
        print(f"execute (in-process, run {args.warm}{' (cold)' if args.warm == 1 else ''}, no profiler): "
              f"{warm_total:.2f} CPU-s")
        for i, dt, fmt, src in warm_timings:
            print(f"  cell {i:2d} {dt:6.2f} s  {fmt:6.2f} s  {src}")
    if args.no_profile:
        _save(nb, args.save)
        return
    prof = cProfile.Profile(time.process_time)
    if args.cold_layouts:
        _forget_layouts()
    t0 = time.process_time()
    prof.enable()
    nb, timings = execute(args.notebook.resolve(), params)
    prof.disable()
    total = time.process_time() - t0
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(args.dump / "execute.prof"))
    print(f"execute (in-process, profiled, after {args.warm} warm run(s)): {total:.2f} CPU-s")
    print("  cell   total  of which: last value formatted (PNG / table HTML)   last line of the cell")
    for i, dt, fmt, src in timings:
        print(f"  cell {i:2d} {dt:6.2f} s  {fmt:6.2f} s  {src}")
    print("buckets (cumulative):")
    for label, s in bucket_table(prof, total):
        print(f"  {label:22s} {s:6.2f} s")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue()[:12000])

    _save(nb, args.save)
    if args.no_render:
        return
    from iplayout.reporting import render
    job = {"job_id": "profile", "group": "", "title": "", "labels": {}}
    info = render.report_info(nb, job, "profile")
    t0 = time.process_time()
    html = render.render_html(nb, info)
    print(f"HTML {time.process_time() - t0:.2f} s ({len(html) / 1e6:.1f} MB)")
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(2):
            pprof = cProfile.Profile(time.process_time) if (args.pdf_profile and k == 1) else None
            t0 = time.process_time()
            if pprof:
                pprof.enable()
            render.render_pdf(nb, info, Path(tmp) / "r.pdf")
            if pprof:
                pprof.disable()
            print(f"PDF #{k + 1} {time.process_time() - t0:.2f} s ({(Path(tmp) / 'r.pdf').stat().st_size / 1e6:.2f} MB)")
        if args.pdf_profile:
            if args.dump:
                pprof.dump_stats(str(args.dump / "pdf.prof"))
            out = io.StringIO()
            pstats.Stats(pprof, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue()[:12000])
            out = io.StringIO()
            pstats.Stats(pprof, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue()[:12000])


if __name__ == "__main__":
    sys.exit(main())
