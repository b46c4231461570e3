"""Parquet writing and reading with liftlab's schema metadata (version, pose model, calibration)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipelines.artifacts.report_json import to_jsonable

METADATA_PREFIX = "liftlab."
COMPRESSION = "zstd"  # read by pandas, polars, DuckDB and Spark alike


def with_metadata(table: pa.Table, meta: dict[str, Any]) -> pa.Table:
    """The table with each meta entry stored as schema metadata key "liftlab.<key>", value JSON-encoded
    (so null, numbers and nested dicts like the calibration survive); existing metadata is kept."""
    existing = dict(table.schema.metadata or {})
    for key, value in meta.items():
        existing[(METADATA_PREFIX + key).encode()] = json.dumps(to_jsonable(value), allow_nan=False).encode()
    return table.replace_schema_metadata(existing)


def read_metadata(schema: pa.Schema) -> dict[str, Any]:
    """Inverse of with_metadata: the liftlab entries of a schema's metadata, decoded."""
    out: dict[str, Any] = {}
    for key, value in (schema.metadata or {}).items():
        name = key.decode()
        if name.startswith(METADATA_PREFIX):
            out[name[len(METADATA_PREFIX) :]] = json.loads(value)
    return out


def write_parquet(table: pa.Table, path: Path | str, filesystem: pafs.FileSystem | None = None) -> None:
    """Write one Parquet file. With a filesystem (e.g. pyarrow.fs.S3FileSystem) path is "bucket/key"."""
    if filesystem is None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, str(path), filesystem=filesystem, compression=COMPRESSION)


def read_parquet(path: Path | str, filesystem: pafs.FileSystem | None = None) -> pa.Table:
    return pq.read_table(str(path), filesystem=filesystem)
