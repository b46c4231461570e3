"""One rendered lift through the whole real pipeline: PyAV decode on Ray, BlazePose behind Ray Serve,
bar tracking, kinematics, artifacts, rendering; in the embedded (folder) and service (Redis + S3) modes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import redis

from pipelines.errors import ConfigError
from pipelines.request import AnalysisRequest
from pipelines.settings import Settings
from pipelines.shell.pipeline import run_analysis
from pipelines.shell.ray_runtime import prepare_pose
from pipelines.shell.runner import Runner
from pipelines.state import JobQueue, SessionRecord, SessionStore
from pipelines.storage import LocalObjectStore, make_object_store
from pipelines.synth import GroundTruth, LiftSpec, render_lift

pytestmark = pytest.mark.slow

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def lift_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("clip") / "snatch.mp4"
    spec = LiftSpec(exercise="snatch", width_px=960, height_px=540, fps=30.0, setup_s=0.8, hold_s=0.6,
                    plate_colour="red", seed=3)
    return path, render_lift(spec, path)


def test_embedded_mode_writes_every_artifact(
    ray_pose: Settings, lift_clip: tuple[Path, GroundTruth], tmp_path: Path,
) -> None:
    video, truth = lift_clip
    store = LocalObjectStore(tmp_path / "out")
    store.ensure_ready()
    stages: list[str] = []
    report = run_analysis(
        video, AnalysisRequest(exercise="snatch", barbell_mass_kg=80.0, body_mass_kg=81.0, height_m=1.75),
        ray_pose, store, prefix="", progress=lambda stage, _f: stages.append(stage),
    )
    out = tmp_path / "out"
    for name in ("frames.parquet", "bar.parquet", "kinematics.parquet", "phases.parquet", "report.json",
                 "report.html", "analyzed.mp4"):
        assert (out / name).is_file(), name
    assert json.loads((out / "report.json").read_text())["status"] == "done"
    assert stages[0] == "probing" and "decoding" in stages and stages[-1] == "storing"

    frames = pq.read_table(out / "frames.parquet")
    assert frames.num_rows == len(truth.t_s)
    np.testing.assert_allclose(frames.column("t_s").to_numpy(), truth.t_s, atol=1e-3)
    found = frames.column("lifter_found").to_numpy()
    # BlazePose loses the drawn humanoid in some overhead postures (docs/pose.md); 85-90 % hold.
    assert found.mean() >= 0.8, f"lifter found on {found.mean():.0%} of frames"

    assert report["primary_rep"] is not None, report["warnings"]
    metrics = report["reps"][report["primary_rep"]]["metrics"]
    true_peak = float(np.max(truth.bar_velocity_mps[:, 1]))  # upward peak of the pull (not the drop)
    assert metrics["max_bar_speed"]["value"] == pytest.approx(true_peak, abs=0.25)
    assert report["artifacts"]["keyframes"], "key frames were written"


def test_service_mode_runner_processes_a_queued_session(
    ray_pose: Settings, lift_clip: tuple[Path, GroundTruth], s3_settings: Settings,
) -> None:
    video, _ = lift_clip
    settings = s3_settings
    client = redis.Redis.from_url(settings.redis_url)
    store = make_object_store(settings)
    store.ensure_ready()
    sessions = SessionStore(client, settings.redis_namespace)
    queue = JobQueue(client, settings.redis_namespace)

    store.put_file("sessions/ok/original.mp4", video, "video/mp4")
    sessions.create(SessionRecord(session_id="ok", user_id="u", org_id="o", title="t", exercise="snatch",
                                  barbell_mass_kg=80.0, video_key="sessions/ok/original.mp4"))
    # A second session whose video is garbage: it must fail alone, with a reason.
    store.put_bytes("sessions/bad/original.mp4", b"not a video at all" * 100)
    sessions.create(SessionRecord(session_id="bad", user_id="u", org_id="o", title="t", exercise="snatch",
                                  barbell_mass_kg=80.0, video_key="sessions/bad/original.mp4"))
    queue.enqueue({"session_id": "bad"})
    queue.enqueue({"session_id": "ok"})

    finished: list[str] = []
    runner = Runner(settings, sessions, queue, store, consumer="test", on_finished=finished.append)
    assert runner.run_once(block_ms=100)
    assert runner.run_once(block_ms=100)

    bad = sessions.get("bad")
    assert bad is not None and bad.status == "failed" and bad.error and "video" in bad.error
    ok = sessions.get("ok")
    assert ok is not None and ok.status == "done", ok.error if ok else None
    assert ok.progress == 1.0 and ok.report_key == "sessions/ok/report.json"
    assert store.exists("sessions/ok/analyzed.mp4") and store.exists("sessions/ok/frames.parquet")
    assert json.loads(store.get_bytes("sessions/ok/report.json"))["session_id"] == "ok"
    assert ok.summary_metrics.get("max_bar_speed") is not None
    assert finished == ["bad", "ok"]
    assert queue.depth() == 0
    client.close()


def test_in_task_pose_gives_the_same_analysis_as_the_serve_deployment(
    ray_pose: Settings, lift_clip: tuple[Path, GroundTruth], tmp_path: Path,
) -> None:
    """`liftlab analyze`'s default (the model inside each segment task) and the service's Serve deployment
    run the same estimator on the same frames: the lifter's joints and the metrics must agree. The
    in-task run also gets the clip as bytes through the object store, as the tasks of a cluster do."""
    video, _ = lift_clip
    request = AnalysisRequest(exercise="snatch", barbell_mass_kg=80.0)
    reports, joints = {}, {}
    for mode in ("serve", "task"):
        settings = dataclasses.replace(
            ray_pose, pose_execution=mode, video_to_tasks="object_store" if mode == "task" else "path"
        )
        prepare_pose(settings)
        store = LocalObjectStore(tmp_path / mode)
        store.ensure_ready()
        reports[mode] = run_analysis(video, request, settings, store, prefix="")
        frames = pq.read_table(tmp_path / mode / "frames.parquet").to_pandas()
        joints[mode] = frames
    serve_frames, task_frames = joints["serve"], joints["task"]
    np.testing.assert_array_equal(serve_frames["lifter_found"], task_frames["lifter_found"])
    for column in serve_frames.columns:
        if column.endswith("_x_px") or column.endswith("_y_px"):
            np.testing.assert_allclose(task_frames[column], serve_frames[column], atol=1e-3, err_msg=column)
    serve_metrics = reports["serve"]["reps"][reports["serve"]["primary_rep"]]["metrics"]
    task_metrics = reports["task"]["reps"][reports["task"]["primary_rep"]]["metrics"]
    assert task_metrics["max_bar_speed"]["value"] == pytest.approx(serve_metrics["max_bar_speed"]["value"])


def test_in_task_pose_refuses_a_gpu_model_before_any_work() -> None:
    settings = Settings(pose_execution="task", pose_model="rtmpose_m_halpe26_gpu", models_dir=REPO_MODELS)
    with pytest.raises(ConfigError, match="in-task pose runs CPU models only"):
        prepare_pose(settings)
    with pytest.raises(ConfigError, match="LIFTLAB_POSE_EXECUTION"):
        prepare_pose(Settings(pose_execution="somewhere"))


def test_embedded_mode_defaults_to_in_task_pose(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from services.cli.analyze import embedded_settings

    monkeypatch.delenv("LIFTLAB_POSE_EXECUTION", raising=False)
    settings = embedded_settings(tmp_path)
    assert settings.pose_execution == "task"
    assert (settings.store_backend, settings.store_local_dir) == ("local", tmp_path)
    monkeypatch.setenv("LIFTLAB_POSE_EXECUTION", "serve")
    assert embedded_settings(tmp_path).pose_execution == "serve"
    assert Settings.from_env({}).pose_execution == "serve"  # the service's default
