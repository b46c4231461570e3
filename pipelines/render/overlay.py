"""OverlayData: everything the annotated video draws, per frame, as plain arrays (cheap to ship to Ray)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.render.units import check_units
from pipelines.types import BarTrack, PoseTrack
from services.inference.joints import N_JOINTS

# Warning codes whose messages are burnt into the video (the rest only go to the report).
VIDEO_WARNING_PREFIXES = ("calibration", "camera", "yaw", "lifter", "pose", "bar", "confidence", "occlu")
MAX_VIDEO_WARNINGS = 3


@dataclass(frozen=True, slots=True)
class OverlayData:
    """Per-frame overlay inputs, row i = frame i of the clip (displayed-frame pixels, y down).

    t_s: (n,) presentation time of each frame from the first frame.
    keypoints_xy_px: (n, N_JOINTS, 2) float32, NaN where unknown.
    visibility: (n, N_JOINTS) float32 in [0, 1].
    lifter_found: (n,) bool.
    bar_xy_px: (n, 2) float64, NaN where the bar is lost.
    bar_lost: (n,) bool, bar source == "lost".
    bar_speed_mps: (n,) float64, NaN where unavailable.
    bar_height_m: (n,) float64 (y up, from the bar's start position), NaN where unavailable.
    phase: (n,) object array of phase names, "" outside phases.
    warnings: messages shown on every frame (calibration, camera angle, confidence).
    units: "metric" or "imperial" for the readouts.
    speed_scale_mps: bar speed mapped to the hottest trail colour.
    trail_window_s: how much of the bar path so far is drawn.
    out_long_side_px: output frames are scaled so their long side is at most this (0: keep size).
    min_visibility: joints below this visibility are not drawn.
    encode_preset, encode_crf, encode_tune, encode_threads: libx264 settings (docs/performance.md).
    """

    t_s: np.ndarray
    keypoints_xy_px: np.ndarray
    visibility: np.ndarray
    lifter_found: np.ndarray
    bar_xy_px: np.ndarray
    bar_lost: np.ndarray
    bar_speed_mps: np.ndarray
    bar_height_m: np.ndarray
    phase: np.ndarray
    warnings: tuple[str, ...] = ()
    units: str = "metric"
    speed_scale_mps: float = 2.5
    trail_window_s: float = 8.0
    out_long_side_px: int = 960
    min_visibility: float = 0.3
    encode_preset: str = "veryfast"
    encode_crf: int = 23
    encode_tune: str = ""
    encode_threads: int = 0  # 0: libx264/decoder pick; Ray chunk tasks set 1 (one core each)

    def __post_init__(self) -> None:
        n = self.t_s.shape[0]
        expect = {
            "keypoints_xy_px": (n, N_JOINTS, 2),
            "visibility": (n, N_JOINTS),
            "lifter_found": (n,),
            "bar_xy_px": (n, 2),
            "bar_lost": (n,),
            "bar_speed_mps": (n,),
            "bar_height_m": (n,),
            "phase": (n,),
        }
        for name, shape in expect.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"OverlayData.{name}: expected {shape}, got {got}")
        check_units(self.units)
        if not self.speed_scale_mps > 0:
            raise ValueError(f"OverlayData.speed_scale_mps: expected > 0, got {self.speed_scale_mps}")

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    def frame_at(self, t_s: float) -> int | None:
        """Row of the frame shown at time t_s (nearest within half a frame), or None."""
        n = self.n_frames
        if n == 0:
            return None
        i = int(np.searchsorted(self.t_s, t_s))
        candidates = [j for j in (i - 1, i) if 0 <= j < n]
        best = min(candidates, key=lambda j: abs(float(self.t_s[j]) - t_s))
        half_frame_s = 0.5 * float(np.median(np.diff(self.t_s))) if n > 1 else 0.5
        return best if abs(float(self.t_s[best]) - t_s) <= half_frame_s + 1e-6 else None


def _series_or_nan(series: dict[str, np.ndarray], name: str, n: int) -> np.ndarray:
    values = series.get(name)
    if values is None:
        return np.full(n, np.nan)
    out = np.asarray(values, dtype=np.float64)
    if out.shape != (n,):
        raise ValueError(f"series[{name!r}]: expected shape {(n,)}, got {out.shape}")
    return out


def phase_per_frame(t_s: np.ndarray, phases: list[dict]) -> np.ndarray:
    """(n,) object array naming the phase each frame falls in ("" outside); phases are dicts with
    name, start_t_s, end_t_s (report.json form). A later phase wins where two touch."""
    out = np.full(t_s.shape[0], "", dtype=object)
    for phase in phases:
        inside = (t_s >= float(phase["start_t_s"])) & (t_s < float(phase["end_t_s"]))
        out[inside] = str(phase["name"])
    return out


def video_warnings(warnings: list[dict]) -> tuple[str, ...]:
    """Messages worth burning into the video: calibration, camera angle and confidence warnings."""
    picked = [
        str(w.get("message") or w.get("code"))
        for w in warnings
        if str(w.get("code", "")).lower().startswith(VIDEO_WARNING_PREFIXES)
    ]
    return tuple(picked[:MAX_VIDEO_WARNINGS])


def overlay_from(
    pose: PoseTrack,
    bar: BarTrack,
    series: dict[str, np.ndarray],
    phases: list[dict],
    warnings: list[dict],
    units: str,
) -> OverlayData:
    """Collect what the video draws. series holds kinematics columns (bar_speed_mps, bar_y_m, phase)."""
    n = pose.n_frames
    if bar.t_s.shape[0] != n:
        raise ValueError(f"BarTrack: expected {n} frames like the PoseTrack, got {bar.t_s.shape[0]}")
    bar_lost = np.asarray(bar.source == "lost", dtype=bool)
    bar_xy = np.stack([bar.x_px, bar.y_px], axis=1).astype(np.float64)
    bar_xy[bar_lost] = np.nan
    if "phase" in series and len(series["phase"]) == n:
        phase = np.array(["" if p is None else str(p) for p in series["phase"]], dtype=object)
    else:
        phase = phase_per_frame(np.asarray(pose.t_s, dtype=np.float64), phases)
    speed = _series_or_nan(series, "bar_speed_mps", n)
    finite_speed = speed[np.isfinite(speed)]
    # The colour scale follows this lift (a slow clean pull still shows contrast), never below 1 m/s.
    speed_scale = max(1.0, float(np.percentile(finite_speed, 98))) if finite_speed.size else 2.5
    return OverlayData(
        t_s=np.asarray(pose.t_s, dtype=np.float64),
        keypoints_xy_px=np.asarray(pose.keypoints_xy_px, dtype=np.float32),
        visibility=np.asarray(pose.visibility, dtype=np.float32),
        lifter_found=np.asarray(pose.lifter_found, dtype=bool),
        bar_xy_px=bar_xy,
        bar_lost=bar_lost,
        bar_speed_mps=speed,
        bar_height_m=_series_or_nan(series, "bar_y_m", n),
        phase=phase,
        warnings=video_warnings(warnings),
        units=units,
        speed_scale_mps=speed_scale,
    )
