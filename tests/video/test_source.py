from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pipelines.video.decode import decode_segment, plan_segments
from pipelines.video.probe import probe_video
from pipelines.video.source import BufferFile, read_source_bytes
from tests.support.clips import encode_clip


def test_decoding_from_the_bytes_gives_the_frames_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    encode_clip(path, width=160, height=120, n_frames=24, gop=8)
    probe = probe_video(path)
    data = read_source_bytes(path)
    data.flags.writeable = False  # as Ray hands it to a task: a read-only view of shared memory
    for segment in plan_segments(probe, segment_s=0.3)[1:3]:  # later segments seek first
        from_file = list(decode_segment(path, probe, segment, (80, 60), include_previous=True))
        from_bytes = list(decode_segment(data, probe, segment, (80, 60), include_previous=True))
        assert [i for i, _ in from_bytes] == [i for i, _ in from_file]
        for (_, a), (_, b) in zip(from_file, from_bytes, strict=True):
            np.testing.assert_array_equal(a, b)


def test_buffer_file_reads_and_seeks_like_a_file(tmp_path: Path) -> None:
    data = np.frombuffer(bytes(range(256)) * 4, dtype=np.uint8)
    f = BufferFile(data)
    assert f.read(3) == b"\x00\x01\x02"
    assert f.seek(-2, os.SEEK_END) == 1022 and f.read(10) == b"\xfe\xff" and f.read(1) == b""
    assert f.seek(5) == 5 and f.seek(2, os.SEEK_CUR) == 7 and f.tell() == 7 and f.read(1) == b"\x07"
