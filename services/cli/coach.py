"""`liftlab coach REPORT_JSON`: coaching comments for an analysed lift, printed as JSON.

Uses the rule-based coach unless LIFTLAB_LLM_BASE_URL names an OpenAI-compatible server.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("coach", help="print coaching comments for a report.json as JSON")
    p.add_argument("report_json", type=Path, help="report.json written by `liftlab analyze`")
    p.add_argument("--measurement-system", choices=("metric", "imperial"), default="metric")
    p.add_argument("--language", choices=("en", "ru"), default="en")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        report = json.loads(Path(args.report_json).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"liftlab coach: cannot read {args.report_json}: {exc}", file=sys.stderr)
        return 2
    # imported here: the openai SDK alone takes ~1.7 s to import, which every other subcommand
    # (`liftlab analyze` above all, whose cold start is measured) would otherwise pay at start-up
    from pipelines.coach.offline import coach_report

    result = coach_report(report, args.measurement_system, args.language, Settings.from_env())
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if result["errors"] else 0
