"""``render_lift``: build the lift, draw every frame, stream it to H.264 and save the ground truth."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from pipelines.synth.anthropometry import Anthropometry
from pipelines.synth.background import render_background
from pipelines.synth.body import solve_body
from pipelines.synth.camera import Camera, frame_camera
from pipelines.synth.channels import BODY_CHANNELS, sample
from pipelines.synth.draw_barbell import PLATE_FACE_Z_M, draw_far_end, draw_near_end, near_plate_view
from pipelines.synth.draw_body import Figure, Outfit
from pipelines.synth.encode import VideoWriter, frame_times
from pipelines.synth.extras import Shake, bystander_channels, bystander_points
from pipelines.synth.spec import PLATE_COLOURS_BGR, LiftSpec, default_bitrate_bps
from pipelines.synth.timeline import Timeline, build_timeline
from pipelines.synth.truth import GroundTruth
from services.inference.joints import N_JOINTS

_NOISE_BANK = 4
_BYSTANDER_OUTFIT = Outfit(
    skin=(95, 125, 170), hair=(20, 20, 25), shirt=(60, 140, 60), shorts=(90, 70, 50), shoes=(40, 40, 40)
)


class _Scene:
    """Everything needed to draw any instant of the clip."""

    def __init__(self, spec: LiftSpec, timeline: Timeline, rng: np.random.Generator) -> None:
        self.spec = spec
        self.tl = timeline
        self.anthro = Anthropometry(spec.lifter_height_m)
        self.grip_half = self.anthro.grip_half_m("snatch" if spec.exercise == "snatch" else "clean")
        self.camera: Camera = frame_camera(
            spec.width_px,
            spec.height_px,
            spec.camera_distance_m,
            spec.camera_yaw_deg,
            spec.lifter_height_m,
            PLATE_FACE_Z_M,
            timeline.plate_radius_m,
        )
        self.pad = int(np.ceil(4 * spec.camera_shake_px)) + 2 if spec.camera_shake_px > 0 else 0
        self.background = render_background(
            self.camera, spec.dark_floor, spec.second_barbell, timeline.plate_radius_m, rng, self.pad
        )
        self.shake = Shake(spec.camera_shake_px, rng)
        self.colour = PLATE_COLOURS_BGR[spec.plate_colour]
        self.bystander = None
        if spec.bystander:
            start = 0.3 * timeline.duration_s
            self.bystander = bystander_channels(start, -4.5, 4.5, 1.70)

    def state(self, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(n,) times -> bar (n, 2) m, lifter points (n, N_POINTS, 3), shake offsets (n, 2)."""
        curves = self.tl.curves
        bar = np.stack([curves["bar_x"].evaluate(t_s)[0], curves["bar_y"].evaluate(t_s)[0]], axis=1)
        ch = sample({k: curves[k] for k in BODY_CHANNELS}, t_s)
        pts = solve_body(self.anthro, ch, bar, self.grip_half)
        offs = self.shake.offsets_px(t_s) if self.spec.camera_shake_px > 0 else np.zeros((len(t_s), 2))
        return bar, pts, offs

    def draw(self, t_s: float, bar: np.ndarray, pts: np.ndarray, off: np.ndarray) -> np.ndarray:
        h, w = self.spec.height_px, self.spec.width_px
        if self.pad:
            m = np.array([[1.0, 0.0, off[0] - self.pad], [0.0, 1.0, off[1] - self.pad]])
            img = cv2.warpAffine(self.background, m, (w, h), flags=cv2.INTER_LINEAR)
        else:
            img = self.background.copy()
        o = (float(off[0]), float(off[1]))
        if self.bystander is not None:
            bpts = bystander_points(self.bystander, np.array([t_s]), 1.70)[0]
            Figure(bpts, self.camera, o, 1.70, _BYSTANDER_OUTFIT).draw_all(img)
        fig = Figure(pts, self.camera, o, self.spec.lifter_height_m, Outfit())
        r = self.tl.plate_radius_m
        draw_far_end(img, self.camera, bar, r, self.colour, o)
        fig.far_side(img)
        fig.trunk_and_head(img)
        fig.near_leg(img)
        if not self.spec.occlude_plate:
            fig.near_arm(img)
        draw_near_end(img, self.camera, bar, r, self.colour, o)
        if self.spec.occlude_plate:
            fig.near_arm(img)
        return img


def _setup(
    spec: LiftSpec,
) -> tuple[np.random.Generator, Timeline, _Scene, np.ndarray, np.ndarray, Fraction]:
    """The random generator, timeline, scene and frame times, drawn in render_lift's order."""
    rng = np.random.default_rng(spec.seed)
    tl = build_timeline(spec)
    scene = _Scene(spec, tl, rng)
    n = int(np.floor(tl.duration_s * spec.fps))
    pts_i, t_s, time_base = frame_times(n, spec.fps, spec.variable_frame_rate, spec.vfr_jitter_fraction, rng)
    return rng, tl, scene, pts_i, t_s, time_base


def simulate_truth(spec: LiftSpec) -> GroundTruth:
    """The ground truth render_lift(spec, ...) would save, without drawing or encoding a frame.

    Same random draws in the same order, so t_s, shake and every per-frame array equal the rendered
    clip's; video_path is left empty.
    """
    _rng, tl, scene, _pts_i, t_s, _tb = _setup(spec)
    bar, points, offs = scene.state(t_s)
    return _truth(spec, scene, tl, t_s, bar, points, offs)


def render_lift(spec: LiftSpec, out_path: Path) -> GroundTruth:
    """Render ``spec`` to an H.264 MP4 at out_path, save ``<stem>.truth.json/.npz`` beside it."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    rng, tl, scene, pts_i, t_s, time_base = _setup(spec)
    n = len(t_s)
    bar, points, offs = scene.state(t_s)
    noise = None
    if spec.noise_sigma > 0:
        noise = rng.normal(0.0, spec.noise_sigma, (_NOISE_BANK, spec.height_px, spec.width_px, 3)).astype(
            np.int16
        )
    sub = spec.blur_subframes
    exposure_s = spec.shutter_fraction / spec.fps
    sub_dt = (np.linspace(-0.5, 0.5, sub) * exposure_s) if sub > 1 else np.zeros(1)
    bitrate = spec.bitrate_bps or default_bitrate_bps(spec.width_px, spec.height_px, spec.fps)
    with VideoWriter(
        out_path, spec.width_px, spec.height_px, spec.fps, time_base, bitrate, spec.crf, spec.rotation_deg
    ) as writer:
        for k in range(n):
            if sub == 1:
                img = scene.draw(float(t_s[k]), bar[k], points[k], offs[k])
            else:
                ts = t_s[k] + sub_dt
                sb, sp, so = scene.state(ts)
                acc = np.zeros((spec.height_px, spec.width_px, 3), np.uint16)
                for j in range(sub):
                    acc += scene.draw(float(ts[j]), sb[j], sp[j], so[j])
                img = ((acc + sub // 2) // sub).astype(np.uint8)
            if noise is not None:
                img = np.clip(img.astype(np.int16) + noise[rng.integers(_NOISE_BANK)], 0, 255).astype(
                    np.uint8
                )
            writer.write(img, int(pts_i[k]))
    truth = _truth(spec, scene, tl, t_s, bar, points, offs)
    truth.video_path = str(out_path)
    truth.save(out_path)
    return truth


def _truth(
    spec: LiftSpec,
    scene: _Scene,
    tl: Timeline,
    t_s: np.ndarray,
    bar: np.ndarray,
    points: np.ndarray,
    offs: np.ndarray,
) -> GroundTruth:
    n = len(t_s)
    r = tl.plate_radius_m
    views = [
        near_plate_view(scene.camera, bar[k], r, (float(offs[k, 0]), float(offs[k, 1]))) for k in range(n)
    ]
    joints_px = np.zeros((n, N_JOINTS, 2))
    for k in range(n):
        joints_px[k] = scene.camera.project(points[k, :N_JOINTS], (float(offs[k, 0]), float(offs[k, 1])))
    curves = tl.curves
    vel = np.stack([curves["bar_x"].evaluate(t_s)[1], curves["bar_y"].evaluate(t_s)[1]], axis=1)
    acc = np.stack([curves["bar_x"].evaluate(t_s)[2], curves["bar_y"].evaluate(t_s)[2]], axis=1)
    x0 = float(curves["bar_x"].evaluate(0.0)[0])
    ellipse = np.array([v.ellipse for v in views])
    reps = []
    for rep in tl.reps:

        def fr(t: float) -> int:
            return int(np.argmin(np.abs(t_s - t)))

        reps.append(
            {
                "index": rep.index,
                "start_t_s": rep.start_t_s,
                "end_t_s": rep.end_t_s,
                "setup_start_t_s": rep.setup_start_t_s,
                "release_t_s": rep.release_t_s,
                "events": {name: {"t_s": t, "frame": fr(t)} for name, t in rep.events.items()},
                "phases": [{"name": name, "start_t_s": a, "end_t_s": b} for name, a, b in rep.phases],
            }
        )
    return GroundTruth(
        spec=spec,
        width_px=spec.width_px,
        height_px=spec.height_px,
        rotation_deg=spec.rotation_deg,
        fps=spec.fps,
        t_s=t_s,
        bar_xy_px=np.array([v.centre_px for v in views]),
        plate_radius_px=np.array([v.radius_px for v in views]),
        plate_ellipse=ellipse,
        m_per_px=r / ellipse[:, 2],
        joints_xy_px=joints_px,
        bar_xy_m=bar - np.array([x0, r]),
        bar_velocity_mps=vel,
        bar_accel_mps2=acc,
        shake_px=offs,
        plate_radius_m=r,
        bar_start_height_m=r,
        reps=reps,
    )
