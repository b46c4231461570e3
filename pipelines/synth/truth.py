"""Ground truth of a rendered clip: what the renderer knows per frame and per rep, saved beside it.

Files: ``<video stem>.truth.json`` (spec, video facts, reps and events) and ``<video stem>.truth.npz``
(per-frame arrays). Pixel coordinates are in the *displayed* orientation (rotation applied),
origin top-left, y down. Metric coordinates: x forward (the lifter faces image right), y up,
origin at the bar's start position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.synth.spec import LiftSpec

_ARRAYS = (
    "t_s",
    "bar_xy_px",
    "plate_radius_px",
    "plate_ellipse",
    "m_per_px",
    "joints_xy_px",
    "bar_xy_m",
    "bar_velocity_mps",
    "bar_accel_mps2",
    "shake_px",
)


@dataclass(slots=True)
class GroundTruth:
    """Per frame (n frames):

    t_s (n,): presentation time of each frame, seconds from the first frame (from the real pts).
    bar_xy_px (n, 2): projected bar axis at the near plate's outer face (the plate centre).
    plate_radius_px (n,): mean projected plate radius.
    plate_ellipse (n, 5): fitted ellipse of the plate rim: cx, cy, semi-major, semi-minor, angle_deg.
    m_per_px (n,): metres per pixel in the near plate's plane (plate radius / ellipse semi-major).
    joints_xy_px (n, N_JOINTS, 2): canonical joints (services.inference.joints order), projected.
    bar_xy_m (n, 2): bar position, x forward, y up, origin at the bar's start position.
    bar_velocity_mps, bar_accel_mps2 (n, 2): analytic derivatives of bar_xy_m at t_s.
    shake_px (n, 2): image translation applied by camera shake.
    reps: one dict per rep: index, start_t_s, end_t_s, setup_start_t_s, release_t_s,
      events {name: {"t_s", "frame"}}, phases [{"name", "start_t_s", "end_t_s"}].
    """

    spec: LiftSpec
    width_px: int
    height_px: int
    rotation_deg: int
    fps: float
    t_s: np.ndarray
    bar_xy_px: np.ndarray
    plate_radius_px: np.ndarray
    plate_ellipse: np.ndarray
    m_per_px: np.ndarray
    joints_xy_px: np.ndarray
    bar_xy_m: np.ndarray
    bar_velocity_mps: np.ndarray
    bar_accel_mps2: np.ndarray
    shake_px: np.ndarray
    plate_radius_m: float
    bar_start_height_m: float
    reps: list[dict[str, Any]] = field(default_factory=list)
    video_path: str = ""

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    def frame_at(self, t_s: float) -> int:
        """Index of the frame nearest to t_s."""
        return int(np.argmin(np.abs(self.t_s - t_s)))

    def save(self, video_path: Path) -> tuple[Path, Path]:
        json_path, npz_path = truth_paths(video_path)
        meta = {
            "spec": self.spec.to_dict(),
            "width_px": self.width_px,
            "height_px": self.height_px,
            "rotation_deg": self.rotation_deg,
            "fps": self.fps,
            "n_frames": self.n_frames,
            "plate_radius_m": self.plate_radius_m,
            "bar_start_height_m": self.bar_start_height_m,
            "reps": self.reps,
            "video": Path(video_path).name,
            "arrays": npz_path.name,
        }
        json_path.write_text(json.dumps(meta, indent=1))
        np.savez_compressed(npz_path, **{name: getattr(self, name) for name in _ARRAYS})
        return json_path, npz_path


def truth_paths(video_path: Path) -> tuple[Path, Path]:
    p = Path(video_path)
    stem = p.name[: -len(".truth.json")] if p.name.endswith(".truth.json") else p.stem
    return p.with_name(stem + ".truth.json"), p.with_name(stem + ".truth.npz")


def load_ground_truth(path: Path | str) -> GroundTruth:
    """Load the truth saved beside a video; ``path`` is the video or its ``.truth.json``."""
    json_path, npz_path = truth_paths(Path(path))
    meta = json.loads(json_path.read_text())
    with np.load(npz_path) as z:
        arrays = {name: z[name] for name in _ARRAYS}
    return GroundTruth(
        spec=LiftSpec.from_dict(meta["spec"]),
        width_px=meta["width_px"],
        height_px=meta["height_px"],
        rotation_deg=meta["rotation_deg"],
        fps=meta["fps"],
        plate_radius_m=meta["plate_radius_m"],
        bar_start_height_m=meta["bar_start_height_m"],
        reps=meta["reps"],
        video_path=str(json_path.with_name(meta["video"])),
        **arrays,
    )
