"""Explicit pyarrow schemas of the Parquet artifacts (units in column names). frames.parquet's schema
lives with its builder in frames.py."""

from __future__ import annotations

import pyarrow as pa

JOINT_ANGLE_CODES = ("lank", "rank", "lkne", "rkne", "lhip", "rhip", "lelb", "relb", "lsho", "rsho")

BAR_SCHEMA = pa.schema(
    [
        pa.field("t_s", pa.float64()),
        pa.field("x_px", pa.float64()),
        pa.field("y_px", pa.float64()),
        pa.field("radius_px", pa.float64()),
        pa.field("x_m", pa.float64()),
        pa.field("y_m", pa.float64()),
        pa.field("confidence", pa.float64()),
        pa.field("source", pa.string()),  # detected | tracked | interpolated | lost
    ]
)

_KINEMATICS_FLOATS = (
    "bar_x_m",
    "bar_y_m",
    "bar_vx_mps",
    "bar_vy_mps",
    "bar_speed_mps",
    "bar_ax_mps2",
    "bar_ay_mps2",
    "bar_power_w",
    "grf_n",
    "com_y_m",
    "hip_height_m",
    "hip_vy_mps",
    "shoulder_height_m",
    "torso_angle_deg",
    "shin_angle_deg",
    *(f"{code}_angle_deg" for code in JOINT_ANGLE_CODES),
)

KINEMATICS_SCHEMA = pa.schema(
    [
        pa.field("t_s", pa.float64()),
        pa.field("frame", pa.int32()),
        pa.field("rep_index", pa.int32()),  # -1 outside reps
        pa.field("phase", pa.string()),  # "" outside phases
        *(pa.field(name, pa.float64()) for name in _KINEMATICS_FLOATS),
    ]
)

PHASES_SCHEMA = pa.schema(
    [
        pa.field("rep_index", pa.int32()),
        pa.field("name", pa.string()),
        pa.field("start_t_s", pa.float64()),
        pa.field("end_t_s", pa.float64()),
        pa.field("duration_s", pa.float64()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {"bar": BAR_SCHEMA, "kinematics": KINEMATICS_SCHEMA, "phases": PHASES_SCHEMA}


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with exactly the schema's columns, in its order and types (safe casts only).

    Raises ValueError naming the missing columns; extra columns are an error too, so a renamed column
    cannot slip through unnoticed."""
    missing = [name for name in schema.names if name not in table.column_names]
    extra = [name for name in table.column_names if name not in schema.names]
    if missing or extra:
        raise ValueError(f"table columns: missing {missing}, unexpected {extra}")
    return table.select(schema.names).cast(schema.with_metadata(table.schema.metadata))


def phases_table(phases: list[dict]) -> pa.Table:
    """phases.parquet rows from report-style phase dicts (rep_index, name, start_t_s, end_t_s)."""
    rows = {
        "rep_index": [int(p.get("rep_index", 0)) for p in phases],
        "name": [str(p["name"]) for p in phases],
        "start_t_s": [float(p["start_t_s"]) for p in phases],
        "end_t_s": [float(p["end_t_s"]) for p in phases],
        "duration_s": [float(p["end_t_s"]) - float(p["start_t_s"]) for p in phases],
    }
    return pa.Table.from_pydict(rows, schema=PHASES_SCHEMA)
