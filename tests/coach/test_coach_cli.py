"""`liftlab coach REPORT_JSON`: JSON out, rule-based by default, LLM when configured."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from pipelines.coach.keys import RECOMMENDATION_METRICS, SUMMARY_BLOCKS
from services.cli import coach
from tests.coach.conftest import FakeLlm


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="liftlab")
    coach.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_rules_offline(tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIFTLAB_LLM_BASE_URL", raising=False)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert _run(["coach", str(path), "--measurement-system", "imperial", "--language", "ru"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["summary_text"]) == list(SUMMARY_BLOCKS)
    assert list(out["comments"]) == list(RECOMMENDATION_METRICS)
    assert set(out["sources"].values()) == {"rules"} and out["errors"] == {}
    assert "6.07 фут/с" in out["summary_text"]["velocity"]


def test_llm_when_configured(tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLlm) -> None:
    monkeypatch.setenv("LIFTLAB_LLM_BASE_URL", fake_llm.url)
    monkeypatch.setenv("LIFTLAB_LLM_MAX_CONCURRENCY", "2")
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert _run(["coach", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["sources"].values()) == {"llm"}
    assert len(fake_llm.requests) == len(SUMMARY_BLOCKS) + len(RECOMMENDATION_METRICS)
    assert fake_llm.max_in_flight <= 2


def test_unreadable_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["coach", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
