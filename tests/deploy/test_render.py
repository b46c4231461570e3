"""Every overlay renders with kustomize and every object validates against the Kubernetes schemas."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EXPECTED_OVERLAYS = {"dev", "prod"}


def test_overlays_present(render: ModuleType) -> None:
    assert set(render.overlay_names()) == EXPECTED_OVERLAYS


def test_every_overlay_renders_core_objects(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for name, objs in rendered.items():
        kinds = {o["kind"] for o in objs}
        expected = {
            "Namespace",
            "ConfigMap",
            "Secret",
            "Deployment",
            "Service",
            "Ingress",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "StatefulSet",
            "Job",
            "NetworkPolicy",
            "RayService",
            "ServiceAccount",
        }
        if name == "prod":
            expected = (expected - {"Secret"}) | {"ExternalSecret", "ServiceMonitor", "PodMonitor"}
        assert expected <= kinds, f"{name}: missing kinds {sorted(expected - kinds)}"
        assert all(o["metadata"].get("namespace") == "liftlab" for o in objs if o["kind"] != "Namespace"), (
            name
        )


@pytest.mark.parametrize("overlay", sorted(EXPECTED_OVERLAYS))
def test_every_object_validates(schema_results: dict[str, tuple[list[str], list[str]]], overlay: str) -> None:
    assert schema_results[overlay][0] == []


def test_only_known_custom_resources_skip_schema_validation(
    schema_results: dict[str, tuple[list[str], list[str]]],
) -> None:
    allowed = {"RayService", "ExternalSecret", "ServiceMonitor", "PodMonitor"}
    for name, (_, unchecked) in schema_results.items():
        kinds = {k.split("/")[0] for k in unchecked}
        assert kinds <= allowed, f"{name}: objects without a schema {sorted(kinds - allowed)}"


def test_schema_validation_catches_an_unknown_field(
    render: ModuleType, rendered: dict[str, list[dict[str, Any]]]
) -> None:
    deployment = next(o for o in rendered["dev"] if o["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicaz": 2}}
    problems, _ = render.validate_schemas([broken])
    assert problems and "replicaz" in problems[0], problems


@pytest.mark.slow
def test_main_writes_every_overlay_and_exits_zero(render: ModuleType, kubectl: Path, tmp_path: Path) -> None:
    assert render.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.yaml" for n in sorted(EXPECTED_OVERLAYS)]


def test_a_broken_overlay_is_reported(render: ModuleType, kubectl: Path, tmp_path: Path) -> None:
    k8s = tmp_path / "k8s"
    shutil.copytree(render.K8S_DIR, k8s, ignore=shutil.ignore_patterns("secrets.env"))
    kustomization = k8s / "overlays" / "prod" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("api-prod.yaml", "missing.yaml"))
    with pytest.raises(render.RenderError, match=r"missing\.yaml"):
        render.render_overlay("prod", kubectl, k8s_dir=k8s)


def test_dev_renders_without_a_secrets_file_and_leaves_the_tree_untouched(
    render: ModuleType, kubectl: Path
) -> None:
    dev = render.K8S_DIR / "overlays" / "dev"
    if (dev / "secrets.env").exists():
        pytest.skip("a local secrets.env exists; this test covers a fresh checkout")
    text = render.render_overlay("dev", kubectl)
    assert "kind: Secret" in text
    assert not (dev / "secrets.env").exists()
