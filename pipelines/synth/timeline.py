"""The lift program: bar and body channels over the whole clip, with the true event times.

Vertical bar motion during the pull is built from a velocity profile (cubic Hermite in velocity,
positions from its exact integral), so peak velocity is exactly the requested value and the
velocity never overshoots. Lengths scale with the lifter's height; see poses.py for the frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pipelines.synth.anthropometry import Anthropometry
from pipelines.synth.channels import ChannelBuilder
from pipelines.synth.curves import QuinticCurve, rise_between
from pipelines.synth.poses import (
    overhead_pose,
    pull_pose,
    rack_pose,
    standing_overhead_bar,
    standing_pose,
    standing_rack_bar,
)
from pipelines.synth.spec import LiftSpec

G_MPS2 = 9.81


@dataclass(slots=True)
class RepTruth:
    """One rep: event times (s) by the names of the shared report format, and its span."""

    index: int
    start_t_s: float  # lift-off
    end_t_s: float  # recovery finished (jerk recovery for the clean and jerk)
    setup_start_t_s: float
    release_t_s: float  # bar dropped or lowered from here
    events: dict[str, float] = field(default_factory=dict)
    phases: list[tuple[str, float, float]] = field(default_factory=list)


@dataclass(slots=True)
class Timeline:
    curves: dict[str, QuinticCurve]
    reps: list[RepTruth]
    duration_s: float
    plate_radius_m: float


def duration_for_rise(rise_m: float, v0: float, a0: float, v1: float, a1: float) -> float:
    """Time over which the cubic-Hermite velocity profile covers ``rise_m`` (inverse of rise_between)."""
    c2, c1 = (a0 - a1) / 12.0, (v0 + v1) / 2.0
    if abs(c2) < 1e-12:
        return rise_m / c1
    disc = c1 * c1 + 4 * c2 * rise_m
    return (-c1 + math.sqrt(disc)) / (2 * c2)


class _Program:
    def __init__(self, spec: LiftSpec) -> None:
        self.spec = spec
        self.a = Anthropometry(spec.lifter_height_m)
        self.b = ChannelBuilder()
        self.r = spec.plate_diameter_m / 2.0
        grip_ex = "snatch" if spec.exercise == "snatch" else "clean"
        self.reach = self.a.sagittal_reach_m(self.a.grip_half_m(grip_ex))
        self.t = 0.0
        self.reps: list[RepTruth] = []

    # -- helpers -------------------------------------------------------------------------------
    def pose(self, t: float, pose: dict[str, float]) -> None:
        self.b.key(t, **pose)

    def bar(
        self, t: float, x: float | tuple[float, float, float], y: float | tuple[float, float, float]
    ) -> None:
        self.b.key(t, bar_x=x, bar_y=y)

    def ankle_for_bar(self, bar_x: float) -> float:
        return bar_x - 0.035 * self.a.height_m  # bar over the balls of the feet

    # -- segments ------------------------------------------------------------------------------
    def start(self) -> None:
        ankle = self.ankle_for_bar(0.0)
        self.pose(0.0, standing_pose(self.a, ankle))
        self.bar(0.0, 0.0, self.r)

    def setup(self) -> float:
        """Bend down to the bar and hold still; returns the lift-off time."""
        h, bx = self.a.height_m, self.b.value("bar_x")
        ankle = self.ankle_for_bar(bx)
        self.b.hold(self.t)
        t_down = self.t + 1.0
        self.b.key(self.t + 0.6, grip=0.2)
        self.pose(t_down, pull_pose(self.a, (bx, self.r), (bx - 0.19 * h, 0.34 * h), 50.0, self.reach, ankle))
        self.t = t_down + self.spec.setup_s
        self.b.hold(self.t)
        return self.t

    def pull(self, rep: RepTruth) -> tuple[float, float]:
        """Lift-off to peak bar height; returns (peak x, peak y)."""
        h, vp, snatch = self.a.height_m, self.spec.peak_velocity, self.spec.exercise == "snatch"
        x0 = self.b.value("bar_x")
        ankle = self.ankle_for_bar(x0)
        ev = rep.events
        ev["start_of_lifting"] = t = self.t
        # (height at the event, vertical velocity, acceleration, x offset toward(-)/away(+) from lifter)
        y1, v1, a1, dx1 = 0.27 * h, 0.58 * vp, 0.5, -0.018 * h
        y2, v2, a2, dx2 = 0.36 * h, 0.70 * vp, 3.0, -0.024 * h
        y3, v3, a3, dx3 = (0.50 if snatch else 0.47) * h, vp, 0.0, 0.008 * h
        t1 = t + duration_for_rise(y1 - self.r, 0.0, 0.0, v1, a1)
        t2 = t1 + duration_for_rise(y2 - y1, v1, a1, v2, a2)
        t3 = t2 + duration_for_rise(y3 - y2, v2, a2, v3, a3)
        self.bar(t1, (x0 + dx1, -0.05, 0.0), (y1, v1, a1))
        self.pose(t1, pull_pose(self.a, (x0 + dx1, y1), (x0 - 0.215 * h, 0.43 * h), 45.0, self.reach, ankle))
        self.bar(t2, (x0 + dx2, 0.0, 0.0), (y2, v2, a2))
        self.pose(t2, pull_pose(self.a, (x0 + dx2, y2), (x0 - 0.15 * h, 0.45 * h), 25.0, self.reach, ankle))
        self.bar(t3, (x0 + dx3, 0.25, 0.0), (y3, v3, a3))
        hip3 = (x0 - 0.06 * h, (0.55 if snatch else 0.56) * h)
        self.pose(t3, pull_pose(self.a, (x0 + dx3, y3), hip3, -5.0, self.reach, ankle, heel_m=0.05 * h))
        ev["first_pull_end"], ev["transition_end"], ev["second_pull_end"] = t1, t2, t3
        # Turnover: the arms keep the bar rising briefly, then it decelerates to its peak.
        ta, va, aa = t3 + 0.08, 0.9 * vp, -3.0
        ya = y3 + rise_between(ta - t3, v3, a3, va, aa)
        a_peak = -7.0
        t4 = ta + va / (-(aa + a_peak) / 2.0)  # mean deceleration over the cubic velocity piece
        y4 = ya + rise_between(t4 - ta, va, aa, 0.0, a_peak)
        x4 = x0 + 0.018 * h
        self.b.key(ta, bar_y=(ya, va, aa))
        self.bar(t4, (x4, 0.0, 0.0), (y4, 0.0, a_peak))
        ev["peak_bar_height"] = t4
        self.t = t4
        return x4, y4

    def catch_and_recover(self, rep: RepTruth, peak: tuple[float, float]) -> None:
        h, snatch = self.a.height_m, self.spec.exercise == "snatch"
        ankle = self.b.value("lank_x")  # the feet have not moved since the setup
        x_catch = peak[0] - 0.02 * h  # the loop: the bar comes back toward the lifter
        if snatch:
            stand_bar = standing_overhead_bar(self.a, self.reach, ankle)
            y_catch = min(peak[1] - 0.05 * h, stand_bar[1] - 0.06 * h)
            catch = overhead_pose(self.a, (x_catch, y_catch), self.reach, 28.0, -8.0, ankle, 0.16 * h)
        else:
            stand_bar = standing_rack_bar(self.a, ankle)
            y_catch = min(peak[1] - 0.08 * h, stand_bar[1] - 0.06 * h)
            catch = rack_pose(self.a, (x_catch, y_catch), 15.0, ankle, 0.17 * h)
        # Halfway pose at the peak: the lifter is already travelling down under the bar.
        mid = {k: (catch[k] + self.b.value(k)) / 2 for k in catch}
        mid.update(grip=1.0, lheel_m=0.0, rheel_m=0.0, elbow_fwd=(-0.8 if snatch else 0.6))
        self.pose(self.t, mid)
        t5 = self.t + 0.32
        self.bar(t5, x_catch, (y_catch, 0.0, 5.0))
        self.pose(t5, catch)
        rep.events["catch_end"] = t5
        t_settle = t5 + 0.3
        self.bar(t_settle, x_catch, y_catch + 0.008 * h)
        self.pose(t_settle, {**catch, "hip_y": catch["hip_y"] + 0.008 * h})
        t6 = t_settle + 1.3
        stand_x = x_catch
        stand_ankle = ankle
        if snatch:
            bar_end = standing_overhead_bar(self.a, self.reach, stand_ankle)
            end_pose = overhead_pose(self.a, (stand_x, bar_end[1]), self.reach, -2.0, -4.0, stand_ankle, 0.0)
        else:
            bar_end = standing_rack_bar(self.a, stand_ankle)
            end_pose = rack_pose(self.a, (stand_x, bar_end[1]), 3.0, stand_ankle, 0.0)
        self.bar(t6, stand_x, bar_end[1])
        self.pose(t6, end_pose)
        rep.events["recovery_end"] = t6
        self.t = t6

    def jerk(self, rep: RepTruth) -> None:
        h = self.a.height_m
        x, y_rack = self.b.value("bar_x"), self.b.value("bar_y")
        ankle = self.b.value("lank_x")
        t0 = self.t + 0.8
        self.b.hold(t0)
        ev = rep.events
        ev["jerk_dip_start"] = t0
        tm, vm = t0 + 0.17, -0.6
        ym = y_rack + rise_between(0.17, 0.0, 0.0, vm, 0.0)
        t1, a1 = tm + 0.13, 14.0
        y1 = ym + rise_between(0.13, vm, 0.0, 0.0, a1)
        self.b.key(tm, bar_y=(ym, vm, 0.0))
        self.bar(t1, x, (y1, 0.0, a1))
        self.pose(t1, rack_pose(self.a, (x, y1), 2.0, ankle, 0.0))
        ev["jerk_drive_start"] = t1
        vj = 0.95 * self.spec.peak_velocity + 0.15
        t2 = t1 + 0.2
        y2 = y1 + rise_between(0.2, 0.0, a1, vj, 0.0)
        self.b.key(t2, bar_y=(y2, vj, 0.0))
        drive = rack_pose(self.a, (x, y2), 0.0, ankle, 0.0)
        drive.update(lheel_m=0.04 * h, rheel_m=0.04 * h, elbow_fwd=0.6)
        drive["hip_y"] = min(drive["hip_y"], self.a.standing_hip_m + 0.03 * h)
        self.pose(t2, drive)
        ev["jerk_drive_end"] = t2
        t3 = t2 + vj / 7.0
        y3 = y2 + rise_between(t3 - t2, vj, 0.0, 0.0, -7.0)
        self.b.key(t3, bar_y=(y3, 0.0, -7.0))
        t4 = t3 + 0.2
        y4 = y3 - 0.02 * h
        self.bar(t4, x + 0.005 * h, (y4, 0.0, 4.0))
        split = overhead_pose(self.a, (x + 0.005 * h, y4), self.reach, -2.0, -3.0, ankle, 0.2 * h)
        split.update(rank_x=ankle + 0.2 * h, lank_x=ankle - 0.28 * h, lheel_m=0.07 * h, rheel_m=0.0)
        self.pose(t4, split)
        ev["jerk_catch"] = t4
        # Recover: front foot back a half step, then the back foot forward.
        stand = standing_overhead_bar(self.a, self.reach, ankle)
        t5 = t4 + 0.5
        self.b.key(t5, rank_x=ankle + 0.08 * h, lank_x=ankle - 0.26 * h)
        t6 = t5 + 0.5
        self.bar(t6, x + 0.005 * h, stand[1])
        final = overhead_pose(self.a, (x + 0.005 * h, stand[1]), self.reach, -2.0, -4.0, ankle, 0.0)
        self.pose(t6, final)
        ev["jerk_recovery_end"] = t6
        self.t = t6

    def release(self, rep: RepTruth) -> None:
        """Hold, then drop the bar (or lower it) and stand up with the hands free."""
        h = self.a.height_m
        self.t += self.spec.hold_s
        self.b.hold(self.t)
        rep.release_t_s = self.t
        x, y = self.b.value("bar_x"), self.b.value("bar_y")
        ankle = self.b.value("lank_x")
        if self.spec.drop_bar:
            t_let = self.t + 0.3
            self.pose(t_let, {**standing_pose(self.a, ankle), "grip": 0.0})
            fall = y - self.r
            t_imp = self.t + math.sqrt(2 * fall / G_MPS2) * 1.1
            v_imp, a_imp = -0.75 * math.sqrt(2 * G_MPS2 * fall), -5.0
            t_hit, a_hit = t_imp + 0.08, 40.0
            y_imp = self.r - rise_between(0.08, v_imp, a_imp, 0.0, a_hit)
            self.bar(t_imp, (x, 0.0, 0.0), (y_imp, v_imp, a_imp))
            self.bar(t_hit, (x + 0.01 * h, 0.05, 0.0), (self.r, 0.0, a_hit))
            self.bar(t_hit + 0.15, (x + 0.02 * h, 0.05, 0.0), (self.r + 0.03 * h, 0.0, -G_MPS2))
            self.bar(t_hit + 0.4, x + 0.025 * h, self.r)
            self.t = t_hit + 0.4
        else:
            t_hang = self.t + 1.2
            hang = pull_pose(self.a, (x, 0.4 * h), (x - 0.03 * h, 0.52 * h), 10.0, self.reach, ankle)
            self.pose(t_hang, hang)
            self.bar(t_hang, x, 0.4 * h)
            t_floor = t_hang + 1.3
            self.bar(t_floor, x, self.r)
            floor = pull_pose(self.a, (x, self.r), (x - 0.19 * h, 0.34 * h), 50.0, self.reach, ankle)
            self.pose(t_floor, floor)
            self.b.key(t_floor + 0.4, grip=0.0)
            self.pose(t_floor + 1.2, standing_pose(self.a, ankle))
            self.t = t_floor + 1.2
        self.b.hold(self.t)

    def between_reps(self) -> None:
        """Step back from the bar, pause, walk back and stand behind it."""
        h = self.a.height_m
        ankle_new = self.ankle_for_bar(self.b.value("bar_x"))
        if self.spec.walk_between_reps:
            back = ankle_new - 0.6 * h
            t = self.t + 0.3
            for foot_x in (ankle_new - 0.3 * h, back):
                for side in ("rank_x", "lank_x"):
                    t += 0.45
                    self.b.key(t, **{side: foot_x})
                    self.b.key(t, hip_x=foot_x + 0.005 * h)
            self.b.hold(t + 1.2)
            t += 1.2
            for foot_x in (ankle_new - 0.3 * h, ankle_new):
                for side in ("lank_x", "rank_x"):
                    t += 0.45
                    self.b.key(t, **{side: foot_x})
                    self.b.key(t, hip_x=foot_x + 0.005 * h)
            self.t = t + 0.3
        else:
            self.t += 1.5
        self.pose(self.t, standing_pose(self.a, ankle_new))
        self.b.hold(self.t)


PHASE_ORDER = (
    ("setup", "setup_start", "start_of_lifting"),
    ("first_pull", "start_of_lifting", "first_pull_end"),
    ("transition", "first_pull_end", "transition_end"),
    ("second_pull", "transition_end", "second_pull_end"),
    ("turnover", "second_pull_end", "peak_bar_height"),
    ("catch", "peak_bar_height", "catch_end"),
    ("recovery", "catch_end", "recovery_end"),
    ("jerk_dip", "jerk_dip_start", "jerk_drive_start"),
    ("jerk_drive", "jerk_drive_start", "jerk_drive_end"),
    ("jerk_split", "jerk_drive_end", "jerk_catch"),
    ("jerk_recovery", "jerk_catch", "jerk_recovery_end"),
)


def build_timeline(spec: LiftSpec) -> Timeline:
    """The whole clip: optional walking, setup, the lift(s), drop; with true events per rep."""
    prog = _Program(spec)
    prog.start()
    prog.t = 0.5
    for index in range(spec.n_reps):
        rep = RepTruth(index=index, start_t_s=0.0, end_t_s=0.0, setup_start_t_s=prog.t, release_t_s=0.0)
        prog.setup()
        peak = prog.pull(rep)
        prog.catch_and_recover(rep, peak)
        if spec.exercise == "clean_and_jerk":
            prog.jerk(rep)
        rep.start_t_s = rep.events["start_of_lifting"]
        rep.end_t_s = rep.events["jerk_recovery_end" if spec.exercise == "clean_and_jerk" else "recovery_end"]
        prog.release(rep)
        times = {"setup_start": rep.setup_start_t_s, **rep.events}
        rep.phases = [(name, times[a], times[b]) for name, a, b in PHASE_ORDER if a in times and b in times]
        prog.reps.append(rep)
        if index < spec.n_reps - 1:
            prog.between_reps()
    end = prog.t + 0.5
    prog.b.hold(end)
    return Timeline(prog.b.build(), prog.reps, end, prog.r)
