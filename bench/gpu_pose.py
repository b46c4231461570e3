"""For a lent GPU (H200): batched RTMPose frames/s at batch 1/32/128/256 with random weights (speed only).

Usage (on the device, after services/inference/install_mmpose_cpu.sh or a CUDA liftlab[gpu] install):
    python bench/gpu_pose.py [--manifest rtmpose_m_halpe26_gpu] [--iters 20] [--fp16]
Prints one row per batch size: ms per batch, crops/s. One crop = one person = one frame for a lifter.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", default="rtmpose_m_halpe26_gpu")
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--fp16", action="store_true")
    args = parser.parse_args()

    import torch

    from services.inference.registry import DEFAULT_MODELS_DIR, load_manifest
    from services.inference.rtmpose_backend import _init_model

    device = "cuda:0" if torch.cuda.is_available() else "cpu"
    manifest = load_manifest(args.manifest, DEFAULT_MODELS_DIR)
    model = _init_model(manifest, device).eval()  # random weights: speed only
    if args.fp16:
        model = model.half()
    in_w, in_h = manifest.input_size_wh
    print(
        f"device {device} ({torch.cuda.get_device_name(0) if device != 'cpu' else 'cpu'}), "
        f"model {manifest.name}, "
        f"input {in_w}x{in_h}, fp16 {args.fp16}"
    )
    print(f"{'batch':>6} {'ms/batch':>10} {'crops/s':>10}")
    for batch in (1, 32, 128, 256):
        x = torch.from_numpy(
            np.random.default_rng(0).standard_normal((batch, 3, in_h, in_w), dtype=np.float32)
        )
        x = x.to(device).half() if args.fp16 else x.to(device)
        with torch.inference_mode():
            for _ in range(3):
                model.head.forward(model.extract_feat(x))
            if device != "cpu":
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(args.iters):
                model.head.forward(model.extract_feat(x))
            if device != "cpu":
                torch.cuda.synchronize()
        ms = (time.perf_counter() - start) / args.iters * 1000
        print(f"{batch:>6} {ms:>10.2f} {batch / ms * 1000:>10.0f}")


if __name__ == "__main__":
    main()
