"""release_free_heap hands freed heap pages back to the OS (the memory a Ray worker keeps between tasks)."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: free one large block (glibc then raises its mmap threshold, as after a
# decoded frame), allocate 60 frame-sized blocks from the heap with live blocks between them (so the
# heap cannot shrink from its top), free the frames, then trim.
_PROGRAM = textwrap.dedent(
    """
    import ctypes, os
    from pipelines.shell.heap import release_free_heap

    def rss_mib():
        return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(libc.malloc(8_000_000))
    frames, pins = [], []
    for _ in range(60):
        block = libc.malloc(1_500_000)
        ctypes.memset(block, 1, 1_500_000)
        frames.append(block)
        pins.append(libc.malloc(100_000))
    for block in frames:
        libc.free(block)
    before = rss_mib()
    released = release_free_heap()
    print(released, before, rss_mib())
    """
)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_freed_frames_leave_the_process_after_release() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROGRAM], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
    ).stdout.split()
    released, before_mib, after_mib = out[0] == "True", float(out[1]), float(out[2])
    assert released
    assert before_mib - after_mib > 60  # ~86 MiB of freed frames were still resident before the trim
