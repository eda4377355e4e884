"""Run a command and print where its CPU went: user/system seconds per kind of process in its tree, and the
machine's CPU shares (user, nice, system, idle) over the run and per 5-second window.

What the pool's timings cannot show: the browser's own processes, the report kernels apart from the pool's
workers, and whether a core sat idle (e.g. while stages were prepared). The tree is sampled every 0.25 s, so a
process that lives shorter than that may be missed; ``nice`` is other people's work on a shared machine.

Usage:
    python benchmarks/cpu_by_process.py .venv/bin/iplayout run params/runs/jiangsu-stage-2016.yaml \
        --only 01_survey/region --reports-dir /tmp/rr --no-reuse
"""
from __future__ import annotations

import subprocess
import sys
import time

import psutil

FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def machine_times() -> list[int]:
    with open("/proc/stat", encoding="ascii") as fh:
        return [int(v) for v in fh.readline().split()[1:1 + len(FIELDS)]]


def kind(proc: psutil.Process) -> str:
    """``kernel``, ``worker``, ``<browser>/<type>`` or the process name."""
    cmd = " ".join(proc.cmdline()[:6])
    name = proc.name()
    if "ipykernel" in cmd:
        return "kernel"
    if "multiprocessing" in cmd:
        return "worker"
    if name.startswith("chromium") or name.startswith("chrome"):
        sub = cmd.split("--type=")[1].split()[0] if "--type=" in cmd else "browser"
        return f"{name[:24]}/{sub}"
    return name


def shares(a: list[int], b: list[int]) -> str:
    d = [y - x for x, y in zip(a, b)]
    total = sum(d) or 1
    return " ".join(f"{n} {100 * v / total:3.0f}%" for n, v in zip(FIELDS[:5], d))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    start, t0 = machine_times(), time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(child.pid)
    seen: dict[int, tuple[str, float, float]] = {}
    windows, last_t, last = [], 0.0, start
    while child.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            procs = []
        for p in procs:
            try:
                t = p.cpu_times()
                seen[p.pid] = (seen[p.pid][0] if p.pid in seen else kind(p), t.user, t.system)
            except psutil.Error:
                pass
        now = time.perf_counter() - t0
        if now - last_t >= 5:
            cur = machine_times()
            windows.append(f"  {last_t:5.1f}–{now:5.1f} s: {shares(last, cur)}")
            last_t, last = now, cur
        time.sleep(0.25)
    wall = time.perf_counter() - t0
    print(f"exit {child.returncode}, wall {wall:.1f} s; machine over the run: {shares(start, machine_times())}")
    by: dict[str, list[float]] = {}
    for name, user, system in seen.values():
        acc = by.setdefault(name, [0.0, 0.0])
        acc[0] += user
        acc[1] += system
    print("CPU seconds by process kind (user, system):")
    for name, (user, system) in sorted(by.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {name:36s} {user:7.1f} {system:6.1f}")
    total = sum(u + s for u, s in by.values())
    print(f"  {'total':36s} {total:7.1f} s = {total / wall:.2f} cores busy on average")
    print("\n".join(windows))
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
