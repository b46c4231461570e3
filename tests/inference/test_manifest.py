from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pipelines.errors import ConfigError
from services.inference.joints import JOINT_INDEX, JOINTS
from services.inference.manifest import resolve_weights
from services.inference.registry import DEFAULT_MODELS_DIR, build_estimator, load_manifest


@pytest.mark.parametrize("name", ["blazepose_full_cpu", "rtmpose_m_halpe26_gpu"])
def test_manifests_map_every_canonical_joint(name: str) -> None:
    manifest = load_manifest(name, DEFAULT_MODELS_DIR)
    index = manifest.layout_index_per_joint()
    assert index.shape == (len(JOINTS),)
    assert np.all(index >= 0), (
        f"{name}: joints without a keypoint: {[j for j, i in zip(JOINTS, index, strict=True) if i < 0]}"
    )
    assert manifest.keypoints[index[JOINT_INDEX["ltoe"]]] in ("left_foot_index", "left_big_toe")


def test_blazepose_weights_verify() -> None:
    manifest = load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR)
    assert resolve_weights(manifest, "landmarks").name == "pose_landmark_full.tflite"


def _copy_manifest(tmp_path: Path, name: str, replace: tuple[str, str]) -> Path:
    text = (DEFAULT_MODELS_DIR / f"{name}.yaml").read_text().replace(*replace)
    (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def test_missing_weights_fail_naming_manifest_and_path(tmp_path: Path) -> None:
    models = _copy_manifest(
        tmp_path,
        "blazepose_full_cpu",
        ("mediapipe-wheel:modules/pose_detection/pose_detection.tflite", "weights/absent.tflite"),
    )
    manifest = load_manifest("blazepose_full_cpu", models)
    with pytest.raises(ConfigError) as err:
        build_estimator(manifest)
    assert "blazepose_full_cpu.yaml" in str(err.value)
    assert str(models / "weights" / "absent.tflite") in str(err.value)


def test_wrong_checksum_fails(tmp_path: Path) -> None:
    manifest = load_manifest("blazepose_full_cpu", DEFAULT_MODELS_DIR)
    local = tmp_path / "det.tflite"
    shutil.copy(resolve_weights(manifest, "detector"), local)
    local.write_bytes(local.read_bytes() + b"tampered")
    models = _copy_manifest(
        tmp_path,
        "blazepose_full_cpu",
        ("mediapipe-wheel:modules/pose_detection/pose_detection.tflite", str(local)),
    )
    with pytest.raises(ConfigError, match="sha256"):
        build_estimator(load_manifest("blazepose_full_cpu", models))


def test_rtmpose_without_weights_refuses_to_start(tmp_path: Path) -> None:
    models = _copy_manifest(tmp_path, "rtmpose_m_halpe26_gpu", ("s3://liftlab-models/rtmpose/", "weights/"))
    with pytest.raises(ConfigError, match="refusing to start"):
        build_estimator(load_manifest("rtmpose_m_halpe26_gpu", models))


def test_bad_manifests_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_manifest("nope", tmp_path)
    _copy_manifest(tmp_path, "blazepose_full_cpu", ("lkne: left_knee", "lkne: left_kneecap"))
    with pytest.raises(ConfigError, match="left_kneecap"):
        load_manifest("blazepose_full_cpu", tmp_path)
