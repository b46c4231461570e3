"""Analytic truths for the filter and the derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.kinematics.filtering import cutoff_hz_for_fps, smooth_and_differentiate, valid_segments


def test_cutoff_rule_follows_frame_rate_and_caps() -> None:
    assert cutoff_hz_for_fps(30.0, 8.0) == pytest.approx(6.0)
    assert cutoff_hz_for_fps(29.97, 8.0) == pytest.approx(5.994)
    assert cutoff_hz_for_fps(120.0, 8.0) == 8.0
    with pytest.raises(ValueError, match="fps"):
        cutoff_hz_for_fps(0.0, 8.0)


def test_quadratic_gives_linear_velocity_and_constant_acceleration() -> None:
    t = np.arange(0, 2, 1 / 60)
    s = smooth_and_differentiate(t, 1.5 * t**2, cutoff_hz=8.0)
    inner = slice(10, -10)  # one-sided differences and filter padding at the ends
    np.testing.assert_allclose(s.d1[inner], 3.0 * t[inner], atol=2e-3)
    # filter padding bends the acceleration near the ends by a few %; the middle is exact to 1 %
    np.testing.assert_allclose(s.d2[inner], 3.0, atol=0.15)
    np.testing.assert_allclose(s.d2[40:-40], 3.0, atol=0.03)


def test_sine_at_cutoff_keeps_half_its_amplitude() -> None:
    # filtfilt squares the Butterworth gain: |H(fc)|^2 = 0.5
    t = np.arange(0, 10, 1 / 60)
    s = smooth_and_differentiate(t, np.sin(2 * np.pi * 6.0 * t), cutoff_hz=6.0)
    amplitude = np.max(np.abs(s.value[120:-120]))
    assert amplitude == pytest.approx(0.5, abs=0.03)


def test_no_derivative_across_a_lost_stretch() -> None:
    t = np.arange(0, 2, 1 / 60)
    y = t.copy()
    y[50:60] = np.nan
    s = smooth_and_differentiate(t, y, cutoff_hz=8.0)
    assert np.all(np.isnan(s.d1[50:60]))
    assert np.isfinite(s.d1[:50]).all() and np.isfinite(s.d1[60:]).all()
    np.testing.assert_allclose(s.d1[5:45], 1.0, atol=3e-3)
    assert valid_segments(t, np.isfinite(y)) == [(0, 50), (60, 120)]


def test_dropped_frames_split_segments_and_short_runs_give_nan() -> None:
    t = np.concatenate([np.arange(0, 1, 0.02), 1.5 + np.arange(0, 0.08, 0.02)])
    s = smooth_and_differentiate(t, 2 * t, cutoff_hz=8.0)
    assert valid_segments(t, np.ones(t.shape, bool)) == [(0, 50), (50, 54)]
    assert np.all(np.isnan(s.d1[50:]))  # 4 samples: too short to filter honestly


def test_variable_frame_rate_uses_real_timestamps() -> None:
    rng = np.random.default_rng(1)
    dt = rng.uniform(1 / 70, 1 / 50, 150)
    t = np.cumsum(dt)
    s = smooth_and_differentiate(t, np.sin(2 * np.pi * 1.0 * t), cutoff_hz=8.0)
    inner = slice(15, -15)
    np.testing.assert_allclose(s.d1[inner], 2 * np.pi * np.cos(2 * np.pi * t[inner]), atol=0.05)
