"""Report kernels: one warm IPython kernel per worker, reused report after report.

A new kernel per report costs its start (≈ 0.7 s) plus the project's imports (pandas, matplotlib,
geopandas, statsmodels: ≈ 1–2 s) plus first-use costs (CJK font, mathtext parser, map projections),
which together were about half of a city report's execution time. A :class:`ReportKernel` pays them
once: it starts a kernel, imports the modules the run's notebooks import and sets the chart style
(:func:`iplayout.reporting.kernel_state.prepare`), and before every report restores the state that
preparation recorded (:func:`~iplayout.reporting.kernel_state.reset`: namespace, execution counter,
matplotlib and pandas settings, warnings, cwd, environment). ``--fresh-kernels`` prepares a new kernel
the same way for every report, so warm and fresh runs give identical notebooks (tested A, B, A).

A kernel is restarted after a cell timeout (it is still busy), when it died, and after
:data:`RECYCLE_AFTER` reports (bounded memory); a failing cell leaves it usable. BLAS/OpenMP thread
pools are limited to one thread per kernel (:data:`THREAD_ENV`): the pool already runs one worker
per core, and oversubscribed OpenBLAS threads spin.

Execution itself stays papermill's (parameter injection, error cells, metadata), through the
``iplayout-warm`` engine that hands papermill's notebook client our running kernel.
"""
from __future__ import annotations

import ast
import atexit
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

#: one BLAS/OpenMP thread per kernel (set only where the user has not chosen a value)
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1"}
#: a warm kernel is replaced after this many reports
RECYCLE_AFTER = 60
#: the IPython history database of a report kernel (as nbclient does: nothing written to ~/.ipython)
EXTRA_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
_ENGINE = "iplayout-warm"
_local = threading.local()


class KernelSetupError(RuntimeError):
    """The kernel did not start or could not be prepared (reported as ``kernel_start``)."""


def thread_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default ``os.environ``) with :data:`THREAD_ENV` filled in where unset."""
    env = dict(os.environ if environ is None else environ)
    for key, value in THREAD_ENV.items():
        env.setdefault(key, value)
    return env


def notebook_imports(paths: list[str] | tuple[str, ...]) -> list[str]:
    """Modules imported at the top level of the notebooks' code cells (sorted, de-duplicated).

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a submodule;
    a name that is not one is skipped at import time). Relative imports, imports inside functions and
    cells that are not valid Python (magics) are ignored.
    """
    found: set[str] = set()
    for path in paths:
        try:
            nb = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            src = "".join(cell.get("source", ""))
            src = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module)
                    found.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return sorted(found)


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient  # noqa: PLC0415
    from papermill.engines import NBClientEngine, papermill_engines  # noqa: PLC0415

    class WarmEngine(NBClientEngine):
        """papermill's nbclient engine, executing in a kernel that is already running."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kernel: ReportKernel = kwargs.pop("report_kernel")
            partial_path = kwargs.pop("partial_path")
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file, **{k: v for k, v in kwargs.items() if k not in ("timeout", "startup_timeout")})
            client.kc = kernel.kc  # our client: nbclient neither starts nor shuts down anything
            try:
                return client.execute()
            except BaseException:
                # papermill's final save (always run) then writes the partial report; not saving after
                # every cell spares rewriting a growing notebook of base64 images ten times per report
                nb_man.output_path = partial_path
                raise

    if _ENGINE not in papermill_engines._engines:
        papermill_engines.register(_ENGINE, WarmEngine)


class ReportKernel:
    """A prepared kernel that executes reports one after another (see the module docstring)."""

    def __init__(self, kernel_name: str = "python3", preload: list[str] | tuple[str, ...] = (),
                 start_timeout: float = 60):
        self.kernel_name = kernel_name
        self.preload = list(preload)
        self.start_timeout = start_timeout
        self.km = self.kc = None
        self.reports = 0
        self.prepare_seconds = 0.0

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start and prepare the kernel; raises :class:`KernelSetupError`."""
        from jupyter_client.manager import AsyncKernelManager  # noqa: PLC0415
        from jupyter_core.utils import run_sync  # noqa: PLC0415

        t0 = time.perf_counter()
        try:
            self.km = AsyncKernelManager(kernel_name=self.kernel_name)
            run_sync(self.km.start_kernel)(extra_arguments=list(EXTRA_ARGUMENTS), env=thread_env(),
                                           cwd=os.getcwd())
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=self.start_timeout)
            self._run(f"__import__('iplayout.reporting.kernel_state', fromlist=['_']).prepare({self.preload!r})",
                      timeout=self.start_timeout + 10 * len(self.preload))
        except Exception as exc:
            self.shutdown()
            raise KernelSetupError(f"{type(exc).__name__}: {exc}") from exc
        self.reports = 0
        self.prepare_seconds = round(time.perf_counter() - t0, 3)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync  # noqa: PLC0415

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync  # noqa: PLC0415

        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001  (already dead)
                pass
        self.km = self.kc = None

    def restart(self) -> None:
        self.shutdown()
        self.start()

    # -- execution ----------------------------------------------------------------------------
    def _run(self, code: str, timeout: float) -> None:
        """Execute ``code`` silently (no execution count, no history); raise on an error reply."""
        from jupyter_core.utils import run_sync  # noqa: PLC0415

        async def go() -> dict[str, Any]:
            msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + timeout
            while True:
                reply = await self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]

        content = run_sync(go)()
        if content.get("status") != "ok":
            raise KernelSetupError(f"{content.get('ename')}: {content.get('evalue')}")

    def reset(self, cwd: str) -> None:
        """Back to the prepared state, working directory ``cwd``."""
        self._run(f"__import__('iplayout.reporting.kernel_state', fromlist=['_']).reset({cwd!r})", timeout=60)

    def execute(self, input_path: str, output_path: str, parameters: dict[str, Any], timeout: int | None):
        """Run one report with papermill in this kernel (reset first); papermill's exceptions propagate."""
        import papermill as pm  # noqa: PLC0415

        _register_engine()
        cwd = str(Path(input_path).parent)
        self.reset(cwd)
        self.reports += 1
        return pm.execute_notebook(input_path, output_path, parameters=parameters, engine_name=_ENGINE,
                                   kernel_name=self.kernel_name, progress_bar=False, execution_timeout=timeout,
                                   cwd=cwd, request_save_on_cell_execute=False, report_kernel=self,
                                   partial_path=output_path)


def run_report(input_path: str, output_path: str, parameters: dict[str, Any], *, timeout: int | None,
               kernel_name: str = "python3", fresh: bool = False, preload: list[str] | tuple[str, ...] = (),
               start_timeout: float = 60):
    """Execute one report in this thread's warm kernel (or, with ``fresh``, in a new prepared kernel).

    Raises :class:`KernelSetupError` when no kernel could be prepared, and papermill's exceptions for
    the report (a failing cell, a timeout, a dead kernel). After a timeout or a dead kernel the warm
    kernel is discarded; the next report starts a new one.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: PLC0415

    if fresh:
        kernel = ReportKernel(kernel_name, preload, start_timeout)
        kernel.start()
        try:
            return kernel.execute(input_path, output_path, parameters, timeout)
        finally:
            kernel.shutdown()
    kernel = warm_kernel(kernel_name, preload, start_timeout)
    try:
        return kernel.execute(input_path, output_path, parameters, timeout)
    except (CellTimeoutError, DeadKernelError):
        discard_kernels()  # still busy with the hung cell, or gone: never reuse
        raise
    except KernelSetupError:
        discard_kernels()
        raise
    except Exception:
        if not kernel.alive():
            discard_kernels()
        raise


def warm_kernel(kernel_name: str, preload: list[str] | tuple[str, ...], start_timeout: float = 60) -> ReportKernel:
    """This thread's warm kernel for ``kernel_name`` prepared with ``preload``, started if there is none."""
    kernels: dict[str, ReportKernel] = getattr(_local, "kernels", None) or {}
    _local.kernels = kernels
    kernel = kernels.get(kernel_name)
    # a kernel prepared for other notebooks is replaced rather than topped up: its state must be the
    # one a fresh kernel prepared with the same modules has
    if kernel is not None and (kernel.reports >= RECYCLE_AFTER or sorted(preload) != sorted(kernel.preload)
                               or not kernel.alive()):
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = ReportKernel(kernel_name, preload, start_timeout)
        kernel.start()
        kernels[kernel_name] = kernel
    return kernel


def discard_kernels() -> None:
    """Shut down this thread's warm kernels (on a worker's exit, or after a timeout)."""
    for kernel in (getattr(_local, "kernels", None) or {}).values():
        kernel.shutdown()
    _local.kernels = {}


atexit.register(discard_kernels)
