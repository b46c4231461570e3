"""Top-level MP4 box order, read from the file (to check +faststart: moov before mdat)."""

from __future__ import annotations

import struct
from pathlib import Path


def top_level_boxes(path: Path) -> list[str]:
    names: list[str] = []
    data = path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        names.append(kind.decode("latin-1"))
        pos += size
    return names
