"""Ray shell of the annotated video: encode frame-range chunks as parallel Ray tasks (bounded in flight),
then join them into one MP4 without re-encoding. The drawing and encoding itself is pure
(pipelines/render/annotated_chunk.py); this is the only render module that imports ray."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import ray

from pipelines.render.annotated_chunk import (
    SourceTiming,
    render_annotated_chunk,
    render_annotated_chunk_from_proxies,
)
from pipelines.render.mp4_join import join_mp4_chunks
from pipelines.render.overlay import OverlayData
from pipelines.shell.heap import release_free_heap
from pipelines.video.proxy import ProxySegment, proxies_cover
from pipelines.video.source import VideoSource


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


def plan_chunks(
    n_frames: int,
    max_chunk_frames: int,
    parallel: int,
    min_chunk_frames: int = 60,
    keyframes: Sequence[int] = (),
) -> list[tuple[int, int]]:
    """[start, end) ranges of about equal length: at least ``parallel`` chunks (so every worker has one),
    none longer than max_chunk_frames, none shorter than min_chunk_frames (each chunk pays for decoding
    from the key frame before its start and for its own encoder start-up). A boundary moves to a key
    frame (indices in ``keyframes``) within a fifth of a chunk of it, so that its chunk decodes nothing
    twice."""
    if n_frames <= 0 or max_chunk_frames <= 0:
        raise ValueError(
            f"plan_chunks: expected n_frames > 0 and max_chunk_frames > 0, got {n_frames}, {max_chunk_frames}"
        )
    count = max(1, parallel, -(-n_frames // max_chunk_frames))
    count = max(1, min(count, n_frames // max(1, min_chunk_frames)))
    bounds = [round(k * n_frames / count) for k in range(count + 1)]
    keys = np.asarray(sorted(int(k) for k in keyframes if 0 < int(k) < n_frames), dtype=np.int64)
    if keys.size:
        reach = n_frames / count / 5
        for j in range(1, count):
            nearest = int(keys[np.argmin(np.abs(keys - bounds[j]))])
            if abs(nearest - bounds[j]) <= reach and bounds[j - 1] < nearest < bounds[j + 1]:
                bounds[j] = nearest
    return list(itertools.pairwise(bounds))


@dataclass(frozen=True, slots=True)
class ProxyFrames:
    """Where a render takes its frames from when the analysis pass left proxies (pipelines/video/proxy.py)."""

    proxies: tuple[ProxySegment, ...]
    timing: SourceTiming

    def overlapping(self, start: int, end: int) -> tuple[ProxySegment, ...]:
        return tuple(p for p in self.proxies if p.start_frame < end and p.end_frame > start)


def _render_one(
    video_path: VideoSource,
    start: int,
    end: int,
    overlay: OverlayData,
    out_path: Path,
    frames: ProxyFrames | None,
) -> int:
    if frames is None:
        return render_annotated_chunk(video_path, start, end, overlay, out_path)
    return render_annotated_chunk_from_proxies(
        frames.overlapping(start, end), start, end, overlay, frames.timing, out_path
    )


@ray.remote(num_cpus=1)
def _render_chunk_task(
    source: VideoSource, start: int, end: int, overlay: OverlayData, frames: ProxyFrames | None,
) -> tuple[int, bytes]:
    """(frames written, the chunk's MP4): written in the worker's own temporary folder and returned as
    bytes, since the worker may run on another node than the driver that joins the chunks."""
    with tempfile.TemporaryDirectory(prefix="liftlab-chunk-") as tmp:
        path = Path(tmp) / "chunk.mp4"
        written = _render_one(source, start, end, overlay, path, frames)
        data = path.read_bytes()
    release_free_heap()  # decoded and drawn frames: back to the OS before this worker's next task
    return written, data


def render_annotated_video(
    video_path: Path,
    overlay: OverlayData,
    out_path: Path,
    n_frames: int,
    chunk_frames: int = 150,
    max_in_flight: int = 2,
    task_num_cpus: float = 1.0,
    ranges: list[tuple[int, int]] | None = None,
    frames: ProxyFrames | None = None,
    task_source: str | ray.ObjectRef | None = None,
) -> int:
    """Write the annotated video of the whole clip to out_path; returns frames written.

    frames: proxies of the whole clip to draw on (else the source is decoded again).
    task_source: how Ray tasks reach the source when they must decode it (no proxies): its path (same
    machine, the default) or an object ref to its bytes (pipelines/video/source.py).

    ranges (default: chunk_ranges(n_frames, chunk_frames)) are the chunks. One chunk, or any clip when
    Ray is not initialised, is rendered in this process (one frame in memory at a time). Otherwise
    chunks run as Ray tasks holding task_num_cpus each, at most max_in_flight at once, each with one
    encoder/decoder thread, return their MP4s as bytes, and are joined here.
    """
    if n_frames != overlay.n_frames:
        raise ValueError(
            f"render_annotated_video: overlay has {overlay.n_frames} frames, n_frames={n_frames}"
        )
    ranges = ranges or chunk_ranges(n_frames, chunk_frames)
    if ranges[0][0] != 0 or ranges[-1][1] != n_frames:
        raise ValueError(
            f"render_annotated_video: chunks {ranges[0]}..{ranges[-1]} do not cover {n_frames} frames"
        )
    if len(ranges) == 1:
        return _render_one(video_path, 0, n_frames, overlay, out_path, frames)
    work_dir = Path(tempfile.mkdtemp(prefix=".chunks-", dir=out_path.parent))
    try:
        paths = [work_dir / f"chunk_{k:05d}.mp4" for k in range(len(ranges))]
        if ray.is_initialized():
            source = task_source if task_source is not None else str(video_path)
            written = _render_chunks_on_ray(
                source, overlay, ranges, paths, max_in_flight, task_num_cpus, frames
            )
        else:
            written = sum(
                _render_one(video_path, a, b, overlay, path, frames)
                for (a, b), path in zip(ranges, paths, strict=True)
            )
        join_mp4_chunks(paths, out_path)
        return written
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def start_annotated_video(
    video_path: Path,
    overlay: OverlayData,
    out_path: Path,
    n_frames: int,
    chunk_frames: int = 300,
    max_in_flight: int = 2,
    task_num_cpus: float = 1.0,
    keyframes: Sequence[int] = (),
    frames: ProxyFrames | None = None,
    task_source: str | ray.ObjectRef | None = None,
) -> Future[int]:
    """render_annotated_video in a background thread, so that the caller can write key frames and the
    HTML report while the Ray chunk tasks encode; ``.result()`` returns the frames written (or raises).
    Chunks: plan_chunks(...) - with 2 in flight a 10 s clip is 2 chunks, split at a key frame if near
    (with proxies covering the clip: at a proxy's first frame, so no proxy is decoded twice). Proxies
    that do not cover every frame once are not used (the source is decoded again)."""
    if frames is not None and not proxies_cover(frames.proxies, n_frames):
        frames = None
    if frames is not None:
        keyframes = [p.start_frame for p in frames.proxies]
    parallel = max_in_flight if ray.is_initialized() else 1
    ranges = plan_chunks(n_frames, chunk_frames, parallel, keyframes=keyframes)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
    try:
        return executor.submit(
            render_annotated_video, video_path, overlay, out_path, n_frames,
            max_in_flight=max_in_flight, task_num_cpus=task_num_cpus, ranges=ranges, frames=frames,
            task_source=task_source,
        )
    finally:
        executor.shutdown(wait=False)  # the thread finishes its one job, then exits


def _render_chunks_on_ray(
    source: str | ray.ObjectRef,
    overlay: OverlayData,
    ranges: list[tuple[int, int]],
    paths: list[Path],
    max_in_flight: int,
    task_num_cpus: float,
    frames: ProxyFrames | None,
) -> int:
    overlay_ref = ray.put(dataclasses.replace(overlay, encode_threads=1))  # put once, shared by all tasks
    task = _render_chunk_task.options(num_cpus=task_num_cpus)
    pending: dict[ray.ObjectRef, Path] = {}
    written = 0

    def collect(done: list[ray.ObjectRef]) -> int:
        frames_done = 0
        for ref in done:
            count, mp4 = ray.get(ref)
            pending.pop(ref).write_bytes(mp4)
            frames_done += count
        return frames_done

    for (start, end), path in zip(ranges, paths, strict=True):
        if len(pending) >= max(1, max_in_flight):
            done, _ = ray.wait(list(pending), num_returns=1)
            written += collect(done)
        # each task gets only the proxies of its own range (bytes in Ray's object store, any node)
        chunk_frames = None if frames is None else dataclasses.replace(
            frames, proxies=frames.overlapping(start, end)
        )
        pending[task.remote(source, start, end, overlay_ref, chunk_frames)] = path
    written += collect(list(pending))
    return written
