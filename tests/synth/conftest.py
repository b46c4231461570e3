"""Clips rendered once per test session for the synth tests (written under pytest's tmp dir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.synth import GroundTruth, LiftSpec, render_lift


@pytest.fixture(scope="session")
def red_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    """A short clean-looking snatch: red plate, no blur or noise, high quality encode."""
    spec = LiftSpec(
        width_px=960,
        height_px=540,
        fps=30.0,
        plate_colour="red",
        setup_s=0.4,
        hold_s=0.3,
        crf=12,
        seed=3,
    )
    path = tmp_path_factory.mktemp("synth") / "red.mp4"
    return path, render_lift(spec, path)
