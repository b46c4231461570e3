"""Composition root of a pose backend: manifest name -> verified weights -> a ready PoseEstimator."""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import ConfigError
from services.inference.manifest import ModelManifest, resolve_weights
from services.inference.manifest import load_manifest as _load_manifest
from services.inference.protocol import PoseEstimator

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


def load_manifest(name: str, models_dir: Path) -> ModelManifest:
    """Read and validate models_dir/<name>.yaml; ConfigError (naming the file) when it is wrong."""
    return _load_manifest(name, models_dir)


def build_estimator(manifest: ModelManifest, max_people: int = 3) -> PoseEstimator:
    """Build the backend a manifest names. Weights are checked against their sha256 first; missing or
    mismatching weights raise ConfigError naming the manifest and the expected path (never random
    weights in service)."""
    if manifest.backend == "mediapipe_blazepose":
        from services.inference.blazepose_backend import (
            DEFAULT_MAX_HINT_SHIFT,
            DEFAULT_REFINE_BELOW_PRESENCE,
            DEFAULT_REFINE_MIN_SHIFT,
            DEFAULT_SAME_BODY_HIP_FRACTION,
            BlazePoseEstimator,
        )

        return BlazePoseEstimator(
            name=manifest.name,
            detector_path=resolve_weights(manifest, "detector"),
            landmark_path=resolve_weights(manifest, "landmarks"),
            index_per_joint=manifest.layout_index_per_joint(),
            max_people=max_people,
            min_detection_score=float(manifest.options.get("min_detection_score", 0.5)),
            min_presence=float(manifest.options.get("min_presence", 0.5)),
            num_threads=int(manifest.options.get("num_threads", 1)),
            refine_steps=int(manifest.options.get("refine_steps", 1)),
            min_tracking_visibility=float(manifest.options.get("min_tracking_visibility", 0.5)),
            refine_min_shift=float(manifest.options.get("refine_min_shift", DEFAULT_REFINE_MIN_SHIFT)),
            refine_below_presence=float(
                manifest.options.get("refine_below_presence", DEFAULT_REFINE_BELOW_PRESENCE)
            ),
            same_body_hip_fraction=float(
                manifest.options.get("same_body_hip_fraction", DEFAULT_SAME_BODY_HIP_FRACTION)
            ),
            max_hint_shift=float(manifest.options.get("max_hint_shift", DEFAULT_MAX_HINT_SHIFT)),
        )
    if manifest.backend == "mmpose_rtmpose":
        from services.inference.rtmpose_backend import build_rtmpose_estimator

        return build_rtmpose_estimator(manifest, resolve_weights(manifest, "pose"), max_people=max_people)
    raise ConfigError(f"manifest {manifest.source_path}: no backend {manifest.backend!r}")
