"""Where a Ray task reads the clip from: a local path, or the file's bytes from Ray's object store.

On one machine (the embedded mode, `make up`) every task can open the driver's file by its path. In a
cluster the runner is a driver in the head pod and the tasks run in worker pods that cannot see its
temporary folder, so the driver puts the file's bytes into the object store once; each node fetches
them once and every task on it reads them zero-copy (a read-only numpy view of the shared memory).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import av
import numpy as np

# A task's clip: a path on a file system the task can see, or the file's bytes (uint8, one dimension).
VideoSource = str | Path | np.ndarray


def read_source_bytes(path: Path) -> np.ndarray:
    """The file's bytes as a uint8 array, ready for ray.put (numpy arrays travel zero-copy; bytes do not)."""
    return np.fromfile(path, dtype=np.uint8)


class BufferFile(io.RawIOBase):
    """A read-only, seekable file over a byte buffer, without copying it (PyAV reads through it)."""

    def __init__(self, data: np.ndarray) -> None:
        super().__init__()
        array = np.ascontiguousarray(data, dtype=np.uint8)
        self._view = array.data.cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), len(self._view) - self._pos)
        if n <= 0:
            return 0
        memoryview(buffer).cast("B")[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def open_source(source: VideoSource) -> av.container.InputContainer:
    """av.open on a path or on a buffer of the file's bytes."""
    if isinstance(source, np.ndarray):
        return av.open(BufferFile(source), mode="r")
    return av.open(str(source), mode="r")


def describe_source(source: VideoSource) -> str:
    """For error messages: the file name, or the buffer's size."""
    if isinstance(source, np.ndarray):
        return f"<video bytes, {source.size} B>"
    return str(source)
