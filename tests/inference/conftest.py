from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from services.inference.protocol import PoseEstimator
from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest

CLIPS_DIR = Path(
    os.environ.get(
        "LIFTLAB_CLIPS_DIR", Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "clips"
    )
)


def read_frame(clip: str, at_s: float, long_side_px: int = 960) -> np.ndarray:
    """One RGB frame of a real clip at about at_s, scaled so its long side is <= long_side_px."""
    import av

    path = CLIPS_DIR / clip
    if not path.is_file():
        pytest.skip(f"real clip {path} absent")
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= at_s:
                image: np.ndarray = frame.to_ndarray(format="rgb24")
                break
    k = long_side_px / max(image.shape[:2])
    if k < 1:
        image = cv2.resize(
            image, (round(image.shape[1] * k), round(image.shape[0] * k)), interpolation=cv2.INTER_AREA
        )
    return np.ascontiguousarray(image)


@pytest.fixture(scope="session")
def frame_reader() -> Callable[[str, float], np.ndarray]:
    """read_frame(clip, at_s): one real frame, long side <= 960 px; skips the test when clips are absent."""
    return read_frame


@pytest.fixture(scope="session")
def blazepose() -> PoseEstimator:
    return build_estimator(load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR))


@pytest.fixture(scope="session")
def rtmpose_random() -> PoseEstimator:
    if importlib.util.find_spec("mmpose") is None:
        pytest.skip("mmpose stack not installed (services/inference/install_mmpose_cpu.sh)")
    from services.inference.rtmpose_backend import build_rtmpose_with_random_weights_for_tests

    return build_rtmpose_with_random_weights_for_tests(
        load_manifest("rtmpose_m_halpe26_gpu", DEFAULT_MODELS_DIR)
    )


@pytest.fixture(params=["blazepose", "rtmpose_random"])
def estimator(request: pytest.FixtureRequest) -> PoseEstimator:
    return request.getfixturevalue(request.param)
