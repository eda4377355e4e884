"""Inside a report kernel: prepare it once, and put it back to that state before every report.

Runs in the IPython kernel (imported by :mod:`iplayout.reporting.kernels`), never in the runner.
:func:`prepare` imports the modules the plan's notebooks import and applies the house chart style, then
records the process-wide state a notebook can change; :func:`reset` restores it, so a warm kernel
starts each report as a freshly prepared one does. What is reset, and why:

* user namespace, ``In``/``Out`` history, ``_`` variables, execution counter (IPython ``reset``):
  outputs carry execution counts, which must start at 1 as in a new kernel;
* matplotlib: open figures closed, ``rcParams`` restored (a notebook's ``plt.rc`` must not restyle the
  next report);
* pandas options (``pd.set_option`` in one report must not change the next report's tables);
* warnings: filters restored and the "shown once" registries cleared, so a warning printed in report A
  is printed again in report B as in a fresh kernel;
* working directory, ``os.environ``, ``sys.path``; ``random``/NumPy global generators re-seeded from
  the OS as at interpreter start;
* garbage: collected, and the survivors frozen (``gc.freeze``) so that collections stay cheap.

Modules a report imports stay imported (as caches of pure functions do); module-level state that
a report mutates would leak, which is why the runner's tests execute reports A, B, A in one kernel and
compare every output with a fresh kernel's (``tests/reporting/test_reporting_kernels.py``).
"""
from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings
from typing import Any

_STATE: dict[str, Any] = {}


def prepare(modules: list[str]) -> list[str]:
    """Import ``modules`` (failures ignored: the notebook reports them itself), set the chart style, snapshot.

    Returns the modules that could not be imported.
    """
    failed = []
    for name in modules:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except Exception:  # noqa: BLE001  (ImportError, or a module that fails at import)
            failed.append(name)
    if "matplotlib.pyplot" in sys.modules:
        # pyplot loads the inline backend lazily, on the first figure, and that switches interactive
        # mode on and hooks figure display into the kernel: do it now, before the snapshot, or the
        # restored rcParams would switch interactive mode off again for every later report
        plt = sys.modules["matplotlib.pyplot"]
        plt.switch_backend(plt.get_backend())
    try:  # the house style is process-wide state set once (lru_cache): set it before the snapshot
        from ..plots.style import setup_style  # noqa: PLC0415

        setup_style()
    except Exception:  # noqa: BLE001  (plots unavailable: notebooks draw with matplotlib defaults)
        pass
    if "matplotlib.pyplot" in sys.modules:
        _first_draw(sys.modules["matplotlib.pyplot"])
    _snapshot()
    # the imported libraries are hundreds of thousands of objects that live as long as the kernel: frozen, the
    # full collections of every reset (ours and IPython's) scan only what reports created (≈ 0.45 s → ≈ 0.05 s)
    gc.collect()
    gc.freeze()
    return failed


def _first_draw(plt) -> None:
    """Draw one small chart nobody sees: Chinese title and legend, bold text, a log axis (mathtext tick labels).

    A kernel's first chart pays for opening the CJK font, building the mathtext parser and filling the text
    metric caches (≈ 1 s); preparing the kernel before the first report arrives moves that off the report.
    Those caches only hold pure results, so a report after it is the same as in a kernel without it.
    """
    from io import BytesIO  # noqa: PLC0415

    try:
        fig, ax = plt.subplots(figsize=(2.0, 1.5))
        ax.plot([1, 10, 100], [2, 20, 200], label="专利授权量")
        ax.set_yscale("log")
        ax.set_title("知识产权区域布局", fontweight="bold")
        ax.legend()
        fig.savefig(BytesIO(), format="png")
        plt.close(fig)
    except Exception:  # noqa: BLE001  (a missing font shows in the first report, where it is reported)
        plt.close("all")


def _snapshot() -> None:
    _STATE["environ"] = dict(os.environ)
    _STATE["sys_path"] = list(sys.path)
    _STATE["warning_filters"] = list(warnings.filters)
    if "matplotlib" in sys.modules:
        import matplotlib  # noqa: PLC0415

        _STATE["rc"] = matplotlib.rcParams.copy()
    if "pandas" in sys.modules:
        import pandas as pd  # noqa: PLC0415

        _STATE["pandas"] = {k: pd.get_option(k) for k in _pandas_option_keys()}


def _pandas_option_keys() -> list[str]:
    from pandas._config import config  # noqa: PLC0415  (the registry pd.describe_option reads)

    return sorted(k for k in config._registered_options if k not in config._deprecated_options)


def reset(cwd: str) -> None:
    """Restore the state :func:`prepare` recorded and clear the user namespace; chdir to ``cwd``."""
    from IPython import get_ipython  # noqa: PLC0415

    shell = get_ipython()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    shell.reset(new_session=True)  # namespace, history, output cache; execution_count = 1
    if "rc" in _STATE:
        import matplotlib  # noqa: PLC0415

        rc = matplotlib.rcParams
        # rc_context's way back to saved values (no re-validation, no deprecation noise)
        rc._update_raw(_STATE["rc"]) if hasattr(rc, "_update_raw") else rc.update(_STATE["rc"])
    if "pandas" in _STATE:
        import pandas as pd  # noqa: PLC0415

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _STATE["pandas"].items():
                if pd.get_option(key) != value:
                    pd.set_option(key, value)
    warnings.filters[:] = _STATE.get("warning_filters", warnings.filters)
    warnings.onceregistry.clear()
    warnings._filters_mutated()  # invalidates every module's __warningregistry__ ("default" = once per place)
    os.environ.clear()
    os.environ.update(_STATE.get("environ", {}))
    sys.path[:] = _STATE.get("sys_path", sys.path)
    os.chdir(cwd)
    import random  # noqa: PLC0415

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    gc.collect()  # the previous report's objects, now unreachable
    # what survived is what the kernel keeps (caches of maps, layouts, stage tables): frozen like the libraries,
    # so the next reset's collections scan only that report's objects. A frozen object a cache drops later is
    # never collected: at most a few cache entries per report, and the kernel is replaced after RECYCLE_AFTER
    gc.freeze()
