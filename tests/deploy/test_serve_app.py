"""The RayService's Serve config names an application that exists in the code."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

Objs = list[dict[str, Any]]
MODELS = Path(__file__).resolve().parents[2] / "models"


def _module_and_attr(import_path: str) -> tuple[str, str]:
    module, _, attr = import_path.partition(":")
    assert module and attr, f"import_path expected 'module:attribute', got {import_path!r}"
    return module, attr


def test_serve_import_paths_are_importable(policy: ModuleType, rendered: dict[str, Objs]) -> None:
    paths = {app["import_path"] for objs in rendered.values() for app in policy.serve_applications(objs)}
    assert paths == {"services.inference.serve_app:build_pose_app"}
    for path in sorted(paths):
        module_name, attr = _module_and_attr(path)
        if importlib.util.find_spec(module_name) is None:
            pytest.skip(f"{module_name} does not exist yet (the pose Serve app is being built in parallel)")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attr, None)), f"{path}: {module_name} has no callable {attr}"


def test_serve_args_name_existing_manifests(policy: ModuleType, rendered: dict[str, Objs]) -> None:
    for name, objs in rendered.items():
        for app in policy.serve_applications(objs):
            args = app["args"]
            assert {"model", "models_dir", "max_batch_size", "batch_wait_timeout_s"} <= set(args), name
            assert args["models_dir"] == "/app/models", f"{name}: the images put the manifests there"
            assert (MODELS / f"{args['model']}.yaml").is_file(), (
                f"{name}: no manifest models/{args['model']}.yaml"
            )
            assert app["route_prefix"] is None, f"{name}: the pose app is handle-only"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_builder_accepts_the_rendered_args(
    policy: ModuleType, rendered: dict[str, Objs], overlay: str
) -> None:
    """Build the Serve application exactly as KubeRay will (no Ray started): the manifest loads, the
    names match what the pipeline's handle looks up, and the resources are the ones intended."""
    if importlib.util.find_spec("services.inference.serve_app") is None:
        pytest.skip("services.inference.serve_app does not exist yet")
    serve_app = importlib.import_module("services.inference.serve_app")
    (app,) = policy.serve_applications(rendered[overlay])
    assert app["name"] == serve_app.APP_NAME
    built = serve_app.build_pose_app({**app["args"], "models_dir": str(MODELS)})
    deployment = built._bound_deployment  # Serve's public API has no accessor for a bound deployment
    assert deployment.name == serve_app.DEPLOYMENT_NAME
    autoscaling = deployment._deployment_config.autoscaling_config
    assert autoscaling is not None, f"{overlay}: Serve autoscaling is off"
    assert autoscaling.min_replicas == int(app["args"]["min_replicas"])
    gpus = deployment.ray_actor_options.get("num_gpus", 0)
    assert (gpus >= 1) if overlay == "prod" else (gpus == 0), f"{overlay}: num_gpus {gpus}"
