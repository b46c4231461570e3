"""Peak resident memory of a whole process tree (the driver plus Ray's processes), sampled from /proc."""

from __future__ import annotations

import contextlib
import os
import threading
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


def tree_rss_bytes(root_pid: int) -> int:
    children = _children_map()
    total, stack, page = 0, [root_pid], os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        stack.extend(children.get(pid, []))
    return total


class PeakRss:
    """Context manager sampling the tree's RSS every ``period_s``; ``peak_bytes`` afterwards."""

    def __init__(self, root_pid: int | None = None, period_s: float = 0.2) -> None:
        self.root_pid = root_pid or os.getpid()
        self.period_s = period_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.root_pid))
            self._stop.wait(self.period_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
