"""Pose post-processing stages (pure numpy): choosing the lifter among the people in view."""
