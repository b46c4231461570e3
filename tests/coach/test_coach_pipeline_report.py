"""The coach on a report produced by the pipeline's own metrics stage (synthetic clip, no video)."""

from __future__ import annotations

import json

import pytest

from pipelines.coach.findings import build_documents
from pipelines.coach.keys import RECOMMENDATION_METRICS, SUMMARY_BLOCKS
from pipelines.coach.measurements import lift_context, measure
from pipelines.coach.rule_coach import rule_text
from pipelines.coach.rules import evaluate
from pipelines.coach.units import format_quantity


def test_negative_zero_is_shown_as_zero() -> None:
    assert format_quantity(-0.0001, "m", "metric") == "0 cm"


def test_coach_reads_a_pipeline_report() -> None:
    builder = pytest.importorskip("tests.phases.lift_builder")
    analyze = pytest.importorskip("pipelines.metrics.analyze")
    tables = pytest.importorskip("pipelines.metrics.tables")
    pose, bar, calib, _ = builder.build_clip(noise_px=1.0)
    body = analyze.BodyProfile(75.0, 1.70)
    analysis = analyze.analyze_lift(pose, bar, calib, "snatch", 80.0, body, ["all"])
    sections = json.loads(json.dumps(tables.report_sections(analysis), allow_nan=False))
    report = {"exercise": "snatch", "barbell_mass_kg": 80.0, "user": {"body_mass_kg": 75.0, "height_m": 1.70},
              "calibration": None, **sections}
    ms = measure(report)
    derived = ("hip_to_bar_rise_ratio", "min_elbow_angle_pull_deg", "hip_angle_extension_deg",
               "knee_asymmetry_deg", "torso_angle_start_deg", "shin_angle_start_deg")
    assert all(ms[name].reliable for name in derived), {n: ms[n] for n in derived}
    assert ms["knee_asymmetry_deg"].number() == pytest.approx(0.0, abs=5.0)  # the builder is symmetric
    # The stick figure takes its hips from the knee angle alone, so its hips rise ~1.4x the bar in the
    # first pull: the only fault the rules may find, and its numbers must be the report's own.
    flags = evaluate(ms, lift_context(report))
    assert {f.rule.id for f in flags} <= {"hips_rise_first"}, flags
    for flag in flags:
        values = flag.outcome.values
        hip, bar, ratio = values["hip"][0], values["bar"][0], values["ratio"][0]
        assert ratio == pytest.approx(hip / bar, rel=1e-6) and ratio > values["limit"][0]
    for kind, keys in (("summary", SUMMARY_BLOCKS), ("recommendation", RECOMMENDATION_METRICS)):
        for key, doc in build_documents(report, keys, kind, "imperial", "ru").items():
            assert doc["findings"], key
            assert "Источник" in rule_text(doc)
