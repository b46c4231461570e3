"""The knobs of a synthetic lift clip (``LiftSpec``) and the demo clip's settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

EXERCISES = ("snatch", "clean", "clean_and_jerk")
Exercise = Literal["snatch", "clean", "clean_and_jerk"]
PLATE_COLOURS_BGR: dict[str, tuple[int, int, int]] = {
    "black": (32, 32, 34),
    "red": (40, 40, 200),
    "blue": (190, 90, 30),
    "yellow": (40, 200, 230),
    "green": (60, 150, 40),
    "white": (225, 228, 230),
}
RESOLUTIONS: dict[str, tuple[int, int]] = {
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "4k": (3840, 2160),
    "portrait": (1080, 1920),  # displayed size; stored landscape with a 90 degree rotation tag
}


@dataclass(frozen=True, slots=True)
class LiftSpec:
    """Everything that shapes a rendered clip. Sizes are of the *displayed* frame.

    Times in seconds, lengths in metres, masses in kg, angles in degrees.
    ``shutter_fraction`` is the exposure as a fraction of the frame interval; motion blur averages
    ``blur_subframes`` renders spread over that exposure, centred on each frame's timestamp.
    """

    exercise: Exercise = "snatch"
    n_reps: int = 1
    width_px: int = 1280
    height_px: int = 720
    portrait: bool = False  # displayed width_px x height_px stored rotated, tagged 90 deg clockwise
    fps: float = 30.0
    variable_frame_rate: bool = False
    vfr_jitter_fraction: float = 0.25  # +/- share of the frame interval each pts may move
    blur_subframes: int = 1
    shutter_fraction: float = 0.5
    noise_sigma: float = 0.0  # sensor noise, grey levels (0-255)
    bitrate_bps: int = 0  # 0 picks a phone-like bitrate for the resolution
    crf: int | None = None  # when set, constant quality instead of bitrate
    plate_colour: str = "black"
    plate_diameter_m: float = 0.450
    dark_floor: bool = False
    occlude_plate: bool = False  # near arm drawn over the plate (as if the camera sat a bit behind)
    camera_yaw_deg: float = 0.0
    camera_shake_px: float = 0.0  # RMS image translation of hand-held shake
    camera_distance_m: float = 4.5  # from the lifter's sagittal plane
    second_barbell: bool = False
    bystander: bool = False
    walk_between_reps: bool = True
    drop_bar: bool = True  # False: lowered to the floor instead of dropped from overhead
    lifter_height_m: float = 1.75
    body_mass_kg: float = 81.0
    barbell_mass_kg: float = 80.0
    peak_velocity_mps: float | None = None  # None: 1.85 m/s snatch, 1.55 m/s clean
    setup_s: float = 1.2
    hold_s: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise ValueError(f"exercise: expected one of {EXERCISES}, got {self.exercise!r}")
        if not 1 <= self.n_reps <= 5:
            raise ValueError(f"n_reps: expected 1..5, got {self.n_reps}")
        if self.width_px < 64 or self.height_px < 64 or self.width_px % 2 or self.height_px % 2:
            raise ValueError(f"frame size: expected even sizes >= 64, got {self.width_px}x{self.height_px}")
        if not 1.0 <= self.fps <= 480.0:
            raise ValueError(f"fps: expected 1..480, got {self.fps}")
        if self.plate_colour not in PLATE_COLOURS_BGR:
            raise ValueError(
                f"plate_colour: expected one of {sorted(PLATE_COLOURS_BGR)}, got {self.plate_colour!r}"
            )
        if not 0.0 <= self.camera_yaw_deg <= 30.0:
            raise ValueError(f"camera_yaw_deg: expected 0..30, got {self.camera_yaw_deg}")
        if self.peak_velocity_mps is not None and not 1.0 <= self.peak_velocity_mps <= 2.6:
            raise ValueError(f"peak_velocity_mps: expected 1.0..2.6, got {self.peak_velocity_mps}")
        if not 1.4 <= self.lifter_height_m <= 2.1:
            raise ValueError(f"lifter_height_m: expected 1.4..2.1, got {self.lifter_height_m}")
        if self.blur_subframes < 1:
            raise ValueError(f"blur_subframes: expected >= 1, got {self.blur_subframes}")
        if not 0.2 <= self.plate_diameter_m <= 0.6:
            raise ValueError(f"plate_diameter_m: expected 0.2..0.6, got {self.plate_diameter_m}")

    @property
    def peak_velocity(self) -> float:
        """Peak vertical bar velocity of the pull in m/s."""
        if self.peak_velocity_mps is not None:
            return self.peak_velocity_mps
        return 1.85 if self.exercise == "snatch" else 1.55

    @property
    def rotation_deg(self) -> int:
        """Clockwise display rotation written into the file (90 for portrait, else 0)."""
        return 90 if self.portrait else 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LiftSpec:
        return cls(**data)


def spec_for_resolution(name: str, **overrides: Any) -> LiftSpec:
    """A spec with a named resolution ("720p", "1080p", "4k", "portrait") plus any overrides."""
    key = name.lower()
    if key not in RESOLUTIONS:
        raise ValueError(f"resolution: expected one of {sorted(RESOLUTIONS)}, got {name!r}")
    width_px, height_px = RESOLUTIONS[key]
    return LiftSpec(width_px=width_px, height_px=height_px, portrait=key == "portrait", **overrides)


def demo_spec() -> LiftSpec:
    """The clip ``make demo`` analyses: one snatch, 1280x720 at 30 fps, about 7 s, realistic look."""
    return LiftSpec(
        exercise="snatch",
        n_reps=1,
        width_px=1280,
        height_px=720,
        fps=30.0,
        blur_subframes=2,
        noise_sigma=2.0,
        plate_colour="black",
        setup_s=0.8,
        hold_s=0.8,
        seed=7,
    )


def default_bitrate_bps(width_px: int, height_px: int, fps: float) -> int:
    """Roughly what phones record at: ~16 Mbit/s for 1080p30, scaled by pixel rate (sublinearly)."""
    pixel_rate = width_px * height_px * fps
    ref = 1920 * 1080 * 30.0
    return int(16e6 * (pixel_rate / ref) ** 0.75)
