"""`liftlab admin` commands against a real Redis."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from pipelines.settings import Settings
from services.api.accounts import AccountStore
from services.api.apikeys import ApiKeyStore
from services.cli import admin, openapi, serve


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="liftlab")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (admin, serve, openapi):
        module.add_parser(sub)
    return parser.parse_args(argv)


def test_create_user_prints_a_working_key(
    s3_settings: Settings, capsys: pytest.CaptureFixture[str], redis_client
) -> None:
    settings = dataclasses.replace(s3_settings)
    args = _parse(
        ["admin", "create-user", "--name", "Coach K", "--email", "k@example.org", "--role", "admin"]
    )
    assert args.handler(args, settings) == 0
    out = capsys.readouterr().out
    key = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("api_key:"))
    user_id = next(line.split(": ", 1)[1].strip() for line in out.splitlines() if line.startswith("user_id:"))
    keys = ApiKeyStore(redis_client, settings.redis_namespace)
    record = keys.verify(key)
    assert record is not None and record.user_id == user_id
    user = AccountStore(redis_client, settings.redis_namespace).get_user(user_id)
    assert user is not None and user.role == "admin" and user.email == "k@example.org"
    again = _parse(
        ["admin", "create-user", "--name", "Dup", "--email", "k@example.org", "--org-id", user.org_id]
    )
    assert again.handler(again, settings) == 2
    revoke = _parse(["admin", "revoke-key", record.key_id])
    assert revoke.handler(revoke, settings) == 0 and keys.verify(key) is None
