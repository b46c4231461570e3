"""Ray shell of the annotated video: encode frame-range chunks as parallel Ray tasks (bounded in flight),
then join them into one MP4 without re-encoding. The drawing and encoding itself is pure
(pipelines/render/annotated_chunk.py); this is the only render module that imports ray."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import ray

from pipelines.render.annotated_chunk import render_annotated_chunk
from pipelines.render.mp4_join import join_mp4_chunks
from pipelines.render.overlay import OverlayData


def chunk_ranges(n_frames: int, chunk_frames: int) -> list[tuple[int, int]]:
    """[start, end) frame ranges of at most chunk_frames; a short tail (< chunk_frames / 2) joins the
    previous chunk, since every chunk pays for decoding from the key frame before its start."""
    if n_frames <= 0 or chunk_frames <= 0:
        raise ValueError(
            f"chunk_ranges: expected n_frames > 0 and chunk_frames > 0, got {n_frames}, {chunk_frames}"
        )
    starts = list(range(0, n_frames, chunk_frames))
    if len(starts) > 1 and n_frames - starts[-1] < chunk_frames // 2:
        starts.pop()
    ends = [*starts[1:], n_frames]
    return list(zip(starts, ends, strict=True))


@ray.remote(num_cpus=1)
def _render_chunk_task(video_path: str, start: int, end: int, overlay: OverlayData, out_path: str) -> int:
    return render_annotated_chunk(Path(video_path), start, end, overlay, Path(out_path))


def render_annotated_video(
    video_path: Path,
    overlay: OverlayData,
    out_path: Path,
    n_frames: int,
    chunk_frames: int = 150,
    max_in_flight: int = 2,
) -> int:
    """Write the annotated video of the whole clip to out_path; returns frames written.

    Clips of at most chunk_frames frames, or any clip when Ray is not initialised, are rendered in this
    process (chunk by chunk, one frame in memory at a time). Otherwise chunks run as Ray tasks, at most
    max_in_flight at once, each with one encoder/decoder thread (one task per core), and are joined.
    The chunk files need the video path to be readable by the workers (same node or shared storage).
    """
    if n_frames != overlay.n_frames:
        raise ValueError(
            f"render_annotated_video: overlay has {overlay.n_frames} frames, n_frames={n_frames}"
        )
    ranges = chunk_ranges(n_frames, chunk_frames)
    if len(ranges) == 1:
        return render_annotated_chunk(video_path, 0, n_frames, overlay, out_path)
    work_dir = Path(tempfile.mkdtemp(prefix=".chunks-", dir=out_path.parent))
    try:
        paths = [work_dir / f"chunk_{k:05d}.mp4" for k in range(len(ranges))]
        if ray.is_initialized():
            written = _render_chunks_on_ray(video_path, overlay, ranges, paths, max_in_flight)
        else:
            written = sum(
                render_annotated_chunk(video_path, a, b, overlay, p)
                for (a, b), p in zip(ranges, paths, strict=True)
            )
        join_mp4_chunks(paths, out_path)
        return written
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _render_chunks_on_ray(
    video_path: Path,
    overlay: OverlayData,
    ranges: list[tuple[int, int]],
    paths: list[Path],
    max_in_flight: int,
) -> int:
    overlay_ref = ray.put(dataclasses.replace(overlay, encode_threads=1))  # put once, shared by all tasks
    pending: list[ray.ObjectRef] = []
    written = 0
    for (start, end), path in zip(ranges, paths, strict=True):
        if len(pending) >= max(1, max_in_flight):
            done, pending = ray.wait(pending, num_returns=1)
            written += sum(ray.get(done))
        pending.append(_render_chunk_task.remote(str(video_path), start, end, overlay_ref, str(path)))
    written += sum(ray.get(pending))
    return written
