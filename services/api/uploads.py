"""Accepting a video: validate the form, probe the spooled upload, then store it, record it, enqueue it.

Nothing is half-stored: a failure after the upload reached the object store removes it again.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from litestar.datastructures import UploadFile

from pipelines.settings import Settings
from pipelines.state import SessionRecord
from services.api.accounts import UserRecord
from services.api.deps import ApiDeps
from services.api.errors import SESSION_LIMIT, BadRequestError, NotFoundApiError, TooLargeError
from services.api.units import LB_PER_KG

EXERCISES = ("snatch", "clean", "clean_and_jerk")
EXERCISE_TITLES = {"snatch": "Snatch", "clean": "Clean", "clean_and_jerk": "Clean and Jerk"}
BODY_JOINTS = ("ankle", "knee", "elbow", "hip", "shoulder")
DEFAULT_BARBELL_LB = 220.0
_VIDEO_EXTENSIONS = ("mp4", "mov", "m4v", "avi", "mkv", "webm", "3gp")
_MAX_TITLE_CHARS = 200


@dataclass(frozen=True, slots=True)
class SessionForm:
    """The validated fields of an upload (barbell mass already in kg)."""

    exercise: str
    title: str
    barbell_mass_kg: float
    body_joint_angles: list[str]


def parse_exercise(value: str | None) -> str:
    exercise = (value or "").strip().lower()
    if exercise not in EXERCISES:
        raise BadRequestError(f"exercise_name: expected one of {', '.join(EXERCISES)}, got {value!r}.")
    return exercise


def parse_barbell_mass_kg(value: str | None, measurement_system: str, default_kg: float) -> float:
    """A numeric string in the user's units (kg, or lb for an imperial user); default 100 kg / 220 lb."""
    imperial = measurement_system == "imperial"
    if value is None or not value.strip():
        return DEFAULT_BARBELL_LB / LB_PER_KG if imperial else default_kg
    try:
        mass = float(value.strip().strip("'\""))
    except ValueError:
        raise BadRequestError(f"barbell_mass: expected a number, got {value!r}.") from None
    unit = "lb" if imperial else "kg"
    mass_kg = mass / LB_PER_KG if imperial else mass
    if math.isnan(mass) or not 1.0 <= mass_kg <= 500.0:
        raise BadRequestError(f"barbell_mass: expected 1..500 kg, got {mass:g} {unit}.")
    return mass_kg


def parse_body_joint_angles(value: str | list[str] | None) -> list[str]:
    """Comma-separated (or repeated) subset of ankle, knee, elbow, hip, shoulder; empty or 'all' means all."""
    raw = value if isinstance(value, list) else [value or ""]
    names = [n.strip().strip("'\"[]").lower() for item in raw for n in re.split(r"[,\s]+", item)]
    names = [n for n in names if n]
    if not names or names == ["all"]:
        return list(BODY_JOINTS)
    unknown = [n for n in names if n not in BODY_JOINTS]
    if unknown:
        raise BadRequestError(
            f"body_joint_angles: expected a subset of {', '.join(BODY_JOINTS)}, got {', '.join(unknown)}."
        )
    return [j for j in BODY_JOINTS if j in names]


def default_title(exercise: str, now_s: float) -> str:
    day = datetime.fromtimestamp(now_s, tz=UTC).strftime("%d/%m/%Y")
    return f"{EXERCISE_TITLES[exercise]} session {day}"


def parse_form(
    *,
    exercise_name: str | None,
    session_name: str | None,
    barbell_mass: str | None,
    body_joint_angles: str | list[str] | None,
    owner: UserRecord,
    settings: Settings,
    now_s: float,
) -> SessionForm:
    exercise = parse_exercise(exercise_name)
    title = (session_name or "").strip().strip("'\"")
    if len(title) > _MAX_TITLE_CHARS:
        raise BadRequestError(
            f"session_name: expected at most {_MAX_TITLE_CHARS} characters, got {len(title)}."
        )
    return SessionForm(
        exercise=exercise,
        title=title or default_title(exercise, now_s),
        barbell_mass_kg=parse_barbell_mass_kg(
            barbell_mass, owner.measurement_system, settings.default_barbell_mass_kg
        ),
        body_joint_angles=parse_body_joint_angles(body_joint_angles),
    )


def check_session_limit(deps: ApiDeps, settings: Settings, owner: UserRecord) -> None:
    limit = owner.max_sessions if owner.max_sessions is not None else settings.max_sessions_per_user
    if deps.sessions.count_for_user(owner.user_id) >= limit:
        raise NotFoundApiError(SESSION_LIMIT)


@contextmanager
def _on_disk(file: IO[bytes]) -> Iterator[Path]:
    """A path to the spooled upload without copying it: its descriptor under /proc on Linux."""
    file.flush()
    fd = file.fileno()  # rolls an in-memory spool over to its (anonymous) temporary file
    proc_path = Path(f"/proc/self/fd/{fd}")
    if proc_path.exists():
        yield proc_path
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
        file.seek(0)
        shutil.copyfileobj(file, tmp)
        tmp.flush()
        yield Path(tmp.name)


def _extension(filename: str | None) -> str:
    ext = Path(filename or "").suffix.lower().lstrip(".")
    return ext if ext in _VIDEO_EXTENSIONS else "mp4"


def ingest(
    deps: ApiDeps,
    settings: Settings,
    *,
    owner: UserRecord,
    form: SessionForm,
    video: UploadFile,
    now_s: float,
) -> SessionRecord:
    """Probe, store, record, enqueue (blocking: run in a worker thread). Returns the queued record."""
    file: Any = video.file
    file.seek(0, os.SEEK_END)
    size_bytes = file.tell()
    file.seek(0)
    if size_bytes == 0:
        raise BadRequestError("video: the file is empty.")
    if size_bytes > settings.max_upload_bytes:
        raise TooLargeError(
            f"video: {size_bytes} bytes exceeds the limit of {settings.max_upload_bytes} bytes."
        )
    check_session_limit(deps, settings, owner)
    session_id = uuid.uuid4().hex
    video_key = f"sessions/{session_id}/original.{_extension(video.filename)}"
    with _on_disk(file) as path:
        deps.probe(path, settings.max_video_duration_s)
        deps.store.put_file(video_key, path, video.content_type or "application/octet-stream")
    record = SessionRecord(
        session_id=session_id,
        user_id=owner.user_id,
        org_id=owner.org_id,
        title=form.title,
        exercise=form.exercise,
        barbell_mass_kg=form.barbell_mass_kg,
        body_joint_angles=form.body_joint_angles,
        plate_diameter_m=settings.plate_diameter_m,
        created_at_s=now_s,
        updated_at_s=now_s,
        video_key=video_key,
        original_filename=(video.filename or "")[:255],
        measurement_system=owner.measurement_system,
        user_display_name=owner.display_name,
        user_body_mass_kg=owner.body_mass_kg,
        user_height_m=owner.height_m,
        user_age=owner.age,
        user_gender=owner.gender,
    )
    try:
        deps.sessions.create(record)
        try:
            deps.queue.enqueue({"session_id": session_id})
        except Exception:
            deps.sessions.delete(session_id)
            raise
    except Exception:
        deps.store.delete_prefix(f"sessions/{session_id}/")
        raise
    return record
