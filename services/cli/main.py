"""The `liftlab` command: one entry point, one subcommand module each."""

from __future__ import annotations

import argparse
import logging
import sys

from services.cli import admin, analyze, coach, demo, openapi, serve, worker


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liftlab", description="Biomechanical analysis of Olympic lifts.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (analyze, demo, coach, worker, serve, admin, openapi):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
