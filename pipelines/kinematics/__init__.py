"""Kinematics: filtering and derivatives on real timestamps, bar and body series, centre of mass."""
