"""One annotated JPEG per lift event (the frame with skeleton, bar path so far and readouts)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import av
import cv2

from pipelines.errors import AnalysisError
from pipelines.render.draw import draw_frame
from pipelines.render.overlay import OverlayData
from pipelines.render.video_io import (
    displayed_rgb,
    displayed_size,
    first_frame_pts,
    frames_from,
    open_video,
    output_size,
)

KEYFRAME_LONG_SIDE_PX = 1280
JPEG_QUALITY = 90
SEEK_AFTER_FRAMES = 90  # without the key frame list: a farther event is reached by seeking
_SAFE_NAME = re.compile(r"^[a-z0-9_]+$")


def write_keyframes(
    video_path: Path,
    events: dict[str, dict],
    overlay: OverlayData,
    out_dir: Path,
    keyframe_index: Sequence[int] | None = None,
) -> dict[str, Path]:
    """Write out_dir/<event>.jpg for each event ({"t_s": float, "frame": int}); returns event -> path.

    Events are visited in time order. The next one is reached by decoding on from the previous one, or by
    a seek (which restarts at the key frame before it) when that decodes fewer frames: with
    ``keyframe_index`` (the clip's key frames, ProbeResult.keyframe_index) exactly when a key frame lies
    after the last decoded frame and at or before the event; without it, when the event is more than
    SEEK_AFTER_FRAMES away. Event names become file names, so only [a-z0-9_] is accepted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, event in events.items():
        if not _SAFE_NAME.match(name):
            raise ValueError(f"event name: expected [a-z0-9_]+, got {name!r}")
        if not 0 <= int(event["frame"]) < overlay.n_frames:
            raise ValueError(f"event {name}: frame {event['frame']} outside 0..{overlay.n_frames - 1}")
    first_pts = first_frame_pts(video_path)
    written: dict[str, Path] = {}
    container, stream = open_video(video_path, threads=0)
    frames: Iterator[tuple[float, av.VideoFrame]] | None = None
    position = -1  # index of the last frame decoded, -1 before any
    try:
        for name, event in sorted(events.items(), key=lambda kv: int(kv[1]["frame"])):
            target = int(event["frame"])
            # Events are close together (a lift lasts seconds): decoding on from the previous event is
            # cheaper than a seek, which restarts at the key frame before the target (with a long GOP,
            # every seek would decode from the clip's start again).
            if frames is None or target <= position or _seek_is_shorter(position, target, keyframe_index):
                frames = frames_from(container, stream, float(overlay.t_s[target]), first_pts)
            for t_s, frame in frames:
                i = overlay.frame_at(t_s)
                if i is not None:
                    position = i
                if i is None or i < target:
                    continue
                if i > target:
                    raise AnalysisError(f"key frame {name}: frame {target} not decodable (got {i})")
                disp_w, disp_h = displayed_size(frame)
                out_w, out_h, scale = output_size(disp_w, disp_h, KEYFRAME_LONG_SIDE_PX)
                rgb = draw_frame(displayed_rgb(frame, out_w, out_h), overlay, i, scale)
                path = out_dir / f"{name}.jpg"
                ok = cv2.imwrite(
                    str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
                )
                if not ok:
                    raise AnalysisError(f"key frame {name}: could not write {path}")
                written[name] = path
                break
            if name not in written:
                raise AnalysisError(f"key frame {name}: video ended before frame {target}")
    finally:
        container.close()
    return written


def _seek_is_shorter(position: int, target: int, keyframe_index: Sequence[int] | None) -> bool:
    """Whether seeking to frame ``target`` decodes fewer frames than decoding on from ``position``: a seek
    restarts at the last key frame at or before the target, so it is shorter exactly when that key frame
    comes after ``position``."""
    if keyframe_index is None:
        return target - position > SEEK_AFTER_FRAMES
    return any(position < int(k) <= target for k in keyframe_index)
