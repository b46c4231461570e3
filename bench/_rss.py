"""Peak resident memory of a whole process tree (the driver plus Ray's processes), sampled from /proc.

Two sums: RSS counts every shared page (the Python runtime, numpy, OpenCV, the Ray object store's
shared memory) once per process that maps it, so a tree of a dozen Python processes over-counts; PSS
(proportional set size, /proc/PID/smaps_rollup) splits each shared page among its users and sums to
the memory the tree really holds. Both are reported."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _tree_pids(root_pid: int) -> list[int]:
    children = _children_map()
    pids, stack = [], [root_pid]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    return pids


def _pss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_rss_bytes(root_pid: int) -> int:
    total, page = 0, os.sysconf("SC_PAGE_SIZE")
    for pid in _tree_pids(root_pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
    return total


def tree_pss_bytes(root_pid: int) -> int:
    return sum(tree_pss_by_process(root_pid).values())


def process_name(pid: int) -> str:
    """Ray's title (``ray::<task or actor>``, ``ray::IDLE``), the script a Python interpreter runs, or
    the executable's file name."""
    args = [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    if args[0].startswith("ray::"):
        return args[0].split(".", 1)[0].split(" ")[0]
    name = Path(args[0].split(" ")[0]).name
    if name.startswith("python"):  # `python [-u] script.py ...`: the script says what it is
        name = next((Path(a).name for a in args[1:] if a.endswith(".py")), name)
    return name


def _cpu_ticks(pid: int, include_reaped_children: bool) -> int:
    """utime + stime of pid (clock ticks), plus cutime + cstime of the children it has reaped if asked."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11 : 15 if include_reaped_children else 13])


def tree_pss_by_process(root_pid: int) -> dict[str, int]:
    """PSS bytes of each live process of the tree, keyed ``name[pid]``."""
    out: dict[str, int] = {}
    for pid in _tree_pids(root_pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            out[f"{process_name(pid)}[{pid}]"] = _pss_bytes(pid)
    return out


class PeakRss:
    """Context manager sampling the tree's RSS and PSS every ``period_s``; ``peak_bytes`` (summed RSS)
    and ``peak_pss_bytes`` afterwards."""

    def __init__(self, root_pid: int | None = None, period_s: float = 0.2) -> None:
        self.root_pid = root_pid or os.getpid()
        self.period_s = period_s
        self.peak_bytes = 0  # summed RSS
        self.peak_pss_bytes = 0
        self.peak_pss_by_process: dict[str, int] = {}  # the breakdown at the PSS peak
        self._cpu_ticks_by_pid: dict[int, int] = {}  # the last utime + stime seen per process
        self.sampler_cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # smaps_rollup walks every mapping (~5 ms a large process): PSS is read only near the RSS peak and
        # at most once a second, and the sampler's own CPU is kept (sampler_cpu_s) for callers to subtract.
        last_pss = 0.0
        while not self._stop.is_set():
            rss = tree_rss_bytes(self.root_pid)
            self._sample_cpu()
            self.peak_bytes = max(self.peak_bytes, rss)
            now = time.monotonic()
            if rss >= 0.95 * self.peak_bytes and now - last_pss >= 1.0:
                by_process = tree_pss_by_process(self.root_pid)
                if sum(by_process.values()) > self.peak_pss_bytes:
                    self.peak_pss_bytes, self.peak_pss_by_process = sum(by_process.values()), by_process
                last_pss = now
            self.sampler_cpu_s = time.thread_time()
            self._stop.wait(self.period_s)

    def _sample_cpu(self) -> None:
        for pid in _tree_pids(self.root_pid):
            with contextlib.suppress(OSError, ValueError, IndexError):
                self._cpu_ticks_by_pid[pid] = _cpu_ticks(pid, include_reaped_children=False)

    @property
    def tree_cpu_s_seen(self) -> float:
        """CPU seconds of every process of the tree seen while sampling (each as last sampled, so a
        process loses at most one period of CPU before it exits): a cold run's CPU, which a parent
        cannot read with getrusage because Ray's processes are not all reaped by their parents."""
        return sum(self._cpu_ticks_by_pid.values()) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def tree_cpu_s(root_pid: int | None = None) -> float:
    """User + system CPU seconds of the live process tree (plus children it has reaped): the delta over
    a warm run is its CPU cost, steadier than wall time on a loaded machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _tree_pids(root_pid or os.getpid()):
        with contextlib.suppress(OSError):
            total += _cpu_ticks(pid, include_reaped_children=True)
    return total / tick


def tree_cpu_by_name(root_pid: int | None = None) -> dict[str, float]:
    """CPU seconds of the live process tree grouped by process title (Ray sets ``ray::<task or actor>``;
    idle pooled workers read ``ray::IDLE``), for a per-role breakdown of a run (deltas between calls)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for pid in _tree_pids(root_pid or os.getpid()):
        with contextlib.suppress(OSError, IndexError):
            out[f"{process_name(pid)}[{pid}]"] = _cpu_ticks(pid, include_reaped_children=True) / tick
    return out
