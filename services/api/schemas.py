"""Response and request bodies (msgspec). Field descriptions carry the units into the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

Num = float | None
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
    metrics: Annotated[dict[str, float], Meta(description="Primary rep's numeric metrics; units in `units`.")]
    angles: Annotated[
        dict[str, list[Num]],
        Meta(description="<joint>_angle (degrees) per frame for the selected body joints."),
    ]
    report_metrics: Annotated[
        dict[str, list[Num]],
        Meta(
            description=(
                "Per-frame series: bar_speed (m/s), bar_vertical_velocity (m/s), bar_power (W), "
                "ground_reaction_force (N), bar_height (m), bar_horizontal_displacement (m); "
                "units in `units`."
            )
        ),
    ]
    all_timestamps: Annotated[list[Num], Meta(description="Presentation time of each frame, seconds.")]
    session_id: str
    status: Annotated[str, Meta(description="queued | processing | done | failed")]
    progress: Annotated[float, Meta(description="0..1")]
    stage: str
    error: str | None
    measurement_system: Annotated[str, Meta(description="metric | imperial: the unit system of every value.")]
    units: Annotated[dict[str, str], Meta(description="Unit of each key of metrics and report_metrics.")]
    warnings: list[dict[str, str]]


class SessionExport(Struct):
    keypoints: Annotated[
        dict[str, list[Num]],
        Meta(description="<joint>x / <joint>y in frame pixels, <joint>v visibility 0..1."),
    ]
    angles: Annotated[dict[str, list[Num]], Meta(description="<joint>_angle per frame, degrees.")]
    all_timestamps: Annotated[list[Num], Meta(description="Seconds.")]
    metrics: Annotated[
        dict[str, float], Meta(description="Primary rep's numeric metrics (SI, or imperial on request).")
    ]
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
                "hip_velocity (vertical, m/s), shin_angle (deg from vertical), hip_height (m), "
                "torso_angle (deg from vertical)."
            )
        ),
    ]
    joint_angles: Annotated[
        dict[str, list[Num]], Meta(description="<joint>_angle, degrees, mean of both sides.")
    ]
    barbell_positioning: Annotated[
        dict[str, list[Num]],
        Meta(
            description=(
                "bar_height (m above start), barbell_trajectory (horizontal, m from start), "
                "vertical_shoulder_height (m)."
            )
        ),
    ]
    phase_data: dict[str, PhaseImage]
    chart_data: dict[str, PhaseSpan]
    user_information: dict[str, Any]
    session_date: Annotated[str, Meta(description="DD/MM/YYYY")]
    comments: Annotated[
        dict[str, str], Meta(description="Coaching comment per metric (after POST .../recommendation/).")
    ]
    units: dict[str, str]


class MinMaxValues(Struct):
    min: Num
    max: Num
    values: list[Num]


class MaxValues(Struct):
    max: Num
    values: list[Num]


class Trajectory(Struct):
    xAxis: Annotated[list[Num], Meta(description="Horizontal bar position, m from start.")]  # noqa: N815
    yAxis: Annotated[list[Num], Meta(description="Vertical bar position, m above start.")]  # noqa: N815


class SummaryVelocity(Struct):
    bar_velocity: Annotated[MinMaxValues, Meta(description="Vertical bar velocity, m/s (ft/s imperial).")]


class SummaryPower(Struct):
    ground_reaction_force: Annotated[MinMaxValues, Meta(description="N (lbf imperial).")]
    power: Annotated[MinMaxValues, Meta(description="Bar power, W.")]


class SummaryStability(Struct):
    total_time: Annotated[float | None, Meta(description="Lift duration, s.")]
    bar_height: Annotated[MaxValues, Meta(description="m (ft imperial).")]
    bar_trajectory: Trajectory


class SessionSummary(Struct, omit_defaults=True):
    exercise_type: str
    velocity: SummaryVelocity
    power: SummaryPower
    stability: SummaryStability
    user_information: dict[str, Any]
    session_date: str
    summary_text: Annotated[
        dict[str, str] | None, Meta(description="GenAI commentary (after POST .../summary/).")
    ] = None


class ErrorBody(Struct):
    error: str


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)
