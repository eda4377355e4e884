"""Run the same jobs on an existing Dask cluster (``iplayout run --scheduler ADDRESS``).

For users with hundreds of regions: every worker of the cluster must have iplayout installed and
see the run folder (shared file system), because each job writes its outputs there itself.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from .backends import _worker_failure
from .execute import execute_job


class DaskBackend:
    """Submit :func:`~iplayout.reporting.execute.execute_job` tasks to a ``distributed`` scheduler."""

    def __init__(self, address: str):
        from distributed import Client  # noqa: PLC0415

        self.address = address
        self.client = Client(address, set_as_default=False)

    @property
    def workers(self) -> int:
        return sum(w.get("nthreads", 1) for w in self.client.scheduler_info().get("workers", {}).values())

    def run(self, tasks: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        from distributed import as_completed  # noqa: PLC0415

        # a fresh kernel per report: warm kernels would outlive the run in the cluster's long-lived workers
        tasks = [dict(t, fresh_kernel=True) for t in tasks]
        # pure=False: a report is not a pure function of its arguments (it reads files and the clock)
        futures = {self.client.submit(execute_job, t, pure=False, key=f"iplayout-{t['run_id']}-{t['job']['job_id']}"): t
                   for t in tasks}
        for fut in as_completed(list(futures), loop=self.client.loop):
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001  (worker lost, serialisation …)
                yield _worker_failure(futures[fut], exc)

    def close(self) -> None:
        self.client.close()
