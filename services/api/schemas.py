"""Response and request bodies (msgspec). Field descriptions carry the units into the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

Num = float | None
METRICS_HELP = (
    "The primary rep's numeric metrics, each unit also named in `units` (imperial on request: "
    "m -> ft, m/s -> ft/s, m/s^2 -> ft/s^2, N -> lbf, kg -> lb): max_bar_speed (m/s), max_power (W), "
    "max_GRF (N), bar_past_the_knee_speed (m/s), bar_past_the_knee_acceleration (m/s^2), total_time (s), "
    "catch_time (s), clean_time (s), barbell_weight (kg), scale (m/px), mean_markers_validity (0..1), "
    "peak_bar_height_m (m), peak_bar_height_pct_height (%), drop_under_bar_m (m), bar_loop_m (m), "
    "first_pull_dx_m (m), second_pull_dx_m (m), first_pull_bar_angle_deg (deg), "
    "time_to_peak_velocity_s (s), <phase>_duration_s (s), jerk_dip_depth_m (m), "
    "jerk_dip_velocity_mps (m/s), jerk_drive_velocity_mps (m/s)."
)
USER_INFO_HELP = (
    "display_name, age (years), weight (kg; lb imperial), height (cm; in imperial), gender, email."
)
Series = Annotated[list[Num], Meta(description="One value per frame (null where unavailable).")]


class SessionCreated(Struct):
    session_id: Annotated[str, Meta(description="Unique identifier of the new session.")]
    title: Annotated[
        str, Meta(description="Session title (session_name, or '<Exercise> session DD/MM/YYYY').")
    ]


class CreatedAt(Struct):
    date: Annotated[str, Meta(description="Creation date, DD/MM/YYYY (UTC).")]
    time: Annotated[str, Meta(description="Creation time, HH:MM AM/PM (UTC).")]


class SessionDetails(Struct):
    analyzed_video_url: Annotated[
        str | None, Meta(description="Presigned URL of the annotated H.264 MP4 (null until done).")
    ]
    video_url: Annotated[str | None, Meta(description="Presigned URL of the original upload.")]
    created_at: CreatedAt
    exercise: Annotated[str, Meta(description="snatch | clean | clean_and_jerk")]
    user_name: str
    activity: Annotated[str, Meta(description="Always 'Weightlifting'.")]
    title: str
    metrics: Annotated[dict[str, float], Meta(description=METRICS_HELP)]
    angles: Annotated[
        dict[str, list[Num]],
        Meta(description="<joint>_angle per frame for the selected body joints, deg (both systems)."),
    ]
    report_metrics: Annotated[
        dict[str, list[Num]],
        Meta(
            description=(
                "Per-frame series: bar_speed (m/s; ft/s imperial), bar_vertical_velocity (m/s; ft/s), "
                "bar_power (W in both systems), ground_reaction_force (N; lbf), bar_height (m above "
                "the start; ft), bar_horizontal_displacement (m; ft); each also named in `units`."
            )
        ),
    ]
    all_timestamps: Annotated[list[Num], Meta(description="Presentation time of each frame, s.")]
    session_id: str
    status: Annotated[str, Meta(description="queued | processing | done | failed")]
    progress: Annotated[float, Meta(description="Fraction of the pipeline done, 0..1 (unitless).")]
    stage: str
    error: str | None
    measurement_system: Annotated[str, Meta(description="metric | imperial: the unit system of every value.")]
    units: Annotated[
        dict[str, str], Meta(description="Unit of each key of metrics and report_metrics (e.g. 'm/s').")
    ]
    warnings: list[dict[str, str]]


class SessionExport(Struct):
    keypoints: Annotated[
        dict[str, list[Num]],
        Meta(description="<joint>x / <joint>y in frame pixels, <joint>v visibility 0..1."),
    ]
    angles: Annotated[dict[str, list[Num]], Meta(description="<joint>_angle per frame, deg (both systems).")]
    all_timestamps: Annotated[list[Num], Meta(description="Presentation time of each frame, s.")]
    metrics: Annotated[dict[str, float], Meta(description=METRICS_HELP)]
    activity: str


class PhaseImage(Struct):
    image_url: Annotated[str | None, Meta(description="Presigned URL of the key frame (JPEG).")]
    average_time_ms: Annotated[
        float | None, Meta(description="Event time after the rep's start, averaged over reps, ms.")
    ]
    time_ms: Annotated[
        float | None, Meta(description="Event time in the primary rep, ms from the video start.")
    ]


class PhaseSpan(Struct):
    start: Annotated[float, Meta(description="ms from the video start")]
    end: Annotated[float, Meta(description="ms from the video start")]


class LiftAnalysis(Struct):
    exercise: str
    key_metrics: Annotated[
        dict[str, list[Num]],
        Meta(
            description=(
                "power_output (W), ground_reaction_force (N, lbf imperial), barbell_velocity "
                "(vertical, m/s or ft/s), per frame of the primary rep."
            )
        ),
    ]
    body_positioning: Annotated[
        dict[str, list[Num]],
        Meta(
            description=(
                "hip_velocity (vertical, m/s; ft/s imperial), shin_angle (deg from vertical), "
                "hip_height (m; ft), torso_angle (deg from vertical)."
            )
        ),
    ]
    joint_angles: Annotated[
        dict[str, list[Num]], Meta(description="<joint>_angle, deg, mean of both sides.")
    ]
    barbell_positioning: Annotated[
        dict[str, list[Num]],
        Meta(
            description=(
                "bar_height (m above start; ft imperial), barbell_trajectory (horizontal, m from "
                "start; ft), vertical_shoulder_height (m; ft)."
            )
        ),
    ]
    phase_data: Annotated[
        dict[str, PhaseImage], Meta(description="Per event: key frame URL and times, ms.")
    ]
    chart_data: Annotated[
        dict[str, PhaseSpan], Meta(description="Per phase: start and end, ms from the video start.")
    ]
    user_information: Annotated[dict[str, Any], Meta(description=USER_INFO_HELP)]
    session_date: Annotated[str, Meta(description="DD/MM/YYYY")]
    comments: Annotated[
        dict[str, str], Meta(description="Coaching comment per metric (after POST .../recommendation/).")
    ]
    units: Annotated[dict[str, str], Meta(description="Unit of each series above (e.g. 'W', 'm/s').")]


_SAME = "In the unit of the enclosing field."


class MinMaxValues(Struct):
    min: Annotated[Num, Meta(description="Smallest value. " + _SAME)]
    max: Annotated[Num, Meta(description="Largest value. " + _SAME)]
    values: Annotated[list[Num], Meta(description="One value per frame of the primary rep. " + _SAME)]


class MaxValues(Struct):
    max: Annotated[Num, Meta(description="Largest value. " + _SAME)]
    values: Annotated[list[Num], Meta(description="One value per frame of the primary rep. " + _SAME)]


class Trajectory(Struct):
    xAxis: Annotated[  # noqa: N815
        list[Num], Meta(description="Horizontal bar position, m from start (ft imperial).")
    ]
    yAxis: Annotated[  # noqa: N815
        list[Num], Meta(description="Vertical bar position, m above start (ft imperial).")
    ]


class SummaryVelocity(Struct):
    bar_velocity: Annotated[MinMaxValues, Meta(description="Vertical bar velocity, m/s (ft/s imperial).")]


class SummaryPower(Struct):
    ground_reaction_force: Annotated[MinMaxValues, Meta(description="N (lbf imperial).")]
    power: Annotated[MinMaxValues, Meta(description="Bar power, W (both systems).")]


class SummaryStability(Struct):
    total_time: Annotated[float | None, Meta(description="Lift duration, s.")]
    bar_height: Annotated[MaxValues, Meta(description="m (ft imperial).")]
    bar_trajectory: Trajectory


class SessionSummary(Struct, omit_defaults=True):
    exercise_type: str
    velocity: SummaryVelocity
    power: SummaryPower
    stability: SummaryStability
    user_information: Annotated[dict[str, Any], Meta(description=USER_INFO_HELP)]
    session_date: Annotated[str, Meta(description="DD/MM/YYYY")]
    summary_text: Annotated[
        dict[str, str] | None, Meta(description="GenAI commentary (after POST .../summary/).")
    ] = None


class ErrorBody(Struct):
    error: str


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)
