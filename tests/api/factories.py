"""Test data for the API: users with roles/plans, small real videos, and finished sessions in the store."""

from __future__ import annotations

import io
import json
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.state import SessionRecord
from services.api.deps import ApiDeps
from services.inference.joints import JOINTS

ANGLE_COLUMNS = [
    f"{c}_angle_deg" for c in ("lank", "rank", "lkne", "rkne", "lhip", "rhip", "lelb", "relb", "lsho", "rsho")
]
SERIES_COLUMNS = [
    "bar_x_m",
    "bar_y_m",
    "bar_vx_mps",
    "bar_vy_mps",
    "bar_speed_mps",
    "bar_power_w",
    "grf_n",
    "hip_height_m",
    "hip_vy_mps",
    "shoulder_height_m",
    "torso_angle_deg",
    "shin_angle_deg",
    *ANGLE_COLUMNS,
]


@dataclass
class Caller:
    user_id: str
    org_id: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"API-KEY {self.key}"}


def make_user(deps: ApiDeps, org_id: str, role: str = "user", plan: str = "pro", **profile: Any) -> Caller:
    user = deps.accounts.create_user(
        org_id,
        role=role,
        plan=plan,
        display_name=f"{role} person",
        body_mass_kg=80.0,
        height_m=1.75,
        age=30,
        gender="female",
        **profile,
    )
    return Caller(user.user_id, org_id, deps.keys.issue(user.user_id).key)


def encode_video(path: Path, n_frames: int = 12, fps: int = 10, size: int = 64) -> Path:
    """A tiny real H.264/MPEG-4 file the probe accepts."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(n_frames):
            img = np.full((size, size, 3), (i * 20) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_report(n_frames: int = 30, fps: float = 30.0) -> dict[str, Any]:
    """A report.json shaped as the pipeline writes it (values analytic: bar rises as a half sine)."""
    t_s = [i / fps for i in range(n_frames)]
    rise = [0.5 * (1 - math.cos(math.pi * i / (n_frames - 1))) for i in range(n_frames)]
    series: dict[str, list[float | None]] = {"t_s": list[float | None](t_s)}
    for col in SERIES_COLUMNS:
        series[col] = (
            [round(r * (i + 1), 4) for i, r in enumerate(rise)]
            if "angle" not in col
            else [90.0 + 60.0 * r for r in rise]
        )
    series["bar_y_m"] = [1.2 * r for r in rise]
    series["grf_n"][3] = None  # an unavailable frame
    events = {"start_of_lifting": {"t_s": 0.1, "frame": 3}, "first_pull_end": {"t_s": 0.4, "frame": 12}}
    phases = [
        {"name": "setup", "start_t_s": 0.0, "end_t_s": 0.1},
        {"name": "first_pull", "start_t_s": 0.1, "end_t_s": 0.4},
    ]
    metrics = {
        "max_bar_speed": {"value": 1.9, "unit": "m/s", "confidence": 0.9},
        "max_GRF": {"value": 2100.0, "unit": "N", "confidence": 0.7},
        "total_time": {"value": 0.9, "unit": "s", "confidence": 0.9},
        "barbell_weight": {"value": 100.0, "unit": "kg", "confidence": 1.0},
        "bar_path_type": {"value": "S-curve", "unit": "", "confidence": 0.6},
        "catch_time": {"value": None, "unit": "s", "confidence": 0.0, "reason": "no catch found"},
    }
    return {
        "liftlab_version": "0.1.0",
        "status": "done",
        "session_id": None,
        "exercise": "snatch",
        "barbell_mass_kg": 100.0,
        "video": {
            "width_px": 64,
            "height_px": 64,
            "fps": fps,
            "duration_s": n_frames / fps,
            "n_frames": n_frames,
            "rotation_deg": 0,
            "codec": "h264",
            "variable_frame_rate": False,
        },
        "pose_model": "test",
        "calibration": None,
        "user": {
            "display_name": "Demo lifter",
            "body_mass_kg": 81.0,
            "height_m": 1.7,
            "age": 25,
            "gender": "male",
        },
        "reps": [
            {
                "index": 0,
                "start_t_s": 0.1,
                "end_t_s": 0.9,
                "complete": True,
                "events": events,
                "phases": phases,
                "metrics": metrics,
            }
        ],
        "primary_rep": 0,
        "warnings": [{"code": "w1", "message": "camera not side-on"}],
        "series": series,
        "artifacts": {
            "frames": "frames.parquet",
            "kinematics": "kinematics.parquet",
            "analyzed_video": "analyzed.mp4",
            "keyframes": {"start_of_lifting": "keyframes/start_of_lifting.jpg"},
        },
        "timings_s": {"probe": 0.1},
    }


def frames_parquet(n_frames: int = 30) -> bytes:
    columns: dict[str, Any] = {"t_s": [i / 30 for i in range(n_frames)], "frame": list(range(n_frames))}
    for code in JOINTS:
        columns[f"{code}_x_px"] = [float(i) for i in range(n_frames)]
        columns[f"{code}_y_px"] = [float("nan")] + [2.0 * i for i in range(1, n_frames)]
        columns[f"{code}_v"] = [0.9] * n_frames
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def store_artifacts(deps: ApiDeps, prefix: str, report: dict[str, Any]) -> None:
    deps.store.put_bytes(prefix + "report.json", json.dumps(report).encode(), "application/json")
    deps.store.put_bytes(prefix + "frames.parquet", frames_parquet(len(report["series"]["t_s"])))
    deps.store.put_bytes(prefix + "analyzed.mp4", b"mp4", "video/mp4")
    deps.store.put_bytes(prefix + "keyframes/start_of_lifting.jpg", b"jpg", "image/jpeg")


def finished_session(deps: ApiDeps, caller: Caller, status: str = "done", **fields: Any) -> SessionRecord:
    """A session record as the runner leaves it (artifacts stored when status is done)."""
    import uuid

    sid = uuid.uuid4().hex
    record = SessionRecord(
        session_id=sid,
        user_id=caller.user_id,
        org_id=caller.org_id,
        title="Heavy single",
        exercise="snatch",
        barbell_mass_kg=100.0,
        body_joint_angles=["knee", "hip"],
        status=status,
        progress=1.0 if status == "done" else 0.4,
        stage="done" if status == "done" else "pose",
        created_at_s=time.time(),
        video_key=f"sessions/{sid}/original.mp4",
        user_display_name="Lifter One",
        user_body_mass_kg=80.0,
        user_height_m=1.75,
        user_age=30,
        user_gender="female",
        **fields,
    )
    deps.store.put_bytes(record.video_key, b"video", "video/mp4")
    if status == "done":
        store_artifacts(deps, f"sessions/{sid}/", make_report())
        record.report_key = f"sessions/{sid}/report.json"
    if status == "failed":
        record.error = "no lifter found"
    deps.sessions.create(record)
    return record
