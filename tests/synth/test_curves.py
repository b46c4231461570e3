from __future__ import annotations

import numpy as np
import pytest

from pipelines.synth.curves import Knot, QuinticCurve, rise_between
from pipelines.synth.timeline import duration_for_rise


def test_curve_passes_through_knots_with_their_derivatives() -> None:
    knots = [Knot(0.0, 0.0), Knot(0.4, 0.3, 1.2, 2.0), Knot(0.7, 0.5, 0.0, -4.0), Knot(1.5, 0.1)]
    curve = QuinticCurve(knots)
    for k in knots:
        v, r, a = curve.evaluate(k.t_s)
        assert (float(v), float(r), float(a)) == pytest.approx((k.value, k.rate, k.accel), abs=1e-9)


def test_analytic_derivatives_match_finite_differences() -> None:
    curve = QuinticCurve(
        [Knot(0.0, 0.0), Knot(0.5, 0.4, 1.5, 1.0), Knot(0.9, 0.6, 0.2, -6.0), Knot(1.4, 0.5)]
    )
    dt = 1e-5
    t = np.linspace(0.01, 1.39, 200)
    v_plus, v_minus = curve.evaluate(t + dt)[0], curve.evaluate(t - dt)[0]
    _, rate, accel = curve.evaluate(t)
    assert np.max(np.abs((v_plus - v_minus) / (2 * dt) - rate)) < 1e-5
    r_plus, r_minus = curve.evaluate(t + dt)[1], curve.evaluate(t - dt)[1]
    assert np.max(np.abs((r_plus - r_minus) / (2 * dt) - accel)) < 1e-3


def test_rise_and_duration_are_inverse() -> None:
    t = duration_for_rise(0.25, 0.0, 0.0, 1.1, 0.5)
    assert rise_between(t, 0.0, 0.0, 1.1, 0.5) == pytest.approx(0.25)
    # With the rise from the velocity integral, the quintic's velocity has no overshoot.
    curve = QuinticCurve([Knot(0.0, 0.0), Knot(t, 0.25, 1.1, 0.5)])
    rate = curve.evaluate(np.linspace(0, t, 500))[1]
    assert rate.min() >= -1e-9 and rate.max() <= 1.1 + 1e-9


def test_knot_times_must_increase() -> None:
    with pytest.raises(ValueError, match="increase"):
        QuinticCurve([Knot(0.0, 0.0), Knot(0.0, 1.0)])
