"""Model manifests (models/<name>.yaml): what a pose model is, where its weights live, how its keypoints
map onto the canonical joints. Loading validates everything; weights are checked against their sha256
before any backend reads them, and missing or mismatching weights stop the start with ConfigError."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from pipelines.errors import ConfigError
from services.inference.joints import JOINTS

BACKENDS = ("mediapipe_blazepose", "mmpose_rtmpose")
DEVICES = ("cpu", "cuda")
_HEX = re.compile(r"^[0-9a-f]{8,64}$")
_REQUIRED = (
    "name",
    "backend",
    "device",
    "input_size_wh",
    "keypoint_layout",
    "keypoints",
    "joint_map",
    "weights",
    "licence",
)


@dataclass(frozen=True, slots=True)
class WeightsFile:
    """role: what the backend uses it for (e.g. detector, landmarks, pose). uri: file path (relative to
    models_dir or absolute), s3://bucket/key, or mediapipe-wheel:<path inside the mediapipe package>.
    sha256: the full digest, or at least its first 8 hex digits where only a published prefix is known."""

    role: str
    uri: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ModelManifest:
    name: str
    backend: str
    device: str
    input_size_wh: tuple[int, int]
    keypoint_layout: str
    keypoints: tuple[str, ...]
    joint_map: dict[str, str]  # canonical joint code -> the model's keypoint name
    weights: tuple[WeightsFile, ...]
    licence: str
    source_path: Path
    models_dir: Path
    options: dict[str, Any] = field(default_factory=dict)  # backend-specific (config, num_gpus, ...)

    def layout_index_per_joint(self) -> np.ndarray:
        """(N_JOINTS,) int64: the model keypoint index of each canonical joint, -1 where it has none."""
        position = {name: i for i, name in enumerate(self.keypoints)}
        return np.array([position.get(self.joint_map.get(code, ""), -1) for code in JOINTS], dtype=np.int64)

    def weights_for(self, role: str) -> WeightsFile:
        for w in self.weights:
            if w.role == role:
                return w
        raise ConfigError(f"manifest {self.source_path}: no weights with role {role!r}")


def load_manifest(name: str, models_dir: Path) -> ModelManifest:
    """Read and validate models_dir/<name>.yaml (weights are checked later, by resolve_weights)."""
    path = Path(models_dir) / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in Path(models_dir).glob("*.yaml"))
        raise ConfigError(f"pose model manifest {path} not found (known: {known})")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"manifest {path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"manifest {path}: expected a mapping, got {type(raw).__name__}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ConfigError(f"manifest {path}: missing fields {missing}")
    if raw["name"] != name:
        raise ConfigError(f"manifest {path}: name is {raw['name']!r}, expected {name!r} (the file name)")
    if raw["backend"] not in BACKENDS:
        raise ConfigError(f"manifest {path}: backend expected one of {BACKENDS}, got {raw['backend']!r}")
    if raw["device"] not in DEVICES:
        raise ConfigError(f"manifest {path}: device expected one of {DEVICES}, got {raw['device']!r}")
    size = raw["input_size_wh"]
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise ConfigError(f"manifest {path}: input_size_wh expected [width, height], got {size!r}")
    keypoints = tuple(str(k) for k in raw["keypoints"])
    joint_map = {str(k): str(v) for k, v in dict(raw["joint_map"]).items()}
    unknown_joints = sorted(set(joint_map) - set(JOINTS))
    unknown_points = sorted(set(joint_map.values()) - set(keypoints))
    if unknown_joints or unknown_points:
        raise ConfigError(
            f"manifest {path}: joint_map has unknown canonical joints {unknown_joints} "
            f"or keypoints not in the layout {unknown_points}"
        )
    weights = []
    for entry in raw["weights"]:
        sha = str(entry.get("sha256", "")).lower()
        if not _HEX.match(sha):
            raise ConfigError(
                f"manifest {path}: weights {entry.get('role')!r} need a sha256 (hex), got {sha!r}"
            )
        weights.append(WeightsFile(role=str(entry["role"]), uri=str(entry["uri"]), sha256=sha))
    return ModelManifest(
        name=name,
        backend=raw["backend"],
        device=raw["device"],
        input_size_wh=(size[0], size[1]),
        keypoint_layout=str(raw["keypoint_layout"]),
        keypoints=keypoints,
        joint_map=joint_map,
        weights=tuple(weights),
        licence=str(raw["licence"]),
        source_path=path,
        models_dir=Path(models_dir),
        options=dict(raw.get("options") or {}),
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_weights(manifest: ModelManifest, role: str) -> Path:
    """The verified local path of a manifest's weights; ConfigError naming manifest and path otherwise."""
    weights = manifest.weights_for(role)
    path = _local_path(manifest, weights.uri)
    if not path.is_file():
        raise ConfigError(
            f"manifest {manifest.source_path}: weights {role!r} ({weights.uri}) expected at {path}, "
            "not found; refusing to start without them"
        )
    got = sha256_of(path)
    if not got.startswith(weights.sha256):
        raise ConfigError(
            f"manifest {manifest.source_path}: weights {role!r} at {path} have sha256 {got}, "
            f"expected {weights.sha256}"
        )
    return path


def _local_path(manifest: ModelManifest, uri: str) -> Path:
    if uri.startswith("mediapipe-wheel:"):
        # Only the package's folder is needed: find it without importing mediapipe (whose import pulls in
        # matplotlib and costs ~1.5 s in every worker and replica that loads the model).
        spec = importlib.util.find_spec("mediapipe")
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(f"manifest {manifest.source_path}: {uri} needs mediapipe==0.10.21")
        return Path(next(iter(spec.submodule_search_locations))) / uri.removeprefix("mediapipe-wheel:")
    if uri.startswith("s3://"):
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        cached = manifest.models_dir / ".cache" / bucket / key
        if not cached.is_file():
            _download_s3(bucket, key, cached)
        return cached
    path = Path(uri)
    return path if path.is_absolute() else manifest.models_dir / path


def _download_s3(bucket: str, key: str, dest: Path) -> None:
    """Fetch weights from the object store named by LIFTLAB_S3_* into the models cache."""
    from minio import Minio
    from minio.error import S3Error

    from pipelines.settings import Settings

    settings = Settings.from_env()
    client = Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
        region=settings.s3_region,
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        client.fget_object(bucket, key, str(dest))
    except S3Error as exc:
        if exc.code != "NoSuchKey":
            raise
        # leave dest absent: resolve_weights then names the manifest and the expected path
