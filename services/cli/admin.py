"""`liftlab admin ...`: create users (and organisations), issue and revoke API keys from the shell.

Keys are printed once; only their SHA-256 digest is stored.
"""

from __future__ import annotations

import argparse
import sys

import redis

from pipelines.settings import Settings
from services.api.accounts import GENDERS, MEASUREMENT_SYSTEMS, PLANS, ROLES, AccountStore
from services.api.apikeys import ApiKeyStore


def _stores(settings: Settings) -> tuple[redis.Redis, AccountStore, ApiKeyStore]:
    client = redis.Redis.from_url(settings.redis_url)
    ns = settings.redis_namespace
    return client, AccountStore(client, ns), ApiKeyStore(client, ns)


def create_user(args: argparse.Namespace, settings: Settings | None = None) -> int:
    client, accounts, keys = _stores(settings or Settings.from_env())
    try:
        if args.org_id:
            if accounts.get_org(args.org_id) is None:
                print(f"error: no organisation {args.org_id!r}", file=sys.stderr)
                return 2
            org_id = args.org_id
        else:
            org_id = accounts.create_org(args.org_name or args.name).org_id
        try:
            user = accounts.create_user(
                org_id,
                display_name=args.name,
                email=args.email,
                role=args.role,
                plan=args.plan,
                age=args.age,
                body_mass_kg=args.body_mass_kg,
                height_m=args.height_m,
                gender=args.gender,
                measurement_system=args.measurement_system,
            )
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        issued = keys.issue(user.user_id, "cli")
        print(f"user_id: {user.user_id}")
        print(f"org_id:  {org_id}")
        print(f"role:    {user.role}   plan: {user.plan}")
        print(f"api_key: {issued.key}")
        print("(the key is shown once; send it as `Authorization: API-KEY <key>`)")
        return 0
    finally:
        client.close()


def issue_key(args: argparse.Namespace, settings: Settings | None = None) -> int:
    client, accounts, keys = _stores(settings or Settings.from_env())
    try:
        if accounts.get_user(args.user_id) is None:
            print(f"error: no user {args.user_id!r}", file=sys.stderr)
            return 2
        print(keys.issue(args.user_id, args.label).key)
        return 0
    finally:
        client.close()


def revoke_key(args: argparse.Namespace, settings: Settings | None = None) -> int:
    client, _accounts, keys = _stores(settings or Settings.from_env())
    try:
        if not keys.revoke(args.key_id):
            print(f"error: no key {args.key_id!r}", file=sys.stderr)
            return 2
        print(f"revoked {args.key_id}")
        return 0
    finally:
        client.close()


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("admin", help="manage users and API keys (talks to LIFTLAB_REDIS_URL)")
    sub = parser.add_subparsers(dest="admin_command", required=True)

    create = sub.add_parser(
        "create-user", help="create a user (and a new organisation) and print an API key once"
    )
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--email")
    create.add_argument("--role", choices=ROLES, default="admin")
    create.add_argument("--plan", choices=PLANS, default="pro")
    create.add_argument("--org-id", help="join an existing organisation instead of creating one")
    create.add_argument("--org-name", help="name of the new organisation (default: the user's name)")
    create.add_argument("--age", type=int)
    create.add_argument("--body-mass-kg", type=float)
    create.add_argument("--height-m", type=float)
    create.add_argument("--gender", choices=GENDERS)
    create.add_argument("--measurement-system", choices=MEASUREMENT_SYSTEMS, default="metric")
    create.set_defaults(handler=create_user)

    issue = sub.add_parser("issue-key", help="issue another API key for a user (printed once)")
    issue.add_argument("user_id")
    issue.add_argument("--label", default="cli")
    issue.set_defaults(handler=issue_key)

    revoke = sub.add_parser("revoke-key", help="revoke an API key by its id (the middle part of the key)")
    revoke.add_argument("key_id")
    revoke.set_defaults(handler=revoke_key)
