"""Thread keys (the seed's summary blocks and lift-analysis metrics) and what each one talks about."""

from __future__ import annotations

from typing import Final, Literal

ThreadKind = Literal["summary", "recommendation"]

SUMMARY_BLOCKS: Final[tuple[str, ...]] = ("velocity", "power", "stability", "final_summary")
RECOMMENDATION_METRICS: Final[tuple[str, ...]] = (
    "power_output", "ground_reaction_force", "barbell_velocity", "hip_velocity", "shin_angle",
    "hip_height", "torso_angle", "hip_angle", "knee_angle", "bar_height", "barbell_trajectory",
    "vertical_shoulder_height",
)
KEYS_BY_KIND: Final[dict[str, tuple[str, ...]]] = {
    "summary": SUMMARY_BLOCKS, "recommendation": RECOMMENDATION_METRICS,
}

# Measurements (see measurements.py) each thread's findings document carries, most important first.
KEY_MEASUREMENTS: Final[dict[str, tuple[str, ...]]] = {
    "velocity": ("max_bar_speed", "bar_past_the_knee_speed", "time_to_peak_velocity_s",
                 "turnover_duration_s"),
    "power": ("max_power", "max_power_per_kg", "max_GRF", "max_GRF_body_weights"),
    "stability": ("bar_path_type", "second_pull_dx_m", "first_pull_dx_m", "bar_loop_m",
                  "drop_under_bar_m", "total_time"),
    "final_summary": ("max_bar_speed", "max_power", "peak_bar_height_m", "drop_under_bar_m",
                      "total_time"),
    "power_output": ("max_power", "max_power_per_kg"),
    "ground_reaction_force": ("max_GRF", "max_GRF_body_weights"),
    "barbell_velocity": ("max_bar_speed", "bar_past_the_knee_speed", "bar_past_the_knee_acceleration",
                         "time_to_peak_velocity_s"),
    "hip_velocity": ("peak_hip_vy_mps", "hip_rise_first_pull_m", "bar_rise_first_pull_m",
                     "hip_to_bar_rise_ratio"),
    "shin_angle": ("shin_angle_start_deg", "shin_angle_first_pull_end_deg"),
    "hip_height": ("hip_rise_first_pull_m", "bar_rise_first_pull_m", "hip_to_bar_rise_ratio"),
    "torso_angle": ("torso_angle_start_deg", "torso_angle_first_pull_end_deg", "hip_to_bar_rise_ratio"),
    "hip_angle": ("hip_angle_extension_deg",),
    "knee_angle": ("knee_angle_extension_deg", "knee_asymmetry_deg"),
    "bar_height": ("peak_bar_height_m", "peak_bar_height_pct_height", "drop_under_bar_m",
                   "turnover_duration_s", "catch_time"),
    "barbell_trajectory": ("bar_path_type", "second_pull_dx_m", "first_pull_dx_m", "bar_loop_m",
                           "first_pull_bar_angle_deg", "min_elbow_angle_pull_deg"),
    "vertical_shoulder_height": ("shoulder_rise_pull_m", "min_elbow_angle_pull_deg"),
}


def check_kind(kind: str) -> ThreadKind:
    if kind not in KEYS_BY_KIND:
        raise ValueError(f"thread kind: expected one of {tuple(KEYS_BY_KIND)}, got {kind!r}")
    return "summary" if kind == "summary" else "recommendation"
