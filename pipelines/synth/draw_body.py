"""Draw a clothed humanoid seen from its right side (face, hair, shirt, shorts, shoes, skin).

Drawn in layers so the caller can put the barbell between them: far limbs, trunk and head,
near leg, near arm. Widths are fractions of body height, projected at each point's depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.synth.body import POINT_INDEX
from pipelines.synth.camera import Camera
from pipelines.synth.raster import Colour, capsule, disc, ellipse, line, polygon, shade


@dataclass(frozen=True, slots=True)
class Outfit:
    skin: Colour = (112, 150, 205)
    hair: Colour = (28, 36, 52)
    shirt: Colour = (150, 80, 35)
    shorts: Colour = (38, 36, 40)
    shoes: Colour = (225, 225, 228)
    sole: Colour = (40, 40, 45)


class Figure:
    """One person's projected points for one frame. pts_m: (N_POINTS, 3)."""

    def __init__(
        self,
        pts_m: np.ndarray,
        camera: Camera,
        offset_px: tuple[float, float],
        height_m: float,
        outfit: Outfit,
    ) -> None:
        self.px = camera.project(pts_m, offset_px)
        self.scale = camera.scale_px_per_m(pts_m)  # px per metre at each point
        self.h = height_m
        self.o = outfit

    def p(self, name: str) -> np.ndarray:
        return self.px[POINT_INDEX[name]]

    def r(self, name: str, width_frac: float) -> float:
        return 0.5 * width_frac * self.h * float(self.scale[POINT_INDEX[name]])

    def limb(self, img: np.ndarray, a: str, b: str, wa: float, wb: float, colour: Colour) -> None:
        capsule(img, self.p(a), self.p(b), self.r(a, wa), self.r(b, wb), colour)

    def leg(self, img: np.ndarray, side: str, dim: float) -> None:
        o = self.o
        self.limb(img, f"{side}kne", f"{side}ank", 0.060, 0.038, shade(o.skin, dim))
        self.limb(img, f"{side}hip", f"{side}kne", 0.095, 0.062, shade(o.skin, dim))
        # Shorts over the upper two thirds of the thigh.
        hip, knee = self.p(f"{side}hip"), self.p(f"{side}kne")
        hem = hip + 0.62 * (knee - hip)
        capsule(img, hip, hem, self.r(f"{side}hip", 0.105), self.r(f"{side}kne", 0.078), shade(o.shorts, dim))
        # Shoe: a band from heel to toe with a sole line.
        heel, toe, ankle = self.p(f"{side}hee"), self.p(f"{side}toe"), self.p(f"{side}ank")
        rs = self.r(f"{side}ank", 0.030)
        capsule(img, heel, toe, rs, rs * 0.7, shade(o.shoes, dim))
        capsule(img, ankle, heel + 0.4 * (toe - heel), rs * 1.2, rs, shade(o.shoes, dim))
        line(
            img,
            heel + np.array([0, rs]),
            toe + np.array([0, rs * 0.7]),
            shade(o.sole, dim),
            max(1, int(rs / 3)),
        )

    def arm(self, img: np.ndarray, side: str, dim: float) -> None:
        o = self.o
        self.limb(img, f"{side}elb", f"{side}wri", 0.042, 0.030, shade(o.skin, dim))
        capsule(
            img,
            self.p(f"{side}wri"),
            self.p(f"{side}hand"),
            self.r(f"{side}wri", 0.034),
            self.r(f"{side}hand", 0.040),
            shade(o.skin, dim),
        )
        self.limb(img, f"{side}sho", f"{side}elb", 0.056, 0.044, shade(o.skin, dim))
        # Short sleeve over the top of the upper arm.
        sho, elb = self.p(f"{side}sho"), self.p(f"{side}elb")
        capsule(
            img,
            sho,
            sho + 0.4 * (elb - sho),
            self.r(f"{side}sho", 0.066),
            self.r(f"{side}elb", 0.056),
            shade(o.shirt, dim),
        )

    def trunk_and_head(self, img: np.ndarray) -> None:
        o = self.o
        hip = (self.p("lhip") + self.p("rhip")) / 2
        sho = (self.p("lsho") + self.p("rsho")) / 2
        neck, head = self.p("neck"), self.p("head")
        r_h = self.r("rhip", 0.120)
        r_s = self.r("rsho", 0.125)
        capsule(img, neck, head, self.r("neck", 0.052), self.r("neck", 0.050), o.skin)
        capsule(img, hip, hip + 0.35 * (sho - hip), r_h, r_h * 1.02, o.shorts)
        capsule(img, hip + 0.25 * (sho - hip), sho, r_h * 0.98, r_s, o.shirt)
        self.head(img)

    def head(self, img: np.ndarray) -> None:
        o = self.o
        head, nose, neck = self.p("head"), self.p("nose"), self.p("neck")
        up = head - neck
        up = up / max(float(np.hypot(up[0], up[1])), 1e-6)
        fwd = np.array([-up[1], up[0]]) * -1.0  # facing image right when upright
        if fwd[0] < 0:
            fwd = -fwd
        s = float(self.scale[POINT_INDEX["head"]]) * self.h
        angle = float(np.degrees(np.arctan2(up[0], -up[1])))
        ellipse(img, head - 0.012 * s * fwd + 0.008 * s * up, (0.062 * s, 0.072 * s), angle, o.hair)
        ellipse(img, head + 0.006 * s * fwd - 0.006 * s * up, (0.056 * s, 0.066 * s), angle, o.skin)
        # Hair cap on the top and back of the head.
        ellipse(img, head - 0.020 * s * fwd + 0.030 * s * up, (0.040 * s, 0.050 * s), angle + 60, o.hair)
        # Ear, eye, nose, mouth.
        ellipse(img, head - 0.012 * s * fwd, (0.011 * s, 0.016 * s), angle, shade(o.skin, 0.85))
        eye = head + 0.040 * s * fwd + 0.012 * s * up
        ellipse(img, eye, (0.008 * s, 0.005 * s), angle, (235, 235, 235))
        disc(img, eye + 0.003 * s * fwd, 0.0035 * s, (40, 30, 25))
        line(
            img,
            eye + 0.012 * s * up - 0.008 * s * fwd,
            eye + 0.014 * s * up + 0.010 * s * fwd,
            o.hair,
            max(1, int(0.004 * s)),
        )
        tip = nose + 0.004 * s * fwd
        polygon(
            img,
            np.array([head + 0.050 * s * fwd + 0.010 * s * up, tip, tip - 0.016 * s * up - 0.008 * s * fwd]),
            shade(o.skin, 0.92),
        )
        mouth = head + 0.045 * s * fwd - 0.030 * s * up
        line(img, mouth - 0.010 * s * fwd, mouth + 0.006 * s * fwd, (60, 60, 150), max(1, int(0.005 * s)))

    def far_side(self, img: np.ndarray) -> None:
        self.arm(img, "l", 0.72)
        self.leg(img, "l", 0.72)

    def near_leg(self, img: np.ndarray) -> None:
        self.leg(img, "r", 1.0)

    def near_arm(self, img: np.ndarray) -> None:
        self.arm(img, "r", 1.0)

    def draw_all(self, img: np.ndarray) -> None:
        self.far_side(img)
        self.trunk_and_head(img)
        self.near_leg(img)
        self.near_arm(img)
