"""report.json sections, kinematics/phases tables and unavailable metrics."""

from __future__ import annotations

import json
import math

import numpy as np

from pipelines.metrics.analyze import BodyProfile, analyze_lift
from pipelines.metrics.tables import KINEMATICS_SCHEMA, kinematics_table, phases_table, report_sections
from tests.phases.lift_builder import build_clip


def test_tables_and_report_sections_follow_the_contract(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pose, bar, calib, _ = build_clip(noise_px=1.0)
    a = analyze_lift(pose, bar, calib, "snatch", 80.0, BodyProfile(75.0, 1.70), ["knee", "hip"])
    table = kinematics_table(a)
    assert table.schema == KINEMATICS_SCHEMA and table.num_rows == pose.n_frames
    assert np.isnan(table.column("lelb_angle_deg").to_numpy()).all()  # not chosen
    assert np.isfinite(table.column("lkne_angle_deg").to_numpy()).mean() > 0.95
    phases = phases_table(a)
    assert phases.column_names == ["rep_index", "phase", "start_t_s", "end_t_s", "duration_s"]
    assert phases.num_rows == 7
    sections = report_sections(a)
    text = json.dumps(sections, allow_nan=False)  # NaN must have become null
    back = json.loads(text)
    assert back["primary_rep"] == 0
    rep = back["reps"][0]
    assert rep["events"]["start_of_lifting"]["frame"] == round(rep["events"]["start_of_lifting"]["t_s"] * 60)
    assert rep["metrics"]["barbell_weight"] == {"value": 80.0, "unit": "kg", "confidence": 1.0}
    assert set(back["series"]) == set(KINEMATICS_SCHEMA.names)
    assert back["series"]["lelb_angle_deg"][0] is None
    assert back["series"]["phase"].count("first_pull") > 20
    power = rep["metrics"]["max_power"]
    assert power["unit"] == "W" and 1000 < power["value"] < 4000


def test_unknown_body_mass_and_missing_scale_are_reported_unavailable() -> None:
    pose, bar, _, _ = build_clip()
    nan_radius = np.full(bar.t_s.shape, np.nan)
    no_radius = type(bar)(bar.t_s, bar.x_px, bar.y_px, nan_radius, bar.confidence, bar.source)
    a = analyze_lift(pose, no_radius, None, "clean", 100.0, BodyProfile(), ["all"])
    codes = [w.code for w in a.warnings]
    assert "no_calibration" in codes and "body_mass_unknown" in codes
    assert a.reps == []  # no scale: no heights, so no lift can be measured
    a = analyze_lift(pose, bar, None, "snatch", 100.0, BodyProfile(), ["all"])
    m = a.reps[0].metrics
    assert m["max_GRF"].value is None and "body mass" in m["max_GRF"].reason
    assert m["peak_bar_height_pct_height"].value is None
    assert m["max_bar_speed"].value is not None and m["max_bar_speed"].confidence <= 0.3 + 1e-9
    assert "calibration_uncertain" in [w.code for w in a.warnings]
    assert math.isnan(float(a.series["grf_n"][100]))
