from __future__ import annotations

import re
from pathlib import Path

import cv2
import pytest

from pipelines.render import overlay_from, render_html_report, write_keyframes
from tests.render.conftest import DiscClip, tracks_for
from tests.render.report_fixture import sample_report


def test_one_annotated_jpeg_per_event(disc_clip: DiscClip, tmp_path: Path) -> None:
    pose, bar, series, phases, warnings = tracks_for(disc_clip)
    overlay = overlay_from(pose, bar, series, phases, warnings, "metric")
    events = {
        "peak_bar_height": {"t_s": float(disc_clip.t_s[37]), "frame": 37},
        "start_of_lifting": {"t_s": float(disc_clip.t_s[3]), "frame": 3},
    }
    paths = write_keyframes(disc_clip.path, events, overlay, tmp_path / "keyframes")
    assert set(paths) == set(events)
    for name, path in paths.items():
        assert path == tmp_path / "keyframes" / f"{name}.jpg"
        img = cv2.imread(str(path))
        assert img is not None and img.shape == (360, 640, 3)
    # At the peak the disc is high: its red fill is in the upper half of the key frame.
    img = cv2.imread(str(paths["peak_bar_height"]))
    assert img is not None
    cx, cy = disc_clip.centre_xy_px[37]
    b, g, r = (int(v) for v in img[round(cy) + 20, round(cx) + 20])
    assert r > 150 and g < 100 and b < 100, (
        f"expected the red disc near ({cx:.0f}, {cy:.0f}), got {(r, g, b)}"
    )


def test_keyframe_names_must_be_file_safe(disc_clip: DiscClip, tmp_path: Path) -> None:
    overlay = overlay_from(*tracks_for(disc_clip), "metric")
    with pytest.raises(ValueError, match="event name"):
        write_keyframes(disc_clip.path, {"../x": {"t_s": 0.0, "frame": 0}}, overlay, tmp_path)


def _report_html(disc_clip: DiscClip, tmp_path: Path, units: str) -> str:
    pose, bar, series, phases, warnings = tracks_for(disc_clip)
    report = sample_report(disc_clip, series, phases)
    overlay = overlay_from(pose, bar, series, phases, warnings, units)
    events = report["reps"][0]["events"]
    paths = write_keyframes(disc_clip.path, events, overlay, tmp_path / "keyframes")
    keyframes = {name: p.relative_to(tmp_path).as_posix() for name, p in paths.items()}
    out = tmp_path / "report.html"
    render_html_report(report, report["series"], keyframes, out, units=units)
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained_with_plots_metrics_and_key_frames(
    disc_clip: DiscClip, tmp_path: Path
) -> None:
    text = _report_html(disc_clip, tmp_path, "metric")
    assert text.count("<svg") >= 4, "expected bar path, velocity, height, power and angle plots"
    assert text.count("data:image/jpeg;base64,") == 2
    for needle in (
        "max_bar_speed",
        "body mass unknown",
        "unavailable",
        "second pull",
        "Finish the extension.",
        "calibration_uncertain",
        "&lt;scale&gt;",
        "m/s",
        "type 2 (S-curve)",
        ">1.10<",
    ):
        assert needle in text, f"expected {needle!r} in report.html"
    # Nothing is fetched from the network: no http(s) src/href (the SVG namespace is not a fetch).
    assert not re.search(r"""(src|href)=["']?https?:""", text)


def test_imperial_report_converts_at_the_edge(disc_clip: DiscClip, tmp_path: Path) -> None:
    text = _report_html(disc_clip, tmp_path, "imperial")
    assert "ft/s" in text and "lb" in text
    assert "220.5 lb" in text  # 100 kg bar
    assert ">1234<" in text  # power stays in W
