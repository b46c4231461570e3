"""Each rule fires exactly past its threshold; unreliable inputs keep it silent; a clean lift is clean."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pipelines.coach import rules
from pipelines.coach.findings import build_documents
from pipelines.coach.keys import RECOMMENDATION_METRICS, SUMMARY_BLOCKS
from pipelines.coach.measurements import Measurement, lift_context, measure
from pipelines.coach.rule_coach import rule_text
from pipelines.coach.templates import FAULTS
from tests.coach.reports import clean_snatch_report, with_series

HEIGHT_M = 1.75  # the test lifter


def _fired(ms: dict[str, Measurement], report: dict[str, Any]) -> list[str]:
    return [f.rule.id for f in rules.evaluate(ms, lift_context(report))]


def _with(ms: dict[str, Measurement], name: str, value: float,
          confidence: float = 0.9) -> dict[str, Measurement]:
    out = dict(ms)
    base = ms.get(name) or Measurement(name, None, "", 0.0)
    out[name] = dataclasses.replace(base, value=value, confidence=confidence)
    return out


def test_clean_lift_fires_nothing_and_texts_carry_no_fault() -> None:
    report = clean_snatch_report()
    assert _fired(measure(report), report) == []
    for kind, keys in (("summary", SUMMARY_BLOCKS), ("recommendation", RECOMMENDATION_METRICS)):
        for lang in ("en", "ru"):
            docs = build_documents(report, keys, kind, "metric", lang)
            for key, doc in docs.items():
                assert doc["flags"] == [] and doc["caveats"] == [], key
                text = rule_text(doc)
                for message, cue in FAULTS[lang].values():
                    assert cue not in text, (key, cue)
                    assert message.split("{")[0] not in text, (key, message)
    final = rule_text(build_documents(report, ("final_summary",), "summary", "metric", "en")["final_summary"])
    assert "No rule flagged a fault" in final


# (rule id, measurement, value just inside the threshold, value just past it)
CASES = [
    ("low_peak_velocity", "max_bar_speed", 1.70, 1.69),
    ("hips_rise_first", "hip_to_bar_rise_ratio", 1.30, 1.31),
    ("early_arm_bend", "min_elbow_angle_pull_deg", 155.0, 154.9),
    ("bar_forward_second_pull", "second_pull_dx_m", 0.08 * HEIGHT_M, 0.08 * HEIGHT_M + 0.002),
    ("big_loop", "bar_loop_m", 0.07 * HEIGHT_M, 0.07 * HEIGHT_M + 0.002),
    ("bar_crash", "drop_under_bar_m", 0.15 * HEIGHT_M, 0.15 * HEIGHT_M + 0.002),
    ("incomplete_extension", "hip_angle_extension_deg", 160.0, 159.9),
    ("slow_turnover", "turnover_duration_s", 0.35, 0.36),
    ("knee_asymmetry", "knee_asymmetry_deg", 15.0, 15.1),
]


@pytest.mark.parametrize(("rule_id", "name", "inside", "past"), CASES)
def test_rule_fires_exactly_past_its_threshold(rule_id: str, name: str, inside: float, past: float) -> None:
    report = clean_snatch_report()
    ms = measure(report)
    assert _fired(_with(ms, name, inside), report) == []
    assert _fired(_with(ms, name, past), report) == [rule_id]
    # the same value with a confidence below the documented threshold: the rule stays silent
    assert _fired(_with(ms, name, past, confidence=0.49), report) == []


def test_low_peak_velocity_threshold_depends_on_the_exercise() -> None:
    report = clean_snatch_report()
    ms = _with(measure(report), "max_bar_speed", 1.5)
    assert _fired(ms, report) == ["low_peak_velocity"]
    report["exercise"] = "clean"
    assert _fired(ms, report) == []


def test_height_rules_use_the_reference_height_when_the_profile_has_none() -> None:
    report = clean_snatch_report()
    report["user"]["height_m"] = None
    limit_m = 0.08 * rules.REFERENCE_HEIGHT_M  # 0.136 m, below the 0.14 m of a 1.75 m lifter
    ms = measure(report)
    assert _fired(_with(ms, "second_pull_dx_m", limit_m - 0.001), report) == []
    assert _fired(_with(ms, "second_pull_dx_m", limit_m + 0.001), report) == ["bar_forward_second_pull"]


@pytest.mark.parametrize(("yaw_deg", "codes", "fires"), [
    (14.0, [], False), (16.0, [], True), (-25.0, [], True), (5.0, ["camera_not_side_on"], True),
    (None, [], False), (None, ["camera_off_axis"], True), (5.0, ["vfr_timestamps"], False),
])
def test_camera_caveat(yaw_deg: float | None, codes: list[str], fires: bool) -> None:
    report = clean_snatch_report()
    report["calibration"]["yaw_deg"] = yaw_deg
    report["warnings"] = [{"code": c, "message": c} for c in codes]
    assert _fired(measure(report), report) == (["camera_off_axis"] if fires else [])


def _frames(report: dict[str, Any], t0: float, t1: float) -> list[int]:
    return [i for i, t in enumerate(report["series"]["t_s"]) if t0 <= t <= t1]


def test_hips_shooting_up_is_found_from_the_series() -> None:
    report = clean_snatch_report()
    hips = list(report["series"]["hip_height_m"])
    for i in _frames(report, 0.5, 3.0):  # hips rise an extra 0.15 m by the end of the first pull
        t = report["series"]["t_s"][i]
        hips[i] = hips[i] + 0.15 * min((t - 0.5) / 0.5, 1.0)
    report = with_series(report, "hip_height_m", hips)
    ms = measure(report)
    assert ms["hip_to_bar_rise_ratio"].value == pytest.approx(0.48 / 0.30, abs=0.01)
    assert _fired(ms, report) == ["hips_rise_first"]


def test_early_arm_bend_counts_only_before_the_power_position() -> None:
    report = clean_snatch_report()
    elbows = list(report["series"]["lelb_angle_deg"])
    for i in _frames(report, 1.13, 1.25):  # bending after transition_end (1.12 s) is not "early"
        elbows[i] = 120.0
    ms = measure(with_series(report, "lelb_angle_deg", elbows))
    assert ms["min_elbow_angle_pull_deg"].value == pytest.approx(176.5)
    for i in _frames(report, 0.9, 1.0):
        elbows[i] = 130.0
    bent = with_series(report, "lelb_angle_deg", elbows)
    ms = measure(bent)
    assert ms["min_elbow_angle_pull_deg"].value == pytest.approx(130.0 / 2 + 177.0 / 2)
    assert _fired(ms, bent) == ["early_arm_bend"]


def test_knee_asymmetry_from_the_series_and_unavailable_with_one_knee() -> None:
    report = clean_snatch_report()
    right = [None if v is None else v + 20.0 for v in report["series"]["lkne_angle_deg"]]
    asym = with_series(report, "rkne_angle_deg", right)
    ms = measure(asym)
    assert ms["knee_asymmetry_deg"].value == pytest.approx(20.0)
    assert _fired(ms, asym) == ["knee_asymmetry"]
    one_knee = with_series(report, "rkne_angle_deg", [None] * len(right))
    m = measure(one_knee)["knee_asymmetry_deg"]
    assert m.value is None and "both knees" in m.reason


def test_missing_event_makes_derived_measurements_unavailable_with_a_reason() -> None:
    report = clean_snatch_report()
    del report["reps"][0]["events"]["first_pull_end"]
    m = measure(report)["hip_to_bar_rise_ratio"]
    assert m.value is None and "first_pull_end" in m.reason
    assert "hips_rise_first" not in _fired(measure(report), report)


def test_unknown_facing_silences_the_horizontal_rules() -> None:
    report = clean_snatch_report()
    report["reps"][0]["metrics"]["second_pull_dx_m"]["value"] = 0.30
    assert "bar_forward_second_pull" in _fired(measure(report), report)
    report["warnings"] = [{"code": "facing_unknown", "message": "+x taken as image right"}]
    ms = measure(report)
    assert ms["second_pull_dx_m"].value is None and "facing" in ms["second_pull_dx_m"].reason
    assert _fired(ms, report) == []
