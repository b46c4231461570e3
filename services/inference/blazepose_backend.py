"""MediaPipe BlazePose full on CPU, several people per frame, stateless across calls.

The legacy ``mp.solutions.pose`` graph follows one person and keeps tracking state between calls, which
is wrong for interleaved videos and for gyms with several people in view. We run the wheel's own two
models through LiteRT instead: the detector finds every person (anchors + weighted NMS), and each of the
best ``max_people`` candidates gets its own rotated crop through the landmark model.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from services.inference.blazepose_geometry import (
    DETECTOR_INPUT_PX,
    Detection,
    RotatedRoi,
    apply_affine,
    box_iou,
    decode_detections,
    detector_anchors_xy,
    letterbox_params,
    roi_from_detection,
    roi_from_hint,
    roi_hint_from_keypoints,
    roi_shift,
    weighted_nms,
)
from services.inference.joints import JOINT_INDEX
from services.inference.keypoint_map import to_canonical
from services.inference.protocol import PersonPose

LANDMARK_INPUT_PX = 256
_N_LANDMARKS = 33  # the model outputs 39 points; the last 6 are auxiliary ROI points
# defaults of the per-frame cost knobs (manifest options of the same names; docs/pose.md "Cost per frame")
DEFAULT_REFINE_MIN_SHIFT = 0.08
DEFAULT_REFINE_BELOW_PRESENCE = 0.9
DEFAULT_SAME_BODY_HIP_FRACTION = 0.125
# a detector-stride frame's tracked pose must lie where its hint (interpolated between detector frames a
# few frames away) put the body: its own roi within this roi_shift of the hint's (docs/pose.md)
DEFAULT_MAX_HINT_SHIFT = 0.2
# left/right canonical joint pairs: a side view hides the far limb, so "seen" is judged per body part on
# its better side
_BODY_PARTS = ("sho", "elb", "wri", "hip", "kne", "ank", "hee", "toe")
_SIDE_PAIRS = np.array([[JOINT_INDEX["l" + part], JOINT_INDEX["r" + part]] for part in _BODY_PARTS])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -80.0, 80.0)))


def _interpreter(path: Path, num_threads: int) -> object:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
    interpreter.allocate_tensors()
    return interpreter


class BlazePoseEstimator:
    """PoseEstimator over the wheel's pose_detection + pose_landmark_full models.

    index_per_joint: (N_JOINTS,) BlazePose landmark index per canonical joint (-1: missing).
    """

    def __init__(
        self,
        *,
        name: str,
        detector_path: Path,
        landmark_path: Path,
        index_per_joint: np.ndarray,
        max_people: int = 3,
        min_detection_score: float = 0.5,
        min_presence: float = 0.5,
        num_threads: int = 1,
        refine_steps: int = 1,
        min_tracking_visibility: float = 0.5,
        refine_min_shift: float = DEFAULT_REFINE_MIN_SHIFT,
        refine_below_presence: float = DEFAULT_REFINE_BELOW_PRESENCE,
        same_body_hip_fraction: float = DEFAULT_SAME_BODY_HIP_FRACTION,
        max_hint_shift: float = DEFAULT_MAX_HINT_SHIFT,
    ) -> None:
        """refine_steps: at most this many re-crops from the landmark model's own hip/scale points. A
        re-crop runs only when the crop it would use is off the current one by more than refine_min_shift
        (fraction of the crop's side, blazepose_geometry.roi_shift; 0 = always) or the pass's presence is
        below refine_below_presence. same_body_hip_fraction: a further detector candidate whose hip centre
        lies within this fraction of the smaller crop side of an already-found person's detection is the
        same body (the detector fires twice with different radii) and gets no landmark pass (0 = off).
        min_tracking_visibility / max_hint_shift: the gate of ``track`` (see there)."""
        if max_people < 1:
            raise ValueError(f"max_people: expected >= 1, got {max_people}")
        self.name = name
        self._detector = _interpreter(detector_path, num_threads)
        self._landmarks = _interpreter(landmark_path, num_threads)
        self._anchors_xy = detector_anchors_xy()
        self._index_per_joint = index_per_joint
        self.max_people = max_people
        self.min_detection_score = min_detection_score
        self.min_presence = min_presence
        self.refine_steps = refine_steps
        self.min_tracking_visibility = min_tracking_visibility
        self.refine_min_shift = refine_min_shift
        self.refine_below_presence = refine_below_presence
        self.same_body_hip_fraction = same_body_hip_fraction
        self.max_hint_shift = max_hint_shift
        # input buffers reused across calls (set_tensor copies them in; no view of interpreter memory kept)
        self._det_canvas = np.zeros((1, DETECTOR_INPUT_PX, DETECTOR_INPUT_PX, 3), np.float32)
        self._lm_input = np.zeros((1, LANDMARK_INPUT_PX, LANDMARK_INPUT_PX, 3), np.float32)
        self.landmark_passes = 0  # landmark model invocations since construction (bench/pose.py reads it)
        # LiteRT interpreters are not thread-safe; Serve runs `estimate` and `track` batches in threads
        self._lock = threading.Lock()
        det_out = {d["name"]: d["index"] for d in self._detector.get_output_details()}  # type: ignore[attr-defined]
        self._det_in = self._detector.get_input_details()[0]["index"]  # type: ignore[attr-defined]
        self._det_boxes, self._det_scores = det_out["Identity"], det_out["Identity_1"]
        lm_out = {d["name"]: d["index"] for d in self._landmarks.get_output_details()}  # type: ignore[attr-defined]
        self._lm_in = self._landmarks.get_input_details()[0]["index"]  # type: ignore[attr-defined]
        self._lm_points, self._lm_presence = lm_out["Identity"], lm_out["Identity_1"]

    def estimate(self, frames_rgb: list[np.ndarray]) -> list[list[PersonPose]]:
        """frames_rgb: HxWx3 uint8 RGB. Returns one list of people per frame, in frame order."""
        with self._lock:
            return [self.estimate_one(frame) for frame in frames_rgb]

    def track(
        self,
        frames_rgb: list[np.ndarray],
        roi_hints: list[np.ndarray],
        always_refine: bool | Sequence[bool] = True,
    ) -> list[list[PersonPose]]:
        """The landmark model alone on the region each hint gives (services.inference.protocol.RoiTracker):
        BlazePose's tracking mode, with the previous frame's region passed in rather than kept here.
        roi_hints: per frame (2, 2) mid-hip and body-circle point. always_refine (one flag, or one per
        frame): re-crop from the landmark model's own points on every frame (the retry of a frame the
        detector missed, hint from up to a second away), or only under the same rule as ``estimate``
        (refine_min_shift / refine_below_presence: the detector-stride frames, hint from a few frames
        away). A person is returned (tracked=True) only when the model's presence flag reaches
        min_presence and it passes the gate of its kind, otherwise the frame's list is empty:
        - always_refine (a retry, hint up to a second old): the median canonical joint score reaches
          min_tracking_visibility;
        - conditional re-crop (a detector-stride frame): the median over body parts (shoulders ... toes)
          of the better side's score reaches min_tracking_visibility, and the pose's own roi
          (roi_hint_from_keypoints) is within max_hint_shift of the hint's (docs/pose.md "Detector
          stride": same or lower truth error on rendered lifts, fewer detector fallbacks on side views)."""
        if len(roi_hints) != len(frames_rgb):
            raise ValueError(f"roi_hints: expected {len(frames_rgb)} entries, got {len(roi_hints)}")
        flags = [always_refine] * len(frames_rgb) if isinstance(always_refine, bool) else list(always_refine)
        if len(flags) != len(frames_rgb):
            raise ValueError(f"always_refine: expected {len(frames_rgb)} flags, got {len(flags)}")
        hints_xy = [np.asarray(hint, dtype=np.float32) for hint in roi_hints]
        for hint_xy in hints_xy:
            if hint_xy.shape != (2, 2) or not np.all(np.isfinite(hint_xy)):
                raise ValueError(f"roi hint: expected finite (2, 2), got {hint_xy.shape}")
        with self._lock:
            return [
                self._track_one(f, h, bool(a)) for f, h, a in zip(frames_rgb, hints_xy, flags, strict=True)
            ]

    def _track_one(self, frame: np.ndarray, hint_xy: np.ndarray, always_refine: bool) -> list[PersonPose]:
        # score 1: the person score becomes the landmark model's presence alone
        hinted = Detection(1.0, hint_xy[[0, 1, 0, 1]])
        person = self._landmarks_for(frame, hinted, always_refine=always_refine)
        # no detector vouches for this body: the presence flag alone also passes crops of a half-seen or
        # wrongly placed figure (rendered clean catches: presence 0.5-0.9 with joints 100+ px off), whose
        # landmarks then mostly read as not visible. Ask most joints to be seen as well.
        if person is None:
            return []
        if always_refine:
            seen = float(np.median(person.scores))
        else:
            # a hint from detector frames a few frames away: the body cannot have moved far, and a side
            # view's far limbs read as not visible although the near ones are well placed
            seen = float(np.median(np.max(person.scores[_SIDE_PAIRS], axis=1)))
            own = roi_hint_from_keypoints(person.keypoints_xy_px, min_joints=1)
            if own is None or roi_shift(roi_from_hint(hint_xy), roi_from_hint(own)) > self.max_hint_shift:
                return []
        if seen < self.min_tracking_visibility:
            return []
        return [replace(person, tracked=True)]

    def estimate_one(self, frame_rgb: np.ndarray) -> list[PersonPose]:
        if frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3 or frame_rgb.dtype != np.uint8:
            raise ValueError(f"frame: expected HxWx3 uint8, got {frame_rgb.shape} {frame_rgb.dtype}")
        if frame_rgb.shape[0] < 2 or frame_rgb.shape[1] < 2:
            return []
        people: list[PersonPose] = []
        found_rois: list[RotatedRoi] = []  # detector crops of the people kept so far
        for det in self.detect(frame_rgb):
            roi = roi_from_detection(det)
            if any(self._same_body(roi, other) for other in found_rois):
                continue
            person = self._landmarks_for(frame_rgb, det)
            if person is None:
                continue
            # two detections of one body give two nearly identical skeletons: keep the first (best)
            if any(box_iou(person.box_xyxy_px, p.box_xyxy_px[None])[0] > 0.6 for p in people):
                continue
            people.append(person)
            found_rois.append(roi)
        return people

    def _same_body(self, roi: RotatedRoi, other: RotatedRoi) -> bool:
        """The detector's weaker second candidates on real side views are mostly the same lifter with
        another radius (hip centres <= 0.12 of the crop side apart); a distinct person's hips are further."""
        side = min(roi.size_px, other.size_px)
        distance = float(np.linalg.norm(roi.centre_xy_px - other.centre_xy_px))
        return distance < self.same_body_hip_fraction * side

    def detect(self, frame_rgb: np.ndarray) -> list[Detection]:
        """The best max_people person candidates, in frame pixels, best first."""
        h, w = frame_rgb.shape[:2]
        box = letterbox_params(w, h)
        resized = cv2.resize(
            frame_rgb, (round(w * box.scale), round(h * box.scale)), interpolation=cv2.INTER_AREA
        )
        canvas = self._det_canvas
        canvas.fill(0.0)
        y0, x0 = int(box.pad_y_px), int(box.pad_x_px)
        window = canvas[0, y0 : y0 + resized.shape[0], x0 : x0 + resized.shape[1]]
        window[...] = resized / 127.5 - 1.0  # float64 then rounded once, as the model was validated with
        # the model places content by the pad it was given; use the integer pad actually applied
        box = type(box)(box.scale, float(x0), float(y0))
        self._detector.set_tensor(self._det_in, canvas)  # type: ignore[attr-defined]
        self._detector.invoke()  # type: ignore[attr-defined]
        raw_boxes = self._detector.get_tensor(self._det_boxes)[0]  # type: ignore[attr-defined]
        raw_scores = self._detector.get_tensor(self._det_scores)[0, :, 0]  # type: ignore[attr-defined]
        scores, boxes, keypoints = decode_detections(
            raw_boxes, raw_scores, self._anchors_xy, self.min_detection_score
        )
        merged = weighted_nms(scores, boxes, keypoints)[: self.max_people]
        return [Detection(score, box.to_frame(kps)) for score, kps in merged]

    def _landmarks_for(
        self, frame_rgb: np.ndarray, det: Detection, *, always_refine: bool = False
    ) -> PersonPose | None:
        roi = roi_from_detection(det)
        best: tuple[float, np.ndarray] | None = None  # (presence, (39, 2) frame px + raw) of the best pass
        best_raw = np.zeros((0, 5), np.float32)
        for step in range(1 + self.refine_steps):
            crop_to_frame = roi.crop_to_frame_matrix(LANDMARK_INPUT_PX)
            presence, raw = self._run_landmarks(frame_rgb, crop_to_frame)
            pass_xy_px = apply_affine(crop_to_frame, raw[:, :2].astype(np.float64))
            if best is None or presence > best[0]:
                best, best_raw = (presence, pass_xy_px), raw
            if step == self.refine_steps:
                break
            # the detector's hip/radius guess is coarse on bent-over side views; the landmark model's own
            # auxiliary points 33 (hip centre) and 34 (body-circle point) give a better crop, as in
            # BlazePose's tracking mode, but computed within this call (no state across frames). Keep
            # whichever pass the model is surer of. The re-crop costs a full landmark pass, so it runs
            # only when that crop is noticeably elsewhere or this pass is unsure (docs/pose.md).
            next_roi = roi_from_detection(Detection(det.score, pass_xy_px[[33, 34, 33, 34]]))
            if (
                not always_refine
                and presence >= self.refine_below_presence
                and roi_shift(roi, next_roi) <= self.refine_min_shift
            ):
                break
            roi = next_roi
        if best is None or best[0] < self.min_presence:
            return None
        presence, all_xy_px = best
        raw = best_raw
        xy_px = all_xy_px[:_N_LANDMARKS]
        # BlazePose's per-landmark confidence: visible (not occluded) and present (inside the frame)
        landmark_scores = (_sigmoid(raw[:_N_LANDMARKS, 3]) * _sigmoid(raw[:_N_LANDMARKS, 4])).astype(
            np.float32
        )
        keypoints, scores = to_canonical(xy_px, landmark_scores, self._index_per_joint)
        x0, y0 = xy_px.min(axis=0)
        x1, y1 = xy_px.max(axis=0)
        return PersonPose(
            keypoints_xy_px=keypoints,
            scores=scores,
            box_xyxy_px=np.array([x0, y0, x1, y1], dtype=np.float32),
            score=float(min(det.score, presence)),
        )

    def _run_landmarks(self, frame_rgb: np.ndarray, crop_to_frame: np.ndarray) -> tuple[float, np.ndarray]:
        """One landmark pass on the crop; returns (presence, (39, 5) raw x, y, z, visibility, presence)."""
        crop = cv2.warpAffine(
            frame_rgb,
            crop_to_frame,
            (LANDMARK_INPUT_PX, LANDMARK_INPUT_PX),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        np.divide(crop, np.float32(255.0), out=self._lm_input[0])
        self.landmark_passes += 1
        self._landmarks.set_tensor(self._lm_in, self._lm_input)  # type: ignore[attr-defined]
        self._landmarks.invoke()  # type: ignore[attr-defined]
        # the presence flag leaves the model as a probability already (it reads 0.9999 on a clear person)
        presence = float(self._landmarks.get_tensor(self._lm_presence).ravel()[0])  # type: ignore[attr-defined]
        raw = self._landmarks.get_tensor(self._lm_points).reshape(-1, 5).copy()  # type: ignore[attr-defined]
        return presence, raw
