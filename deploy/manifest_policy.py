"""Policy checks over rendered Kubernetes objects (dicts as parsed from `kubectl kustomize` output).

Each check takes the list of objects of one rendered overlay and returns a list of violations, one
human-readable line each ("<Kind>/<name> <where>: expected ..., got ..."); an empty list means compliant.
kubernetes-validate checks core kinds against their schemas but skips custom resources such as
RayService, so their structure is checked here. Used by deploy/render.py and tests/deploy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

Obj = dict[str, Any]

GPU_RESOURCE = "nvidia.com/gpu"
GPU_GROUP = "gpu"
# Ray writes session files, logs, spill files and caches under /tmp/ray and $HOME: these containers run
# the Ray image and keep a writable root filesystem (explained in docs/deploy.md).
WRITABLE_ROOT_CONTAINERS = frozenset({"ray-head", "ray-worker", "runner"})
POD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet")


@dataclass(frozen=True, slots=True)
class PodSpecRef:
    """One pod template inside an object: where (for messages), its spec, and its Ray group if any."""

    where: str
    spec: Obj
    ray_group: str | None  # "head", a worker groupName, or None outside Ray


def name_of(obj: Obj) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def pod_specs(objs: list[Obj]) -> Iterator[PodSpecRef]:
    for obj in objs:
        kind = obj.get("kind")
        spec = obj.get("spec") or {}
        if kind in POD_KINDS:
            yield PodSpecRef(name_of(obj), spec.get("template", {}).get("spec", {}), None)
        elif kind == "CronJob":
            template = spec.get("jobTemplate", {}).get("spec", {}).get("template", {})
            yield PodSpecRef(name_of(obj), template.get("spec", {}), None)
        elif kind in ("RayService", "RayCluster"):
            cluster = spec.get("rayClusterConfig", {}) if kind == "RayService" else spec
            head = cluster.get("headGroupSpec", {}).get("template", {}).get("spec", {})
            yield PodSpecRef(f"{name_of(obj)} head", head, "head")
            for group in cluster.get("workerGroupSpecs") or []:
                name = str(group.get("groupName"))
                pod = group.get("template", {}).get("spec", {})
                yield PodSpecRef(f"{name_of(obj)} group {name}", pod, name)


def containers(pod: Obj) -> Iterator[Obj]:
    yield from pod.get("initContainers") or []
    yield from pod.get("containers") or []


def _for_each_container(objs: list[Obj], check: Callable[[PodSpecRef, Obj], list[str]]) -> list[str]:
    problems: list[str] = []
    for ref in pod_specs(objs):
        for container in containers(ref.spec):
            problems += [f"{ref.where} container {container.get('name')}: {p}" for p in check(ref, container)]
    return problems


def images(objs: list[Obj]) -> list[str]:
    return [str(c.get("image", "")) for ref in pod_specs(objs) for c in containers(ref.spec)]


def check_image_tags(objs: list[Obj]) -> list[str]:
    """Every image carries an explicit tag or digest, and the tag is not `latest`."""

    def check(_: PodSpecRef, c: Obj) -> list[str]:
        image = str(c.get("image", ""))
        if "@sha256:" in image:
            return []
        last = image.rsplit("/", 1)[-1]
        if ":" not in last:
            return [f"image {image!r} has no tag (expected name:tag or a digest)"]
        if last.rsplit(":", 1)[1] in ("latest", ""):
            return [f"image {image!r} uses the mutable tag 'latest'"]
        return []

    return _for_each_container(objs, check)


def check_resources(objs: list[Obj]) -> list[str]:
    """Every container requests and limits cpu and memory."""

    def check(_: PodSpecRef, c: Obj) -> list[str]:
        res = c.get("resources") or {}
        missing = [
            f"{kind}.{r}"
            for kind in ("requests", "limits")
            for r in ("cpu", "memory")
            if r not in (res.get(kind) or {})
        ]
        return [f"missing resources {missing}"] if missing else []

    return _for_each_container(objs, check)


def check_probes(objs: list[Obj]) -> list[str]:
    """Every serving container (one that exposes a port) has a readiness and a liveness probe."""

    def check(_: PodSpecRef, c: Obj) -> list[str]:
        if not c.get("ports"):
            return []
        missing = [p for p in ("readinessProbe", "livenessProbe") if not c.get(p)]
        return [f"serves ports but lacks {missing}"] if missing else []

    problems = []
    for ref in pod_specs(objs):
        for c in ref.spec.get("containers") or []:
            problems += [f"{ref.where} container {c.get('name')}: {p}" for p in check(ref, c)]
    return problems


def check_non_root(objs: list[Obj]) -> list[str]:
    """The "restricted" Pod Security Standard: non-root, no privilege escalation, drop ALL, seccomp."""
    problems: list[str] = []
    for ref in pod_specs(objs):
        pod_sc = ref.spec.get("securityContext") or {}
        if (pod_sc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(
                f"{ref.where}: expected pod seccompProfile RuntimeDefault, got {pod_sc.get('seccompProfile')}"
            )
        for c in containers(ref.spec):
            sc = c.get("securityContext") or {}
            where = f"{ref.where} container {c.get('name')}"
            non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
            uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
            if non_root is not True:
                problems.append(f"{where}: expected runAsNonRoot true, got {non_root}")
            if uid == 0:
                problems.append(f"{where}: runs as uid 0")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: expected allowPrivilegeEscalation false")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append(f"{where}: expected capabilities.drop [ALL]")
            if sc.get("privileged"):
                problems.append(f"{where}: privileged")
    return problems


def check_read_only_root(objs: list[Obj]) -> list[str]:
    """readOnlyRootFilesystem everywhere except the documented Ray containers."""

    def check(_: PodSpecRef, c: Obj) -> list[str]:
        if c.get("name") in WRITABLE_ROOT_CONTAINERS:
            return []
        ro = (c.get("securityContext") or {}).get("readOnlyRootFilesystem")
        return [] if ro is True else [f"expected readOnlyRootFilesystem true, got {ro}"]

    return _for_each_container(objs, check)


def _gpu_amount(c: Obj) -> tuple[str | None, str | None]:
    res = c.get("resources") or {}
    return (res.get("requests") or {}).get(GPU_RESOURCE), (res.get("limits") or {}).get(GPU_RESOURCE)


def check_gpu_placement(objs: list[Obj]) -> list[str]:
    """nvidia.com/gpu only in the Ray worker group "gpu"; that group: GPU limits, toleration,
    GPU node selection, minReplicas 0."""
    problems: list[str] = []
    for ref in pod_specs(objs):
        gpu_containers = [c for c in containers(ref.spec) if any(_gpu_amount(c))]
        if ref.ray_group != GPU_GROUP:
            problems += [
                f"{ref.where} container {c.get('name')}: requests {GPU_RESOURCE} outside the "
                f"'{GPU_GROUP}' worker group"
                for c in gpu_containers
            ]
            continue
        if not any(_gpu_amount(c)[1] for c in gpu_containers):
            problems.append(f"{ref.where}: expected a container with limits.{GPU_RESOURCE}")
        if not any(t.get("key") == GPU_RESOURCE for t in ref.spec.get("tolerations") or []):
            problems.append(f"{ref.where}: expected a toleration for {GPU_RESOURCE}")
        selector = ref.spec.get("nodeSelector") or {}
        affinity = (ref.spec.get("affinity") or {}).get("nodeAffinity")
        if not any(k.startswith("nvidia.com/") for k in selector) and not affinity:
            problems.append(f"{ref.where}: expected a GPU nodeSelector or node affinity")
    for obj in objs:
        if obj.get("kind") == "RayService":
            for group in obj["spec"]["rayClusterConfig"].get("workerGroupSpecs") or []:
                if group.get("groupName") == GPU_GROUP and group.get("minReplicas") != 0:
                    problems.append(
                        f"{name_of(obj)} group gpu: expected minReplicas 0 (scale to zero), "
                        f"got {group.get('minReplicas')}"
                    )
    return problems


def serve_config(obj: Obj) -> Obj:
    """The parsed serveConfigV2 of a RayService (it is a YAML document inside a string)."""
    raw = obj.get("spec", {}).get("serveConfigV2")
    if not isinstance(raw, str):
        raise ValueError(f"{name_of(obj)}: serveConfigV2 expected a YAML string, got {type(raw).__name__}")
    parsed = yaml.safe_load(raw)
    if not isinstance(parsed, dict):
        raise ValueError(f"{name_of(obj)}: serveConfigV2 expected a mapping, got {type(parsed).__name__}")
    return parsed


def check_rayservice(objs: list[Obj], ray_version: str) -> list[str]:
    """KubeRay RayService structure (not covered by kubernetes-validate) and its Serve config."""
    problems: list[str] = []
    services = [o for o in objs if o.get("kind") == "RayService"]
    if len(services) != 1:
        return [f"expected exactly one RayService, got {len(services)}"]
    svc = services[0]
    where = name_of(svc)
    if svc.get("apiVersion") != "ray.io/v1":
        problems.append(f"{where}: expected apiVersion ray.io/v1, got {svc.get('apiVersion')}")
    cluster = svc.get("spec", {}).get("rayClusterConfig") or {}
    if cluster.get("rayVersion") != ray_version:
        problems.append(
            f"{where}: rayVersion {cluster.get('rayVersion')!r}, expected {ray_version!r} (pyproject)"
        )
    if cluster.get("enableInTreeAutoscaling") is not True:
        problems.append(f"{where}: expected enableInTreeAutoscaling true")
    head = cluster.get("headGroupSpec") or {}
    groups = cluster.get("workerGroupSpecs") or []
    for params_owner, label in [(head, "head"), *[(g, f"group {g.get('groupName')}") for g in groups]]:
        params = params_owner.get("rayStartParams")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            problems.append(f"{where} {label}: rayStartParams must be a mapping of strings, got {params!r}")
        if not (params_owner.get("template") or {}).get("spec", {}).get("containers"):
            problems.append(f"{where} {label}: template.spec.containers is empty")
    names = [g.get("groupName") for g in groups]
    if len(set(names)) != len(names) or None in names:
        problems.append(f"{where}: worker groupName values must be present and unique, got {names}")
    for g in groups:
        lo, n, hi = g.get("minReplicas"), g.get("replicas"), g.get("maxReplicas")
        if not all(isinstance(v, int) for v in (lo, n, hi)) or not lo <= n <= hi:  # type: ignore[operator]
            problems.append(
                f"{where} group {g.get('groupName')}: expected minReplicas <= replicas <= "
                f"maxReplicas (ints), got {lo}, {n}, {hi}"
            )
    try:
        config = serve_config(svc)
    except (ValueError, yaml.YAMLError) as exc:
        return [*problems, str(exc)]
    problems += _validate_with_ray_schema(config, where)
    return problems


def _validate_with_ray_schema(config: Obj, where: str) -> list[str]:
    """Validate with Ray Serve's own config schema (the one `serve deploy` and KubeRay use)."""
    try:
        from ray.serve.schema import DeploymentSchema, ServeApplicationSchema, ServeDeploySchema
    except ImportError:
        return [f"{where}: ray[serve] is not importable, so serveConfigV2 cannot be validated"]
    try:
        ServeDeploySchema.model_validate(config)
    except Exception as exc:  # pydantic's ValidationError; its message lists every field at fault
        return [f"{where}: serveConfigV2 does not validate against ray.serve.schema: {exc}"]
    # The schema ignores unknown keys; a misspelt knob would silently fall back to its default.
    problems = _unknown_keys(config, set(ServeDeploySchema.model_fields), f"{where} serveConfigV2")
    for app in config.get("applications") or []:
        at = f"{where} app {app.get('name')}"
        problems += _unknown_keys(app, set(ServeApplicationSchema.model_fields), at)
        for dep in app.get("deployments") or []:
            problems += _unknown_keys(
                dep, set(DeploymentSchema.model_fields), f"{at} deployment {dep.get('name')}"
            )
    return problems


def _unknown_keys(data: Obj, known: set[str], where: str) -> list[str]:
    unknown = sorted(set(data) - known)
    return [f"{where}: unknown keys {unknown} (known: {sorted(known)})"] if unknown else []


def serve_applications(objs: list[Obj]) -> list[Obj]:
    return [
        app for o in objs if o.get("kind") == "RayService" for app in serve_config(o).get("applications", [])
    ]


def check_network_policies(objs: list[Obj]) -> list[str]:
    """Default-deny ingress, and Redis/MinIO reachable only from pods labelled for data access, which
    must be the API, Ray and the bucket Job."""
    problems: list[str] = []
    policies = [o for o in objs if o.get("kind") == "NetworkPolicy"]
    if not any(
        p["spec"].get("podSelector") == {}
        and "Ingress" in p["spec"].get("policyTypes", [])
        and not p["spec"].get("ingress")
        for p in policies
    ):
        problems.append("expected a default-deny ingress NetworkPolicy (podSelector {}, no ingress rules)")
    for store in ("redis", "minio"):
        selecting = [
            p
            for p in policies
            if p["spec"].get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") == store
        ]
        if not selecting:
            problems.append(f"expected a NetworkPolicy selecting {store}")
        for p in selecting:
            for rule in p["spec"].get("ingress") or []:
                peers = rule.get("from") or []
                if not peers or any(
                    peer.get("podSelector", {}).get("matchLabels") != {"liftlab.io/data-access": "true"}
                    or "namespaceSelector" in peer
                    for peer in peers
                ):
                    problems.append(
                        f"{name_of(p)}: expected ingress only from pods labelled "
                        f"liftlab.io/data-access=true, got {peers}"
                    )
    allowed = {"liftlab-api", "liftlab-ray", "minio-buckets"}
    for obj in objs:
        labels = _template_labels(obj)
        for lab in labels:
            if (
                lab.get("liftlab.io/data-access") == "true"
                and lab.get("app.kubernetes.io/name") not in allowed
            ):
                problems.append(
                    f"{name_of(obj)}: pods labelled for data access must be one of {sorted(allowed)}, "
                    f"got {lab.get('app.kubernetes.io/name')}"
                )
    return problems


def _template_labels(obj: Obj) -> list[Obj]:
    spec = obj.get("spec") or {}
    if obj.get("kind") in POD_KINDS:
        return [spec.get("template", {}).get("metadata", {}).get("labels", {})]
    if obj.get("kind") == "RayService":
        cluster = spec.get("rayClusterConfig", {})
        groups = [cluster.get("headGroupSpec", {}), *(cluster.get("workerGroupSpecs") or [])]
        return [g.get("template", {}).get("metadata", {}).get("labels", {}) for g in groups]
    return []


def check_no_inline_secret_values(objs: list[Obj]) -> list[str]:
    """No Secret objects with data (for overlays whose secrets come from an external store)."""
    return [
        f"{name_of(o)}: carries secret data; expected the value to come from an ExternalSecret"
        for o in objs
        if o.get("kind") == "Secret" and (o.get("data") or o.get("stringData"))
    ]


def all_problems(objs: list[Obj], ray_version: str) -> list[str]:
    return [
        *check_image_tags(objs),
        *check_resources(objs),
        *check_probes(objs),
        *check_non_root(objs),
        *check_read_only_root(objs),
        *check_gpu_placement(objs),
        *check_rayservice(objs, ray_version),
        *check_network_policies(objs),
    ]
