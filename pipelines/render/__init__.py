"""What people look at: annotated video, key frames, plots and the HTML report.

Pure functions (numpy, OpenCV, PyAV) only; the Ray fan-out of chunk encoding lives in
pipelines/shell/render.py.
"""

from pipelines.render.annotated_chunk import render_annotated_chunk
from pipelines.render.html_report import render_html_report
from pipelines.render.keyframes import write_keyframes
from pipelines.render.overlay import OverlayData, overlay_from

__all__ = ["OverlayData", "overlay_from", "render_annotated_chunk", "render_html_report", "write_keyframes"]
