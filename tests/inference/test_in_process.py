from __future__ import annotations

from pathlib import Path

import numpy as np

from services.inference.in_process import cached_estimator

MODELS = str(Path(__file__).resolve().parents[2] / "models")


def test_one_estimator_per_process_and_configuration() -> None:
    first = cached_estimator("blazepose_full_cpu", MODELS, 2)
    assert cached_estimator("blazepose_full_cpu", MODELS, 2) is first  # built once, kept for later tasks
    other = cached_estimator("blazepose_full_cpu", MODELS, 1)
    assert other is not first and other.max_people == 1  # type: ignore[attr-defined]
    blank = np.zeros((360, 640, 3), np.uint8)
    assert first.estimate([blank]) == [[]]  # the real model, nobody in an empty frame
