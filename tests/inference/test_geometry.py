from __future__ import annotations

import numpy as np

from services.inference.blazepose_geometry import (
    Detection,
    apply_affine,
    decode_detections,
    detector_anchors_xy,
    letterbox_params,
    roi_from_detection,
    weighted_nms,
)
from services.inference.joints import N_JOINTS
from services.inference.keypoint_map import to_canonical


def test_anchor_layout_matches_detector_output() -> None:
    anchors = detector_anchors_xy()
    assert anchors.shape == (2254, 2)
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(anchors[-1], [6.5 / 7, 6.5 / 7])


def test_decode_and_nms_blend_one_person() -> None:
    anchors = detector_anchors_xy()
    raw = np.zeros((2254, 12), np.float32)
    raw[:, 2:4] = 40.0
    logits = np.full(2254, -10.0, np.float32)
    logits[[0, 1]] = [5.0, 3.0]  # two anchors of one cell fire on the same person
    raw[1, 4:6] = 2.0  # the second one puts the hip 2 px further
    scores, boxes, kps = decode_detections(raw, logits, anchors, 0.5)
    merged = weighted_nms(scores, boxes, kps)
    assert len(merged) == 1
    hip = merged[0][1][0]
    assert anchors[0, 0] * 224 < hip[0] < anchors[0, 0] * 224 + 2.0


def test_upright_roi_maps_crop_axes_to_frame_axes() -> None:
    det = Detection(0.9, np.array([[100, 200], [100, 100], [100, 150], [100, 90]], np.float32))
    roi = roi_from_detection(det, scale=1.0)
    m = roi.crop_to_frame_matrix(256)
    corners = apply_affine(m, np.array([[0.0, 0.0], [256.0, 256.0], [128.0, 128.0]]))
    np.testing.assert_allclose(corners, [[0, 100], [200, 300], [100, 200]], atol=1e-4)


def test_rotated_roi_is_a_rotation_not_a_mirror() -> None:
    # head to the left of the hip: crop "up" must point left in the frame
    det = Detection(0.9, np.array([[200, 200], [100, 200], [150, 200], [90, 200]], np.float32))
    m = roi_from_detection(det, scale=1.0).crop_to_frame_matrix(256)
    assert np.linalg.det(m[:, :2]) > 0
    top_centre = apply_affine(m, np.array([[128.0, 0.0]]))[0]
    np.testing.assert_allclose(top_centre, [100, 200], atol=1e-4)


def test_letterbox_round_trip() -> None:
    box = letterbox_params(640, 360)
    assert box.scale == 224 / 640
    np.testing.assert_allclose(box.to_frame(np.array([[box.pad_x_px, box.pad_y_px]])), [[0, 0]], atol=1e-4)


def test_missing_joints_are_nan_and_zero_score() -> None:
    index = np.full(N_JOINTS, -1)
    index[0] = 2
    xy, scores = to_canonical(
        np.arange(10, dtype=np.float32).reshape(5, 2), np.full(5, 0.8, np.float32), index
    )
    np.testing.assert_allclose(xy[0], [4, 5])
    assert np.isnan(xy[1:]).all() and (scores[1:] == 0).all() and scores[0] == np.float32(0.8)
