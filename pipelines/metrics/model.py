"""Value types of an analysis: body profile, events, phases, metrics, reps, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, slots=True)
class BodyProfile:
    """What the user's profile says about the lifter; None where unknown."""

    body_mass_kg: float | None = None
    height_m: float | None = None
    sex: str | None = None  # "male" | "female" | None (segment tables default to male)

    def __post_init__(self) -> None:
        for name in ("body_mass_kg", "height_m"):
            value = getattr(self, name)
            if value is not None and not (np.isfinite(value) and value > 0):
                raise ValueError(f"BodyProfile.{name}: expected a positive number or None, got {value!r}")


@dataclass(frozen=True, slots=True)
class Event:
    t_s: float
    frame: int


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    start_t_s: float
    end_t_s: float

    @property
    def duration_s(self) -> float:
        return self.end_t_s - self.start_t_s


@dataclass(frozen=True, slots=True)
class Metric:
    """A value with unit and confidence in [0, 1]; value None comes with a reason."""

    value: float | str | None
    unit: str
    confidence: float
    reason: str = ""

    @staticmethod
    def unavailable(unit: str, reason: str) -> Metric:
        return Metric(value=None, unit=unit, confidence=0.0, reason=reason)

    @staticmethod
    def of(value: float, unit: str, confidence: float, reason_if_nan: str) -> Metric:
        """A numeric metric, or unavailable with ``reason_if_nan`` when value is not finite."""
        if value is None or not np.isfinite(value):
            return Metric.unavailable(unit, reason_if_nan)
        return Metric(value=float(value), unit=unit, confidence=float(np.clip(confidence, 0.0, 1.0)))


@dataclass(frozen=True, slots=True)
class Rep:
    index: int
    start_t_s: float
    end_t_s: float
    complete: bool
    events: dict[str, Event]
    phases: list[Phase]
    metrics: dict[str, Metric]
    start_frame: int
    end_frame: int


@dataclass(frozen=True, slots=True)
class LiftWarning:
    code: str
    message: str


@dataclass(slots=True)
class LiftAnalysis:
    """Everything the kinematics stage produces for one clip.

    series: column -> (n_frames,) array, the kinematics.parquet columns (see tables.KINEMATICS_SCHEMA).
    """

    exercise: str
    series: dict[str, np.ndarray]
    reps: list[Rep]
    primary_rep: int | None
    warnings: list[LiftWarning] = field(default_factory=list)
    bar_cutoff_hz: float = float("nan")
    body_cutoff_hz: float = float("nan")
