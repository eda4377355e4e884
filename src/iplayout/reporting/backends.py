"""Where jobs run: a bounded local process pool (default), in-process (``workers=0``) or Dask.

A backend takes task dicts and yields result dicts as jobs finish, in completion order.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Iterable, Iterator

from .execute import execute_job, init_worker, warm_worker


def default_workers() -> int:
    """One worker per core: execution is CPU-bound in the kernels."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _worker_failure(task: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    return {"job_id": task["job"]["job_id"], "status": "failed", "outputs": {}, "meta": {}, "warnings": [],
            "attempts": 1, "duration": None,
            "error": {"kind": "worker", "cell_index": None, "execution_count": None,
                      "exception": type(exc).__name__, "message": str(exc)[:2000], "source": []}}


class LocalBackend:
    """A process pool whose workers stay warm across jobs (and across plans of one CLI call).

    Workers are spawned (not forked) so they never inherit the parent's threads or open database
    handles, and each imports papermill/nbconvert/WeasyPrint once in :func:`init_worker` and keeps one
    warm report kernel (:mod:`.kernels`), shut down when the worker exits.
    """

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else int(workers)
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=init_worker)
        return self._pool

    def warm_up(self, task: dict[str, Any]) -> None:
        """Start the workers now and let each prepare its kernel and browser for ``task`` (the options every
        job of the run shares) while the runner prepares the stages; does not wait. One warm-up per worker:
        each takes about as long as a worker's start, so an idle worker takes the next one."""
        if self.workers == 0:
            return
        pool = self._get_pool()
        for _ in range(self.workers):
            pool.submit(warm_worker, task)

    def run(self, tasks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Submit ``tasks`` as the iterable gives them and yield results in completion order.

        The iterable is consumed lazily: the runner's tasks come stage by stage, and drawing the next one may
        mean preparing a stage in this process while the workers execute the reports submitted before it;
        reports that finish meanwhile are yielded between two draws."""
        if self.workers == 0:  # in-process: for debugging and tests that patch functions
            for t in tasks:
                yield execute_job(t)
            return
        futures: dict = {}
        pending: set = set()
        source = iter(tasks)
        drawing = True
        while drawing or pending:
            if drawing:
                task = next(source, None)
                if task is None:
                    drawing = False
                else:
                    fut = self._get_pool().submit(execute_job, task)
                    futures[fut] = task
                    pending.add(fut)
                done = {f for f in pending if f.done()}
            else:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                pending.discard(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool as exc:  # a worker died (e.g. out of memory): report, rebuild pool
                    self._pool = None
                    yield _worker_failure(futures[fut], exc)
                except Exception as exc:  # noqa: BLE001
                    yield _worker_failure(futures[fut], exc)

    def close(self) -> None:
        if self.workers == 0:  # in-process: the warm kernel belongs to this process
            from .kernels import discard_kernels  # noqa: PLC0415

            discard_kernels()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
