"""Fixtures for the bar tests (helpers live in bar_synth_frames: a unique module name, since every test
area has its own conftest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.bar.bar_synth_frames import SynthClip, make_lift_clip


@pytest.fixture
def lift_clip() -> Callable[..., SynthClip]:
    return make_lift_clip
