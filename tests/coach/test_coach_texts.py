"""Findings documents, rule-based texts and LLM prompts: right values and units, silent on the unreliable."""

from __future__ import annotations

import json

import pytest

from pipelines.coach.findings import build_documents
from pipelines.coach.keys import RECOMMENDATION_METRICS, SUMMARY_BLOCKS
from pipelines.coach.prompts import build_messages
from pipelines.coach.rule_coach import rule_text
from pipelines.coach.units import format_quantity
from tests.coach.reports import clean_snatch_report, with_metric


def test_format_quantity_converts_at_the_edge() -> None:
    assert format_quantity(1.85, "m/s", "metric") == "1.85 m/s"
    assert format_quantity(1.85, "m/s", "imperial") == "6.07 ft/s"
    assert format_quantity(0.12, "m", "metric") == "12 cm"
    assert format_quantity(0.12, "m", "imperial") == "4.7 in"
    assert format_quantity(2150.0, "N", "imperial") == "483 lbf"
    assert format_quantity(2450.0, "W", "imperial") == "2450 W"
    assert format_quantity(176.4, "deg", "imperial") == "176°"


def test_documents_carry_values_units_phase_confidence_reference_and_rule() -> None:
    report = with_metric(clean_snatch_report(), "second_pull_dx_m", 0.20, "m")
    key = "barbell_trajectory"
    doc = build_documents(report, (key,), "recommendation", "metric", "en")[key]
    found = {f["metric"]: f for f in doc["findings"]}
    dx = found["second_pull_dx_m"]
    assert (dx["value"], dx["unit"], dx["phase"], dx["confidence"]) == (20.0, "cm", "second_pull", 0.9)
    assert dx["rule"] == "bar_forward_second_pull"
    assert dx["reference_range"] == "3.5 cm to 14 cm (2 % to 8 % of height)"
    assert [f["rule"] for f in doc["flags"]] == ["bar_forward_second_pull"]
    assert doc["flags"][0]["values"] == {"value": "20 cm", "limit": "14 cm", "pct": "8 %"}


@pytest.mark.parametrize(("system", "speed", "shift"), [("metric", "1.85 m/s", "20 cm"),
                                                        ("imperial", "6.07 ft/s", "7.9 in")])
def test_rule_texts_cite_values_in_the_callers_units(system: str, speed: str, shift: str) -> None:
    report = with_metric(clean_snatch_report(), "second_pull_dx_m", 0.20, "m")
    docs = build_documents(report, SUMMARY_BLOCKS, "summary", system, "en")
    assert speed in rule_text(docs["velocity"])
    stability = rule_text(docs["stability"])
    assert f"The bar moved {shift} forward in the second pull" in stability
    assert "Cue:" in stability and "Source: liftlab rule-based coach" in stability
    assert "bar_forward_second_pull" in stability


def test_russian_rule_texts() -> None:
    report = with_metric(clean_snatch_report(), "turnover_duration_s", 0.45, "s")
    docs = build_documents(report, ("bar_height", "final_summary"), "summary", "metric", "ru")
    text = rule_text(docs["bar_height"])
    assert "Подсед занял 0.45 с, дольше 0.35 с." in text
    assert "Источник: алгоритмический тренер liftlab" in text
    assert "Главное, по порядку важности" in rule_text(docs["final_summary"])


def test_unreliable_metrics_are_not_cited_but_said_to_be_unmeasured() -> None:
    report = with_metric(clean_snatch_report(), "max_GRF", 2999.0, "N", confidence=0.3)
    doc = build_documents(report, ("ground_reaction_force",), "recommendation", "metric", "en")[
        "ground_reaction_force"]
    assert doc["findings"] == []
    text = rule_text(doc)
    assert "2999" not in text and "Not measured reliably: peak ground reaction force" in text
    assert "Not enough reliable data" in text


def test_prompt_contains_values_units_references_and_rules_but_no_unreliable_metric() -> None:
    report = with_metric(clean_snatch_report(), "max_bar_speed", 1.55, "m/s")
    report = with_metric(report, "bar_past_the_knee_speed", 0.777, "m/s", confidence=0.2)
    key = "barbell_velocity"
    doc = build_documents(report, (key,), "recommendation", "imperial", "en")[key]
    system, user = build_messages(doc)
    assert system["role"] == "system" and "cite the values" in system["content"]
    assert "one or two concrete" in system["content"] and "Answer in English" in system["content"]
    assert "'barbell_velocity'" in user["content"]
    payload = json.loads(user["content"].split("\n", 1)[1])
    speed = payload["findings"][0]
    assert (speed["metric"], speed["value"], speed["unit"]) == ("max_bar_speed", 5.09, "ft/s")
    assert speed["reference_range"] == "5.58 ft/s to 6.56 ft/s"
    assert payload["faults_flagged_by_rules"][0]["rule"] == "low_peak_velocity"
    assert "bar_past_the_knee_speed" not in user["content"] and "2.55" not in user["content"]


def test_prompt_language_russian() -> None:
    doc = build_documents(clean_snatch_report(), ("power",), "summary", "metric", "ru")["power"]
    system, user = build_messages(doc)
    assert "Answer in Russian" in system["content"]
    assert "2450" in user["content"] and '"unit": "W"' in user["content"]


def test_every_key_has_a_document_and_bad_inputs_are_refused() -> None:
    report = clean_snatch_report()
    docs = build_documents(report, RECOMMENDATION_METRICS, "recommendation", "metric", "en")
    assert set(docs) == set(RECOMMENDATION_METRICS)
    assert all(doc["findings"] for doc in docs.values())
    with pytest.raises(ValueError, match="measurement_system"):
        build_documents(report, SUMMARY_BLOCKS, "summary", "furlongs", "en")
    with pytest.raises(ValueError, match="thread key"):
        build_documents(report, ("nonsense",), "summary", "metric", "en")


def test_report_without_reps_gives_honest_empty_comments() -> None:
    report = clean_snatch_report()
    report["reps"], report["primary_rep"] = [], None
    doc = build_documents(report, ("velocity",), "summary", "metric", "en")["velocity"]
    assert doc["findings"] == [] and doc["flags"] == []
    assert rule_text(doc).startswith("Not enough reliable data")
