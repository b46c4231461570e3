"""frames.parquet: the lifter's keypoints per frame (original displayed-frame pixels) with visibility."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipelines.types import PoseTrack
from services.inference.joints import JOINTS


def frames_schema() -> pa.Schema:
    cols = [
        pa.field("t_s", pa.float64()),
        pa.field("frame", pa.int32()),
        pa.field("lifter_found", pa.bool_()),
        pa.field("filled", pa.bool_()),
    ]
    for code in JOINTS:
        cols += [
            pa.field(f"{code}_x_px", pa.float32()),
            pa.field(f"{code}_y_px", pa.float32()),
            pa.field(f"{code}_v", pa.float32()),
        ]
    return pa.schema(cols)


def frames_table(pose: PoseTrack) -> pa.Table:
    """One row per frame. Unknown coordinates are null (NaN in numpy), visibility 0."""
    n = pose.n_frames
    columns: dict[str, pa.Array] = {
        "t_s": pa.array(pose.t_s, pa.float64()),
        "frame": pa.array(np.arange(n, dtype=np.int32)),
        "lifter_found": pa.array(pose.lifter_found.astype(bool)),
        "filled": pa.array(pose.filled.astype(bool)),
    }
    for j, code in enumerate(JOINTS):
        x = pose.keypoints_xy_px[:, j, 0].astype(np.float32)
        y = pose.keypoints_xy_px[:, j, 1].astype(np.float32)
        columns[f"{code}_x_px"] = pa.array(x, pa.float32(), mask=np.isnan(x))
        columns[f"{code}_y_px"] = pa.array(y, pa.float32(), mask=np.isnan(y))
        columns[f"{code}_v"] = pa.array(pose.visibility[:, j].astype(np.float32))
    return pa.Table.from_pydict(columns, schema=frames_schema())


def pose_from_frames_table(table: pa.Table) -> PoseTrack:
    """Inverse of frames_table (nulls come back as NaN)."""
    n = table.num_rows
    xy = np.full((n, len(JOINTS), 2), np.nan, np.float32)
    vis = np.zeros((n, len(JOINTS)), np.float32)
    for j, code in enumerate(JOINTS):
        xy[:, j, 0] = table.column(f"{code}_x_px").to_numpy(zero_copy_only=False)
        xy[:, j, 1] = table.column(f"{code}_y_px").to_numpy(zero_copy_only=False)
        vis[:, j] = table.column(f"{code}_v").to_numpy(zero_copy_only=False)
    return PoseTrack(
        t_s=table.column("t_s").to_numpy(),
        keypoints_xy_px=xy,
        visibility=vis,
        lifter_found=table.column("lifter_found").to_numpy(zero_copy_only=False).astype(bool),
        filled=table.column("filled").to_numpy(zero_copy_only=False).astype(bool),
    )
