"""Pure numpy geometry of the BlazePose two-stage pipeline: detector anchors and decoding, NMS, and the
rotated square region of interest that the landmark model reads.

Constants are the published configuration of mediapipe's pose_detection graph (SSD anchors: 5 layers,
strides 8/16/32/32/32, fixed anchor size, 224x224 input; 12 values per anchor: box cx, cy, w, h and four
keypoints; keypoint 0 = mid-hip, keypoint 1 = a point whose distance from the hip is the radius of the
circle around the whole body and whose direction points to the head).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.inference.joints import JOINT_INDEX

DETECTOR_INPUT_PX = 224
_STRIDES = (8, 16, 32, 32, 32)
_SCORE_CLIP = 100.0
ROI_SCALE = 1.25  # the landmark crop is 1.25x the body circle's diameter, as in BlazePose
# the body circle of a roi hint encloses every joint; the nose is below the top of the head and the toes'
# tips beyond the toe joint, so the farthest joint is stretched a little (ROI_SCALE comes on top)
HINT_CIRCLE_MARGIN = 1.15
_HIPS = [JOINT_INDEX["lhip"], JOINT_INDEX["rhip"]]
_SHOULDERS = [JOINT_INDEX["lsho"], JOINT_INDEX["rsho"]]


def detector_anchors_xy() -> np.ndarray:
    """Anchor centres, (2254, 2) float32 in [0, 1] of the detector input, in the model's output order."""
    centres: list[np.ndarray] = []
    layer = 0
    while layer < len(_STRIDES):
        stride = _STRIDES[layer]
        # consecutive layers with the same stride share one grid; each contributes 2 anchors per cell
        n_same = 0
        while layer < len(_STRIDES) and _STRIDES[layer] == stride:
            n_same += 1
            layer += 1
        cells = int(np.ceil(DETECTOR_INPUT_PX / stride))
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs.ravel() + 0.5) / cells, (ys.ravel() + 0.5) / cells], axis=1)
        centres.append(np.repeat(grid, 2 * n_same, axis=0))
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How a frame was fitted into the square detector input: input_px = frame_px * scale + pad."""

    scale: float
    pad_x_px: float
    pad_y_px: float

    def to_frame(self, xy_input_px: np.ndarray) -> np.ndarray:
        """(..., 2) detector-input pixels -> (..., 2) frame pixels."""
        pad = np.array([self.pad_x_px, self.pad_y_px], dtype=np.float32)
        return ((xy_input_px - pad) / self.scale).astype(np.float32)


def letterbox_params(width_px: int, height_px: int, size_px: int = DETECTOR_INPUT_PX) -> Letterbox:
    scale = size_px / max(width_px, height_px)
    return Letterbox(scale, (size_px - width_px * scale) / 2.0, (size_px - height_px * scale) / 2.0)


@dataclass(frozen=True, slots=True)
class Detection:
    """One person candidate in frame pixels.

    keypoints_xy_px: (4, 2) mid-hip, body-circle point, mid-shoulder, above-head.
    """

    score: float
    keypoints_xy_px: np.ndarray

    @property
    def body_radius_px(self) -> float:
        return float(np.linalg.norm(self.keypoints_xy_px[1] - self.keypoints_xy_px[0]))

    def body_box_xyxy_px(self) -> np.ndarray:
        """(4,) the square around the body circle (hip centre, radius to keypoint 1)."""
        c = self.keypoints_xy_px[0]
        r = self.body_radius_px
        return np.array([c[0] - r, c[1] - r, c[0] + r, c[1] + r], dtype=np.float32)


def decode_detections(
    raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors_xy: np.ndarray, min_score: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode the detector's outputs.

    raw_boxes: (2254, 12), raw_scores: (2254,) logits. Returns (scores (k,), boxes_xyxy (k, 4),
    keypoints_xy (k, 4, 2)), all in detector-input pixels, for anchors scoring >= min_score.
    """
    scores = 1.0 / (1.0 + np.exp(-np.clip(raw_scores.astype(np.float64), -_SCORE_CLIP, _SCORE_CLIP)))
    keep = scores >= min_score
    if not np.any(keep):
        return np.zeros(0, np.float32), np.zeros((0, 4), np.float32), np.zeros((0, 4, 2), np.float32)
    raw = raw_boxes[keep].astype(np.float32)
    anchor_px = anchors_xy[keep] * DETECTOR_INPUT_PX
    centre = raw[:, 0:2] + anchor_px
    half = raw[:, 2:4] / 2.0
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    keypoints = raw[:, 4:12].reshape(-1, 4, 2) + anchor_px[:, None, :]
    return scores[keep].astype(np.float32), boxes, keypoints


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (4,) xyxy box with (k, 4) boxes -> (k,)."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def weighted_nms(
    scores: np.ndarray, boxes_xyxy: np.ndarray, keypoints_xy: np.ndarray, iou_threshold: float = 0.3
) -> list[tuple[float, np.ndarray]]:
    """Blend overlapping candidates (score-weighted mean keypoints), best first: [(score, (4, 2))].

    Weighted rather than hard NMS, as BlazePose does: the detector fires on several neighbouring anchors
    for one person, and averaging them steadies the hip centre and body radius.
    """
    order = np.argsort(-scores)
    remaining = order
    out: list[tuple[float, np.ndarray]] = []
    while remaining.size:
        best = remaining[0]
        overlap = box_iou(boxes_xyxy[best], boxes_xyxy[remaining]) > iou_threshold
        group = remaining[overlap]
        weights = scores[group][:, None, None]
        blended = (keypoints_xy[group] * weights).sum(axis=0) / weights.sum()
        out.append((float(scores[best]), blended.astype(np.float32)))
        remaining = remaining[~overlap]
    return out


@dataclass(frozen=True, slots=True)
class RotatedRoi:
    """A square crop of side size_px centred on centre_xy_px whose 'down' axis is down_unit (frame pixels)."""

    centre_xy_px: np.ndarray
    size_px: float
    down_unit: np.ndarray

    def crop_to_frame_matrix(self, crop_px: int) -> np.ndarray:
        """(2, 3) affine taking crop pixels (u, v) in [0, crop_px) to frame pixels."""
        down = self.down_unit
        # a rotation, never a mirror: down (0, 1) gives right (1, 0)
        right = np.array([down[1], -down[0]], dtype=np.float64)
        k = self.size_px / crop_px
        origin = self.centre_xy_px - (right + down) * self.size_px / 2.0
        return np.array(
            [[right[0] * k, down[0] * k, origin[0]], [right[1] * k, down[1] * k, origin[1]]], dtype=np.float64
        )


def roi_from_detection(det: Detection, scale: float = ROI_SCALE) -> RotatedRoi:
    """BlazePose's ROI: centred on the hip, side = 2 * body radius * scale, rotated so the head is up."""
    hip, top = det.keypoints_xy_px[0].astype(np.float64), det.keypoints_xy_px[1].astype(np.float64)
    up = top - hip
    norm = float(np.linalg.norm(up))
    down = np.array([0.0, 1.0]) if norm < 1e-6 else -up / norm
    return RotatedRoi(centre_xy_px=hip, size_px=max(2.0 * norm * scale, 1.0), down_unit=down)


def apply_affine(matrix_2x3: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """(k, 2) points through a (2, 3) affine -> (k, 2) float32."""
    return (xy @ matrix_2x3[:, :2].T + matrix_2x3[:, 2]).astype(np.float32)


def roi_shift(a: RotatedRoi, b: RotatedRoi) -> float:
    """How far crop b is from crop a, as a fraction of a's side: the largest of the centre shift / side,
    the relative size change and half the rotation in radians (a 0.1 rad turn moves the crop's corners
    by ~0.07 of its side)."""
    centre = float(np.linalg.norm(b.centre_xy_px - a.centre_xy_px)) / max(a.size_px, 1e-9)
    size = abs(b.size_px / max(a.size_px, 1e-9) - 1.0)
    angle = float(np.arccos(np.clip(float(a.down_unit @ b.down_unit), -1.0, 1.0)))
    return max(centre, size, angle / 2.0)


def roi_hint_from_keypoints(keypoints_xy_px: np.ndarray, min_joints: int = 8) -> np.ndarray | None:
    """(N_JOINTS, 2) canonical keypoints (NaN where missing) -> (2, 2) roi hint (mid-hip and the point on
    the body circle towards the shoulders), or None when the pose has no hips, no shoulders or fewer than
    min_joints joints. The caller's hints (pipelines.pose.tracking) and the backend's check of a tracked
    pose against its hint use this one definition."""
    ok = np.all(np.isfinite(keypoints_xy_px), axis=1)
    if int(ok.sum()) < min_joints or not ok[_HIPS].any() or not ok[_SHOULDERS].any():
        return None
    hip = np.mean(keypoints_xy_px[_HIPS][ok[_HIPS]], axis=0)
    shoulder = np.mean(keypoints_xy_px[_SHOULDERS][ok[_SHOULDERS]], axis=0)
    up = shoulder - hip
    norm = float(np.linalg.norm(up))
    up_unit = np.array([0.0, -1.0]) if norm < 1e-6 else up / norm
    radius = HINT_CIRCLE_MARGIN * float(np.max(np.linalg.norm(keypoints_xy_px[ok] - hip, axis=1)))
    if radius < 2.0:
        return None
    return np.stack([hip, hip + radius * up_unit]).astype(np.float32)


def roi_from_hint(hint_xy_px: np.ndarray) -> RotatedRoi:
    """The landmark crop a (2, 2) roi hint stands for (as a detection with that hip and circle point)."""
    return roi_from_detection(Detection(1.0, np.asarray(hint_xy_px, dtype=np.float32)[[0, 1, 0, 1]]))
