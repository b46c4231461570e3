"""Segment lengths and widths from body height (Drillis & Contini / Winter ratios), in metres."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Anthropometry:
    """Proportions of an adult of height ``height_m``; all lengths in metres."""

    height_m: float

    @property
    def thigh_m(self) -> float:
        return 0.245 * self.height_m

    @property
    def shank_m(self) -> float:
        return 0.246 * self.height_m

    @property
    def trunk_m(self) -> float:  # hip joint centre to shoulder joint centre
        return 0.288 * self.height_m

    @property
    def upper_arm_m(self) -> float:
        return 0.186 * self.height_m

    @property
    def forearm_m(self) -> float:
        return 0.146 * self.height_m

    @property
    def wrist_to_grip_m(self) -> float:  # wrist joint to the bar axis in a closed grip
        return 0.04 * self.height_m

    @property
    def ankle_height_m(self) -> float:
        return 0.039 * self.height_m

    @property
    def heel_back_m(self) -> float:  # heel behind the ankle
        return 0.045 * self.height_m

    @property
    def toe_forward_m(self) -> float:  # foot index ahead of the ankle
        return 0.11 * self.height_m

    @property
    def shoulder_half_m(self) -> float:  # half the distance between shoulder joint centres
        return 0.105 * self.height_m

    @property
    def hip_half_m(self) -> float:
        return 0.05 * self.height_m

    @property
    def foot_half_m(self) -> float:  # lateral half-distance of the feet in the pull stance
        return 0.07 * self.height_m

    @property
    def standing_hip_m(self) -> float:
        return 0.530 * self.height_m

    @property
    def knee_height_m(self) -> float:
        return 0.285 * self.height_m

    @property
    def arm_reach_m(self) -> float:
        """Shoulder joint to the bar axis with a straight arm (3-D)."""
        return self.upper_arm_m + self.forearm_m + self.wrist_to_grip_m

    def grip_half_m(self, exercise: str) -> float:
        """Half the distance between the hands: wide for the snatch, about shoulder width for the clean."""
        return (0.26 if exercise == "snatch" else 0.135) * self.height_m

    def sagittal_reach_m(self, grip_half_m: float) -> float:
        """Straight-arm reach seen from the side: the arm's lateral run is hidden along the view axis."""
        lateral = grip_half_m - self.shoulder_half_m
        return float((self.arm_reach_m**2 - lateral**2) ** 0.5)
