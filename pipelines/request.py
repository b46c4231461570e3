"""What one analysis is asked to do: the job's parameters, independent of where it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXERCISES = ("snatch", "clean", "clean_and_jerk")
JOINT_ANGLE_CHOICES = ("ankle", "knee", "hip", "elbow", "shoulder")


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    exercise: str
    barbell_mass_kg: float = 100.0
    body_joint_angles: tuple[str, ...] = ("all",)
    plate_diameter_m: float = 0.450
    session_id: str | None = None
    display_name: str = ""
    body_mass_kg: float | None = None
    height_m: float | None = None
    age: int | None = None
    gender: str | None = None
    measurement_system: str = "metric"

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise ValueError(f"exercise: expected one of {EXERCISES}, got {self.exercise!r}")
        if not (0 < self.barbell_mass_kg <= 1000):
            raise ValueError(f"barbell_mass_kg: expected 0 < m <= 1000, got {self.barbell_mass_kg}")
        if not (0.05 <= self.plate_diameter_m <= 1.0):
            raise ValueError(f"plate_diameter_m: expected 0.05..1.0 m, got {self.plate_diameter_m}")
        bad = [j for j in self.body_joint_angles if j not in (*JOINT_ANGLE_CHOICES, "all")]
        if bad:
            raise ValueError(f"body_joint_angles: unknown {bad}; choose from {JOINT_ANGLE_CHOICES} or all")

    @property
    def joint_angles(self) -> tuple[str, ...]:
        return JOINT_ANGLE_CHOICES if "all" in self.body_joint_angles else self.body_joint_angles

    def user_section(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name, "body_mass_kg": self.body_mass_kg, "height_m": self.height_m,
            "age": self.age, "gender": self.gender,
        }
