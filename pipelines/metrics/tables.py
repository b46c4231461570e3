"""Views of a LiftAnalysis: kinematics.parquet, phases.parquet and report.json's sections."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from pipelines.kinematics.angles import ANGLE_COLUMNS
from pipelines.metrics.model import LiftAnalysis, Metric, Rep

_FLOAT_COLUMNS = (
    "bar_x_m", "bar_y_m", "bar_vx_mps", "bar_vy_mps", "bar_speed_mps", "bar_ax_mps2", "bar_ay_mps2",
    "bar_power_w", "grf_n", "com_y_m", "hip_height_m", "hip_vy_mps", "shoulder_height_m",
    "torso_angle_deg", "shin_angle_deg", *ANGLE_COLUMNS,
)
KINEMATICS_SCHEMA = pa.schema(
    [
        pa.field("t_s", pa.float64()),
        pa.field("frame", pa.int32()),
        pa.field("rep_index", pa.int32()),
        pa.field("phase", pa.string()),
        *(pa.field(name, pa.float64()) for name in _FLOAT_COLUMNS),
    ]
)
PHASES_SCHEMA = pa.schema(
    [
        pa.field("rep_index", pa.int32()),
        pa.field("phase", pa.string()),
        pa.field("start_t_s", pa.float64()),
        pa.field("end_t_s", pa.float64()),
        pa.field("duration_s", pa.float64()),
    ]
)


def kinematics_table(a: LiftAnalysis) -> pa.Table:
    """One row per frame, NaN where unavailable, columns and types of KINEMATICS_SCHEMA."""
    arrays = [pa.array(np.asarray(a.series[f.name]).tolist() if f.name == "phase" else a.series[f.name],
                       type=f.type) for f in KINEMATICS_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=KINEMATICS_SCHEMA)


def phases_table(a: LiftAnalysis) -> pa.Table:
    rows = [(r.index, p.name, p.start_t_s, p.end_t_s, p.duration_s) for r in a.reps for p in r.phases]
    columns: list[list[Any]] = [[row[k] for row in rows] for k in range(len(PHASES_SCHEMA))]
    return pa.Table.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, PHASES_SCHEMA, strict=True)],
        schema=PHASES_SCHEMA,
    )


def _metric_json(m: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {"value": m.value, "unit": m.unit, "confidence": round(m.confidence, 3)}
    if m.value is None:
        out["reason"] = m.reason
    return out


def _rep_json(r: Rep) -> dict[str, Any]:
    return {
        "index": r.index,
        "start_t_s": r.start_t_s,
        "end_t_s": r.end_t_s,
        "complete": r.complete,
        "events": {name: {"t_s": e.t_s, "frame": e.frame} for name, e in r.events.items()},
        "phases": [{"name": p.name, "start_t_s": p.start_t_s, "end_t_s": p.end_t_s} for p in r.phases],
        "metrics": {name: _metric_json(m) for name, m in r.metrics.items()},
    }


def _json_list(values: np.ndarray) -> list[Any]:
    if values.dtype.kind in "iu":
        return [int(v) for v in values]
    if values.dtype.kind == "O":
        return [str(v) for v in values]
    return [None if not math.isfinite(v) else float(v) for v in values.tolist()]


def report_sections(a: LiftAnalysis) -> dict[str, Any]:
    """report.json's "reps", "primary_rep", "warnings" and "series" (NaN -> None), JSON-ready."""
    return {
        "reps": [_rep_json(r) for r in a.reps],
        "primary_rep": a.primary_rep,
        "warnings": [{"code": w.code, "message": w.message} for w in a.warnings],
        "series": {f.name: _json_list(np.asarray(a.series[f.name])) for f in KINEMATICS_SCHEMA},
    }
