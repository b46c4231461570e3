"""Rep finding, events and phases of the snatch, the clean and the clean and jerk."""
