"""report.json writing: strict JSON (NaN and infinities become null), numpy values as plain numbers."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """A copy of value with NaN/inf -> None, numpy scalars/arrays -> Python numbers/lists, tuples -> lists,
    Paths -> strings. Other types are left for json to reject loudly."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return value.as_posix()
    return value


def write_report_json(report: dict, path: Path) -> None:
    """Write report.json atomically (temp file + rename) so a reader never sees half a report."""
    text = json.dumps(to_jsonable(report), allow_nan=False, ensure_ascii=False, indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_report_json(path: Path) -> dict:
    report = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(report, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(report).__name__}")
    return report
