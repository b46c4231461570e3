"""Synthetic lift renderer with ground truth: a drawn lifter and barbell on known trajectories."""

from pipelines.synth.render import render_lift, simulate_truth
from pipelines.synth.spec import EXERCISES, LiftSpec, demo_spec, spec_for_resolution
from pipelines.synth.truth import GroundTruth, load_ground_truth

__all__ = [
    "EXERCISES",
    "GroundTruth",
    "LiftSpec",
    "demo_spec",
    "load_ground_truth",
    "render_lift",
    "simulate_truth",
    "spec_for_resolution",
]
