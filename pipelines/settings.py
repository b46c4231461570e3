"""One typed settings object per process, read from the environment once (at the composition root).

Every field maps to an environment variable ``LIFTLAB_<FIELD_NAME_UPPER>``; tests build Settings directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

_PREFIX = "LIFTLAB_"


@dataclass(frozen=True, slots=True)
class Settings:
    # --- state and queue ---
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_namespace: str = "liftlab"
    # --- object store (S3 / MinIO); "local" keeps objects in a folder (embedded mode) ---
    store_backend: str = "s3"  # "s3" | "local"
    store_local_dir: Path = Path(".liftlab/store")
    s3_endpoint: str = "127.0.0.1:9000"  # host:port, no scheme
    s3_secure: bool = False
    s3_access_key: str = "minioadmin"
    s3_secret_key: str = "minioadmin"
    s3_region: str = "us-east-1"
    s3_bucket: str = "liftlab"
    presign_expiry_s: int = 3600
    # --- Ray ---
    ray_address: str = ""  # "" starts a local Ray; "auto" or ray://host:10001 joins a cluster
    ray_num_cpus: int = 0  # 0: let Ray count the cores (local Ray only)
    # local Ray only: start the head without the autoscaler monitor, log monitor and dashboard/API
    # server (pipelines/shell/lean_head.py); false gives ray.init()'s stock set, dashboard API included
    ray_lean_head: bool = True
    decode_segment_s: float = 2.0
    decode_max_in_flight: int = 2
    analysis_long_side_px: int = 960  # frames are scaled to this long side inside the decoder
    # how Ray tasks read the clip: "path" (same machine), "object_store" (its bytes, any node), or "auto"
    # (object_store when joined to a cluster with ray_address; pipelines/video/source.py)
    video_to_tasks: str = "auto"
    # --- pose ---
    pose_model: str = "blazepose_full_cpu"  # a manifest name in models/
    models_dir: Path = Path("models")
    pose_max_batch_size: int = 16
    pose_batch_wait_timeout_s: float = 0.01
    pose_replicas: int = 0  # 0: one per core Ray has, at most 4 (on 2 cores, 2 replicas keep both busy)
    pose_replica_num_cpus: float = 0.5  # logical CPUs a replica holds: leaves room for decode and render
    pose_max_people: int = 3
    # "serve": frames go to the Ray Serve deployment (the service); "task": the model runs inside each
    # segment task (`liftlab analyze` defaults to it; docs/performance.md "Round 3")
    pose_execution: str = "serve"
    # between two detector frames where the lifter's joints moved less than this fraction of the body's
    # box diagonal (and no plate moved), the frames between get the two poses interpolated instead of a
    # landmark pass; 0: off (docs/pose.md "Frames without a landmark pass")
    pose_still_max_shift_fraction: float = 0.02
    # between detector frames only every k-th frame gets a landmark pass; the frames between are
    # interpolated from the measured ones around them; 1 = every frame (same section)
    pose_frame_step: int = 2
    # --- annotated video (docs/performance.md has the measurements behind these defaults) ---
    render_long_side_px: int = 720  # output frames' long side (0: source size)
    render_preset: str = "veryfast"  # libx264 preset
    render_crf: int = 23
    render_chunk_frames: int = 300  # longest chunk; clips split into at least render_max_in_flight chunks
    render_max_in_flight: int = 2
    render_task_num_cpus: float = 0.5  # per chunk task; pose replicas still hold their CPUs while it runs
    # --- ingest limits ---
    max_upload_bytes: int = 2 * 1024**3
    max_video_duration_s: float = 600.0
    # --- analysis defaults ---
    plate_diameter_m: float = 0.450
    default_barbell_mass_kg: float = 100.0
    # --- API ---
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    max_sessions_per_user: int = 1000
    rate_limit_per_minute: int = 600
    # --- coaching (LLM); empty base URL means the rule-based coach only ---
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    llm_max_concurrency: int = 4
    # --- observability ---
    metrics_port: int = 9100  # the worker's Prometheus endpoint (0 disables it)
    # --- logging ---
    log_level: str = "INFO"
    log_json: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(f.name, raw, getattr(cls(), f.name))
        values.update(overrides)
        return cls(**values)


def _parse(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        return raw
    except ValueError as exc:
        raise ValueError(f"{_PREFIX}{name.upper()}: expected {type(default).__name__}, got {raw!r}") from exc
