"""The pose model inside the calling process: one estimator per worker process, built on first use.

The embedded mode (`liftlab analyze`) runs pose inside each Ray segment task instead of sending every
frame to the Serve deployment: on a laptop there is no other video to batch with, and the Serve
controller, its replicas and the per-frame round trip cost start-up time, memory and CPU that one clip
never earns back (docs/performance.md "Round 3"). The service keeps the Serve deployment.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pipelines.errors import ConfigError
from services.inference.protocol import PoseEstimator
from services.inference.registry import build_estimator, load_manifest

_lock = threading.Lock()
_estimators: dict[tuple[str, str, int], PoseEstimator] = {}


def check_in_process_model(model: str, models_dir: Path) -> None:
    """Fail before any work starts when the manifest cannot run in a CPU worker process."""
    manifest = load_manifest(model, models_dir)
    if manifest.device != "cpu":
        raise ConfigError(f"pose model {model!r} runs on {manifest.device!r}: in-task pose runs CPU models "
                          "only (set LIFTLAB_POSE_EXECUTION=serve for GPU models)")


def cached_estimator(model: str, models_dir: str, max_people: int) -> PoseEstimator:
    """The process's estimator for this model, built (weights verified) on the first call only: a Ray
    worker process runs many segment tasks and keeps the model loaded between them."""
    key = (model, models_dir, max_people)
    with _lock:
        estimator = _estimators.get(key)
        if estimator is None:
            check_in_process_model(model, Path(models_dir))
            estimator = build_estimator(load_manifest(model, Path(models_dir)), max_people=max_people)
            _estimators[key] = estimator
        return estimator
