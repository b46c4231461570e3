"""Policy over the rendered objects of every overlay, and proof that each check catches its violation."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

import pytest

Objs = list[dict[str, Any]]
OVERLAYS = ["dev", "prod"]
CHECKS = [
    "check_image_tags",
    "check_resources",
    "check_probes",
    "check_non_root",
    "check_read_only_root",
    "check_gpu_placement",
    "check_network_policies",
]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_complies(policy: ModuleType, rendered: dict[str, Objs], overlay: str, check: str) -> None:
    assert getattr(policy, check)(rendered[overlay]) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rayservice_structure_and_serve_config(
    policy: ModuleType, rendered: dict[str, Objs], overlay: str, ray_version: str
) -> None:
    assert policy.check_rayservice(rendered[overlay], ray_version) == []


def test_prod_has_no_secret_values(policy: ModuleType, rendered: dict[str, Objs]) -> None:
    assert policy.check_no_inline_secret_values(rendered["prod"]) == []
    assert policy.check_no_inline_secret_values(rendered["dev"]) != []  # the check does see dev's Secret


def _rayservice(objs: Objs) -> dict[str, Any]:
    return next(o for o in objs if o["kind"] == "RayService")


def _group(objs: Objs, name: str) -> dict[str, Any]:
    groups = _rayservice(objs)["spec"]["rayClusterConfig"]["workerGroupSpecs"]
    return next(g for g in groups if g["groupName"] == name)


def test_prod_gpu_group_scales_from_zero_on_gpu_nodes(rendered: dict[str, Objs]) -> None:
    gpu = _group(rendered["prod"], "gpu")
    assert gpu["minReplicas"] == 0 and gpu["maxReplicas"] >= 1
    assert _rayservice(rendered["prod"])["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"] is True
    limits = gpu["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits["nvidia.com/gpu"] == "1"
    assert gpu["template"]["spec"]["containers"][0]["image"].startswith("ghcr.io/liftlab/ray-gpu:")


def test_dev_is_cpu_only(policy: ModuleType, rendered: dict[str, Objs]) -> None:
    groups = [
        g["groupName"] for g in _rayservice(rendered["dev"])["spec"]["rayClusterConfig"]["workerGroupSpecs"]
    ]
    assert groups == ["cpu"]
    (app,) = policy.serve_applications(rendered["dev"])
    assert app["args"]["model"] == "blazepose_full_cpu"


def test_prod_serves_the_gpu_model_on_gpus(policy: ModuleType, rendered: dict[str, Objs]) -> None:
    (app,) = policy.serve_applications(rendered["prod"])
    args = app["args"]
    assert args["model"] == "rtmpose_m_halpe26_gpu"
    assert float(args["num_gpus"]) >= 1 and int(args["min_replicas"]) == 0 and args["autoscaling"] == "true"
    assert int(args["max_ongoing_requests"]) >= int(args["max_batch_size"])  # else Serve caps batches
    assert int(args["max_replicas"]) <= _group(rendered["prod"], "gpu")["maxReplicas"]


# --- each check catches the violation it exists for -------------------------------------------------


def _api_container(objs: Objs) -> dict[str, Any]:
    deployment = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "liftlab-api")
    container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return container


@pytest.fixture
def dev(rendered: dict[str, Objs]) -> Objs:
    return copy.deepcopy(rendered["dev"])


@pytest.fixture
def prod(rendered: dict[str, Objs]) -> Objs:
    return copy.deepcopy(rendered["prod"])


@pytest.mark.parametrize("image", ["liftlab/api:latest", "liftlab/api", "registry:5000/liftlab/api"])
def test_unpinned_images_are_caught(policy: ModuleType, dev: Objs, image: str) -> None:
    _api_container(dev)["image"] = image
    assert any(image in p for p in policy.check_image_tags(dev))


def test_missing_limits_are_caught(policy: ModuleType, dev: Objs) -> None:
    del _api_container(dev)["resources"]["limits"]["memory"]
    assert any("limits.memory" in p for p in policy.check_resources(dev))


def test_missing_probe_is_caught(policy: ModuleType, dev: Objs) -> None:
    del _api_container(dev)["readinessProbe"]
    assert any("readinessProbe" in p for p in policy.check_probes(dev))


def test_root_and_escalation_are_caught(policy: ModuleType, dev: Objs) -> None:
    container = _api_container(dev)
    container["securityContext"]["runAsNonRoot"] = False
    container["securityContext"]["allowPrivilegeEscalation"] = True
    problems = policy.check_non_root(dev)
    assert any("runAsNonRoot" in p for p in problems) and any(
        "allowPrivilegeEscalation" in p for p in problems
    )


def test_writable_root_outside_ray_is_caught(policy: ModuleType, dev: Objs) -> None:
    _api_container(dev)["securityContext"]["readOnlyRootFilesystem"] = False
    assert any("liftlab-api" in p for p in policy.check_read_only_root(dev))


def test_gpu_outside_the_gpu_group_is_caught(policy: ModuleType, prod: Objs) -> None:
    cpu = _group(prod, "cpu")["template"]["spec"]["containers"][0]
    cpu["resources"]["limits"]["nvidia.com/gpu"] = "1"
    _api_container(prod)["resources"]["requests"]["nvidia.com/gpu"] = "1"
    problems = policy.check_gpu_placement(prod)
    assert any("group cpu" in p for p in problems) and any("liftlab-api" in p for p in problems)


def test_gpu_group_without_scale_to_zero_or_toleration_is_caught(policy: ModuleType, prod: Objs) -> None:
    gpu = _group(prod, "gpu")
    gpu["minReplicas"] = 1
    gpu["template"]["spec"]["tolerations"] = []
    problems = policy.check_gpu_placement(prod)
    assert any("minReplicas 0" in p for p in problems) and any("toleration" in p for p in problems)


def test_bad_serve_config_is_caught(policy: ModuleType, prod: Objs, ray_version: str) -> None:
    service = _rayservice(prod)
    good = service["spec"]["serveConfigV2"]
    service["spec"]["serveConfigV2"] = good.replace("route_prefix:", "route_prefx:")
    assert any("route_prefx" in p for p in policy.check_rayservice(prod, ray_version))
    service["spec"]["serveConfigV2"] = good.replace("port: 8000", "port: eighty")
    assert any("ray.serve.schema" in p for p in policy.check_rayservice(prod, ray_version))


def test_ray_version_mismatch_is_caught(policy: ModuleType, dev: Objs) -> None:
    assert any("rayVersion" in p for p in policy.check_rayservice(dev, "0.0.1"))


def test_open_redis_is_caught(policy: ModuleType, dev: Objs) -> None:
    redis_policy = next(
        o for o in dev if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "redis-from-data-access"
    )
    redis_policy["spec"]["ingress"] = [{"from": [{"namespaceSelector": {}}]}]
    assert any("redis-from-data-access" in p for p in policy.check_network_policies(dev))


def test_data_access_label_on_a_stranger_is_caught(policy: ModuleType, dev: Objs) -> None:
    minio = next(o for o in dev if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "minio")
    minio["spec"]["template"]["metadata"]["labels"]["liftlab.io/data-access"] = "true"
    assert any("StatefulSet/minio" in p for p in policy.check_network_policies(dev))
