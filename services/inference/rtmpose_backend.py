"""MMPose RTMPose top-down (Halpe-26: body + heels and toes), batched over every person crop of every
frame in a call. Stateless across calls: person boxes come from a detector run on the same frame, from
hints the caller passes (e.g. the previous frame's boxes of *that* video), or the whole frame.

Person boxes: mmdet's RTMDet needs the compiled mmcv ops (absent on the mmcv-lite CPU stack), so the
default detector is BlazePose's own person detector (the wheel's pose_detection model, ~9 ms/frame on
CPU): its hip-centred body circle is the person box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pipelines.errors import ConfigError
from services.inference.keypoint_map import to_canonical
from services.inference.manifest import ModelManifest
from services.inference.protocol import PersonPose

# frame (HxWx3 uint8 RGB) -> (k, 5) person boxes xyxy + score, best first
PersonDetector = Callable[[np.ndarray], np.ndarray]


def whole_frame_box(frame_rgb: np.ndarray) -> np.ndarray:
    """(1, 5): the whole frame as one person box with score 0 (no detector evidence)."""
    h, w = frame_rgb.shape[:2]
    return np.array([[0.0, 0.0, float(w), float(h), 0.0]], dtype=np.float32)


def crop_to_frame_matrix(box_xyxy: np.ndarray, input_wh: tuple[int, int], padding: float) -> np.ndarray:
    """(2, 3) affine from model-input pixels to frame pixels for one box, padded and widened or heightened
    to the input's aspect ratio (mmpose's TopdownAffine without rotation)."""
    in_w, in_h = input_wh
    cx, cy = (box_xyxy[0] + box_xyxy[2]) / 2.0, (box_xyxy[1] + box_xyxy[3]) / 2.0
    w = max(float(box_xyxy[2] - box_xyxy[0]), 1.0) * padding
    h = max(float(box_xyxy[3] - box_xyxy[1]), 1.0) * padding
    aspect = in_w / in_h
    if w / h > aspect:
        h = w / aspect
    else:
        w = h * aspect
    kx, ky = w / in_w, h / in_h
    return np.array([[kx, 0.0, cx - w / 2.0], [0.0, ky, cy - h / 2.0]], dtype=np.float64)


class RtmPoseEstimator:
    """PoseEstimator over an mmpose RTMPose model (``model``: an mmpose TopdownPoseEstimator).

    index_per_joint: (N_JOINTS,) model keypoint index per canonical joint (-1: missing).
    """

    def __init__(
        self,
        *,
        name: str,
        model: Any,
        input_size_wh: tuple[int, int],
        index_per_joint: np.ndarray,
        detector: PersonDetector | None,
        max_people: int = 3,
        max_batch_size: int = 256,
        box_padding: float = 1.25,
    ) -> None:
        import torch

        self.name = name
        self._torch = torch
        self._model = model.eval()
        self._device = next(model.parameters()).device
        self.input_size_wh = input_size_wh
        self._index_per_joint = index_per_joint
        self._detector = detector
        self.max_people = max_people
        self.max_batch_size = max_batch_size
        self.box_padding = box_padding
        preprocessor = model.data_preprocessor
        self._mean = preprocessor.mean.to(self._device).view(1, 3, 1, 1)  # RGB order, as the frames are
        self._std = preprocessor.std.to(self._device).view(1, 3, 1, 1)
        self._split_ratio = float(model.head.simcc_split_ratio)

    def estimate(
        self, frames_rgb: list[np.ndarray], box_hints: Sequence[np.ndarray | None] | None = None
    ) -> list[list[PersonPose]]:
        """frames_rgb: HxWx3 uint8 RGB. box_hints: optional per-frame (k, 4|5) boxes (e.g. the previous
        frame's people of the same video); without them the detector, then the whole frame, is used."""
        if box_hints is not None and len(box_hints) != len(frames_rgb):
            raise ValueError(f"box_hints: expected {len(frames_rgb)} entries, got {len(box_hints)}")
        crops: list[np.ndarray] = []
        owners: list[tuple[int, np.ndarray, np.ndarray]] = []  # (frame index, crop->frame matrix, box+score)
        for i, frame in enumerate(frames_rgb):
            if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
                raise ValueError(f"frame {i}: expected HxWx3 uint8, got {frame.shape} {frame.dtype}")
            if frame.shape[0] < 2 or frame.shape[1] < 2:
                continue
            for box in self._boxes_for(frame, None if box_hints is None else box_hints[i]):
                matrix = crop_to_frame_matrix(box[:4], self.input_size_wh, self.box_padding)
                crops.append(
                    cv2.warpAffine(
                        frame, matrix, self.input_size_wh, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
                    )
                )
                owners.append((i, matrix, box))
        people: list[list[PersonPose]] = [[] for _ in frames_rgb]
        if not crops:
            return people
        xy_input, scores = self._forward(np.stack(crops))
        for (i, matrix, box), xy, sc in zip(owners, xy_input, scores, strict=True):
            xy_px = (xy @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)
            keypoints, joint_scores = to_canonical(xy_px, sc, self._index_per_joint)
            people[i].append(PersonPose(keypoints, joint_scores, box[:4].astype(np.float32), float(box[4])))
        return people

    def _boxes_for(self, frame: np.ndarray, hint: np.ndarray | None) -> np.ndarray:
        if hint is not None and len(hint):
            boxes = np.asarray(hint, dtype=np.float32)
            if boxes.shape[1] == 4:
                boxes = np.concatenate([boxes, np.ones((len(boxes), 1), np.float32)], axis=1)
            return boxes[: self.max_people]
        if self._detector is not None:
            found = self._detector(frame)
            if len(found):
                return found[: self.max_people]
        return whole_frame_box(frame)

    def _forward(self, crops_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """crops_rgb: (n, H, W, 3) uint8 -> ((n, K, 2) input-pixel xy, (n, K) scores in [0, 1])."""
        torch = self._torch
        xy_parts, score_parts = [], []
        with torch.inference_mode():
            for start in range(0, len(crops_rgb), self.max_batch_size):
                chunk = torch.from_numpy(crops_rgb[start : start + self.max_batch_size]).to(self._device)
                inputs = (chunk.permute(0, 3, 1, 2).float() - self._mean) / self._std
                simcc_x, simcc_y = self._model.head.forward(self._model.extract_feat(inputs))
                max_x, loc_x = simcc_x.max(dim=2)
                max_y, loc_y = simcc_y.max(dim=2)
                xy = torch.stack([loc_x, loc_y], dim=2).float() / self._split_ratio
                xy_parts.append(xy.cpu().numpy())
                # mmpose's confidence: the smaller of the two 1-D maxima (unnormalised, so clip to [0, 1])
                score_parts.append(torch.minimum(max_x, max_y).clamp(0.0, 1.0).cpu().numpy())
        return np.concatenate(xy_parts).astype(np.float64), np.concatenate(score_parts).astype(np.float32)


def _init_model(manifest: ModelManifest, device: str) -> Any:
    import torch

    from services.inference.mmcv_lite_compat import import_mmpose

    torch.set_num_threads(int(manifest.options.get("torch_threads", 1)))  # oversubscription: see docs/pose.md
    apis = import_mmpose()
    import mmpose

    config = Path(mmpose.__file__).parent / ".mim" / "configs" / str(manifest.options["config"])
    if not config.is_file():
        raise ConfigError(f"manifest {manifest.source_path}: mmpose config {config} not found")
    # mmpose's own CSPNeXt (the config asks for mmdet's, whose package imports the compiled nms op)
    options = {"model.backbone._scope_": "mmpose", "model.backbone.init_cfg": None}
    return apis.init_model(str(config), None, device=device, cfg_options=options)


def _device(manifest: ModelManifest) -> str:
    import torch

    if manifest.device == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"manifest {manifest.source_path}: device cuda, but torch sees no GPU")
        return "cuda:0"
    return "cpu"


def _detector(manifest: ModelManifest, max_people: int) -> PersonDetector | None:
    name = manifest.options.get("person_detector", "")
    if not name:
        return None
    from services.inference.manifest import load_manifest
    from services.inference.registry import build_estimator

    blaze = build_estimator(load_manifest(str(name), manifest.models_dir), max_people=max_people)

    def detect(frame_rgb: np.ndarray) -> np.ndarray:
        found = blaze.detect(frame_rgb)  # type: ignore[attr-defined]
        rows = [np.append(d.body_box_xyxy_px(), d.score) for d in found]
        return np.array(rows, dtype=np.float32).reshape(-1, 5)

    return detect


def build_rtmpose_estimator(
    manifest: ModelManifest, weights_path: Path, max_people: int = 3
) -> RtmPoseEstimator:
    """The service path: verified weights (see manifest.resolve_weights) loaded into the manifest's model."""
    import torch

    model = _init_model(manifest, _device(manifest))
    # sha256 was verified before we got here, so a full unpickle is safe; OpenMMLab checkpoints carry numpy
    # scalars in their meta, which torch's weights_only loader refuses
    checkpoint = torch.load(weights_path, map_location="cpu", weights_only=False)
    state = checkpoint.get("state_dict", checkpoint)
    missing, _unexpected = model.load_state_dict(state, strict=False)
    if missing:
        raise ConfigError(
            f"manifest {manifest.source_path}: weights {weights_path} lack {len(missing)} tensors, "
            f"e.g. {missing[:3]}"
        )
    return _wrap(manifest, model, max_people)


def build_rtmpose_with_random_weights_for_tests(
    manifest: ModelManifest, max_people: int = 3
) -> RtmPoseEstimator:
    """TEST-ONLY: the manifest's architecture with random weights, on CPU, to check plumbing, batching and
    shapes. Its keypoints are meaningless; never reachable from build_estimator or the Serve app."""
    return _wrap(manifest, _init_model(manifest, "cpu"), max_people)


def _wrap(manifest: ModelManifest, model: Any, max_people: int) -> RtmPoseEstimator:
    return RtmPoseEstimator(
        name=manifest.name,
        model=model,
        input_size_wh=manifest.input_size_wh,
        index_per_joint=manifest.layout_index_per_joint(),
        detector=_detector(manifest, max_people),
        max_people=max_people,
        max_batch_size=int(manifest.options.get("max_batch_size", 256)),
        box_padding=float(manifest.options.get("box_padding", 1.25)),
    )
