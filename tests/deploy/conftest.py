"""Fixtures for the deploy tests: deploy/render.py and deploy/manifest_policy.py loaded from their files
(deploy/ is not an installed package), and every overlay rendered once per session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DEPLOY / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def policy() -> ModuleType:
    return _load("manifest_policy")


@pytest.fixture(scope="session")
def render(policy: ModuleType) -> ModuleType:
    return _load("render")


@pytest.fixture(scope="session")
def kubectl(render: ModuleType) -> Path:
    try:
        return render.find_kubectl()
    except render.RenderError as exc:
        pytest.skip(f"no kubectl to render with: {exc}")


@pytest.fixture(scope="session")
def rendered(render: ModuleType, kubectl: Path) -> dict[str, list[dict[str, Any]]]:
    """overlay name -> its rendered objects."""
    return {
        name: render.parse_objects(render.render_overlay(name, kubectl)) for name in render.overlay_names()
    }


@pytest.fixture(scope="session")
def ray_version(render: ModuleType) -> str:
    return render.pinned_ray_version()


@pytest.fixture(scope="session")
def schema_results(
    render: ModuleType, rendered: dict[str, list[dict[str, Any]]]
) -> dict[str, tuple[list[str], list[str]]]:
    """overlay name -> (schema problems, objects without a bundled schema), computed once."""
    return {name: render.validate_schemas(objs) for name, objs in rendered.items()}
