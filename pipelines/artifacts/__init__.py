"""Artifacts: Parquet tables with explicit schemas and metadata, and report.json."""

from pipelines.artifacts.parquet_io import read_metadata, read_parquet, with_metadata, write_parquet
from pipelines.artifacts.report_json import read_report_json, to_jsonable, write_report_json
from pipelines.artifacts.schemas import (
    BAR_SCHEMA,
    KINEMATICS_SCHEMA,
    PHASES_SCHEMA,
    SCHEMAS,
    conform,
    phases_table,
)

__all__ = [
    "BAR_SCHEMA",
    "KINEMATICS_SCHEMA",
    "PHASES_SCHEMA",
    "SCHEMAS",
    "conform",
    "phases_table",
    "read_metadata",
    "read_parquet",
    "read_report_json",
    "to_jsonable",
    "with_metadata",
    "write_parquet",
    "write_report_json",
]
