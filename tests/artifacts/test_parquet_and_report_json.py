from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pytest

from pipelines.artifacts import (
    BAR_SCHEMA,
    KINEMATICS_SCHEMA,
    conform,
    phases_table,
    read_metadata,
    read_parquet,
    read_report_json,
    with_metadata,
    write_parquet,
    write_report_json,
)

META = {
    "liftlab_version": "0.1.0",
    "pose_model": "blazepose_full_cpu",
    "calibration": {"m_per_px": 0.0021, "plate_diameter_m": 0.45, "yaw_deg": float("nan"), "confidence": 0.9},
}


def _bar_table() -> pa.Table:
    n = 5
    x = np.array([100.0, 101.0, np.nan, 103.0, 104.0])
    return pa.table(
        {
            "t_s": np.arange(n) / 29.97,
            "x_px": x,
            "y_px": x + 50,
            "radius_px": np.full(n, 100.0),
            "x_m": x * 0.0021,
            "y_m": x * 0.0021,
            "confidence": np.full(n, 0.9),
            "source": ["detected", "tracked", "lost", "interpolated", "detected"],
        }
    )


def test_bar_table_round_trips_with_metadata_through_pandas_and_duckdb(tmp_path: Path) -> None:
    table = with_metadata(conform(_bar_table(), BAR_SCHEMA), META)
    path = tmp_path / "bar.parquet"
    write_parquet(table, path)
    back = read_parquet(path)
    assert back.schema.equals(BAR_SCHEMA)  # names and types exactly
    meta = read_metadata(back.schema)
    assert meta["pose_model"] == "blazepose_full_cpu"
    assert meta["calibration"]["m_per_px"] == 0.0021 and meta["calibration"]["yaw_deg"] is None
    df = pd.read_parquet(path)
    assert list(df.columns) == BAR_SCHEMA.names and np.isnan(df["x_px"][2])
    lost = duckdb.execute(f"SELECT count(*) FROM '{path}' WHERE source = 'lost'").fetchall()[0]
    assert lost == (1,)


def test_conform_rejects_renamed_columns_and_casts_types() -> None:
    table = _bar_table().rename_columns([*BAR_SCHEMA.names[:-1], "src"])
    with pytest.raises(ValueError, match=r"missing \['source'\], unexpected \['src'\]"):
        conform(table, BAR_SCHEMA)
    n = 3
    kin: dict[str, object] = {name: np.zeros(n) for name in KINEMATICS_SCHEMA.names}
    kin["frame"] = np.arange(n)  # int64 in, int32 out
    kin["rep_index"] = np.full(n, -1)
    kin["phase"] = ["", "first_pull", ""]
    out = conform(pa.table(kin), KINEMATICS_SCHEMA)
    assert out.schema.field("frame").type == pa.int32()


def test_phases_table_has_durations(tmp_path: Path) -> None:
    table = phases_table([{"rep_index": 0, "name": "first_pull", "start_t_s": 1.0, "end_t_s": 1.5}])
    path = tmp_path / "phases.parquet"
    write_parquet(table, path)
    row = duckdb.execute(f"SELECT name, duration_s FROM '{path}'").fetchall()[0]
    assert row == ("first_pull", 0.5)


def test_parquet_round_trips_through_the_s3_test_server(s3_endpoint: str) -> None:
    fs = pafs.S3FileSystem(
        access_key="testing",
        secret_key="testing",
        endpoint_override=s3_endpoint,
        scheme="http",
        region="us-east-1",
        allow_bucket_creation=True,
    )
    fs.create_dir("liftlab-artifacts")
    key = "liftlab-artifacts/sessions/s1/bar.parquet"
    table = with_metadata(conform(_bar_table(), BAR_SCHEMA), META)
    write_parquet(table, key, filesystem=fs)
    back = read_parquet(key, filesystem=fs)
    assert back.schema.equals(table.schema, check_metadata=True)
    pd.testing.assert_frame_equal(back.to_pandas(), table.to_pandas())  # NaN-aware
    assert read_metadata(back.schema)["liftlab_version"] == "0.1.0"


def test_report_json_writes_nan_as_null_and_numpy_as_numbers(tmp_path: Path) -> None:
    report = {
        "metrics": {"max_GRF": {"value": float("nan")}, "max_power": {"value": np.float32(1500.5)}},
        "series": {"bar_y_m": np.array([0.0, np.nan, np.inf])},
        "frames": np.int32(7),
        "path": Path("a/b"),
    }
    path = tmp_path / "report.json"
    write_report_json(report, path)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    back = read_report_json(path)
    assert back["metrics"]["max_GRF"]["value"] is None
    assert back["metrics"]["max_power"]["value"] == 1500.5
    assert back["series"]["bar_y_m"] == [0.0, None, None]
    assert back["frames"] == 7 and back["path"] == "a/b"
    assert json.loads(text) == back
    assert not list(tmp_path.glob(".*.tmp"))
