"""The smallest set of measures that lets mmpose 1.3.2 import and run RTMPose on mmcv-lite + CPU torch.

Why this exists (shared notes stack.md sections 3 and 9): the full mmcv 2.1.0 only ships as an sdist
whose compiled ops take ~35 min to build, so the CPU stack uses mmcv-lite, which has no ``mmcv._ext``.
mmpose never *uses* those ops for RTMPose, but imports them at module import time:

1. ``mmpose.models.heads.transformer_heads.edpose_head`` does ``from mmcv.ops import
   MultiScaleDeformableAttention`` (and mmcv's cnn bricks look for the deformable convs). We register a
   stub ``mmcv.ops`` whose three classes raise if anyone instantiates them.
2. torchvision 0.28.0 next to torch 2.13.0+cpu registers fake kernels for ``torchvision::nms`` whose
   real kernels live in a CUDA-linked ``_C.so`` that cannot load here; ``torch.library.register_fake``
   then raises. We make it a no-op only while torchvision imports (mmpose needs only
   ``torchvision.transforms``). With a matched torch/torchvision pair this step is skipped.

Also needed, but done by the caller (services/inference/rtmpose_backend.py): build the model with
``model.backbone._scope_='mmpose'`` so the CSPNeXt backbone comes from mmpose, not from mmdet (whose
models import ``mmcv.ops.nms``).

Nothing here runs at import; call :func:`import_mmpose` first, before any mm* import.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

_STUBBED_OPS = ("MultiScaleDeformableAttention", "DeformConv2d", "ModulatedDeformConv2d")


def _stub_class(name: str) -> type:
    def _refuse(self: object, *args: object, **kwargs: object) -> None:
        raise NotImplementedError(
            f"mmcv.ops.{name} needs the compiled mmcv ops, which mmcv-lite lacks; "
            "this model cannot run on the mmcv-lite stack"
        )

    return type(name, (), {"__init__": _refuse, "__module__": "mmcv.ops"})


def _install_mmcv_ops_stub() -> None:
    if "mmcv.ops" in sys.modules:
        return
    try:
        importlib.import_module("mmcv.ops")  # the full mmcv with compiled ops: nothing to do
        return
    except ImportError:
        sys.modules.pop("mmcv.ops", None)
    import mmcv

    stub = types.ModuleType("mmcv.ops")
    stub.__doc__ = "Stub installed by liftlab's mmcv_lite_compat: mmcv-lite has no compiled ops."
    for name in _STUBBED_OPS:
        setattr(stub, name, _stub_class(name))
    sys.modules["mmcv.ops"] = stub
    mmcv.ops = stub  # type: ignore[attr-defined]


def _import_torchvision() -> None:
    if "torchvision" in sys.modules:
        return
    import torch

    try:
        importlib.import_module("torchvision")
        return
    except RuntimeError:
        # "operator torchvision::nms does not exist": retry with fake-kernel registration disabled.
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
    original = torch.library.register_fake

    def _no_register_fake(op: Any, func: Callable[..., Any] | None = None, /, **kwargs: Any) -> Any:
        if func is not None:
            return func
        return lambda fn: fn

    torch.library.register_fake = _no_register_fake  # type: ignore[assignment]
    try:
        importlib.import_module("torchvision")
    finally:
        torch.library.register_fake = original


def import_mmpose() -> types.ModuleType:
    """Apply the compatibility measures and import ``mmpose.apis`` (returned)."""
    _import_torchvision()
    _install_mmcv_ops_stub()
    return importlib.import_module("mmpose.apis")
