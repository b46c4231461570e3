"""Users and organisations in Redis.

Keys (namespace ``ns``): ``{ns}:user:{user_id}`` (JSON), ``{ns}:org:{org_id}`` (JSON),
``{ns}:org_users:{org_id}`` (set of user ids), ``{ns}:user_email:{email}`` (user id; emails are unique).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import redis

from services.api.principals import bump_auth_epoch

ROLES = ("user", "sub-admin", "admin")
PLANS = ("none", "basic", "pro")  # "none" is no valid payment plan
MEASUREMENT_SYSTEMS = ("metric", "imperial")
GENDERS = ("male", "female", "other")


@dataclass(slots=True)
class UserRecord:
    user_id: str
    org_id: str
    role: str = "user"
    plan: str = "none"
    display_name: str = ""
    email: str | None = None
    age: int | None = None
    body_mass_kg: float | None = None
    height_m: float | None = None
    gender: str | None = None
    measurement_system: str = "metric"
    max_sessions: int | None = None  # None: the server-wide default (Settings.max_sessions_per_user)
    created_at_s: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        validate_profile(asdict(self))

    @property
    def has_plan(self) -> bool:
        return self.plan != "none"

    @property
    def is_manager(self) -> bool:
        """Admins and sub-admins see and act on every session of their organisation."""
        return self.role in ("admin", "sub-admin")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> UserRecord:
        data = json.loads(raw)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(slots=True)
class OrgRecord:
    org_id: str
    name: str = ""
    webhook_url: str | None = None
    webhook_secret: str | None = None
    created_at_s: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> OrgRecord:
        data = json.loads(raw)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def validate_profile(values: dict[str, Any]) -> None:
    """Raise ValueError naming the field, with expected vs got, for any out-of-range profile value."""
    checks: list[tuple[str, Any, bool, str]] = [
        ("role", values.get("role"), values.get("role") in ROLES, f"one of {ROLES}"),
        ("plan", values.get("plan"), values.get("plan") in PLANS, f"one of {PLANS}"),
        (
            "measurement_system",
            values.get("measurement_system"),
            values.get("measurement_system") in MEASUREMENT_SYSTEMS,
            f"one of {MEASUREMENT_SYSTEMS}",
        ),
        ("gender", values.get("gender"), values.get("gender") in (None, *GENDERS), f"one of {GENDERS}"),
        ("age", values.get("age"), _in_range(values.get("age"), 5, 120), "an integer 5..120"),
        (
            "body_mass_kg",
            values.get("body_mass_kg"),
            _in_range(values.get("body_mass_kg"), 20, 300),
            "a number 20..300",
        ),
        (
            "height_m",
            values.get("height_m"),
            _in_range(values.get("height_m"), 1.0, 2.5),
            "a number 1.0..2.5",
        ),
        (
            "max_sessions",
            values.get("max_sessions"),
            _in_range(values.get("max_sessions"), 0, 10**9),
            "a non-negative integer",
        ),
    ]
    for name, value, ok, expected in checks:
        if not ok:
            raise ValueError(f"{name}: expected {expected}, got {value!r}")
    email = values.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email or len(email) > 254):
        raise ValueError(f"email: expected an e-mail address, got {email!r}")


def _in_range(value: Any, lo: float, hi: float) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return lo <= value <= hi


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class AccountStore:
    def __init__(self, client: redis.Redis, namespace: str = "liftlab") -> None:
        self.redis = client
        self.ns = namespace
        # Called after a user changes (role, plan, profile), so cached principals are re-read at once.
        self.on_change: Callable[[], None] | None = None

    def _user_key(self, user_id: str) -> str:
        return f"{self.ns}:user:{user_id}"

    def _org_key(self, org_id: str) -> str:
        return f"{self.ns}:org:{org_id}"

    def _org_users_key(self, org_id: str) -> str:
        return f"{self.ns}:org_users:{org_id}"

    def _email_key(self, email: str) -> str:
        return f"{self.ns}:user_email:{email.lower()}"

    # --- organisations ---
    def create_org(self, name: str) -> OrgRecord:
        org = OrgRecord(org_id=new_id("org"), name=name)
        self.redis.set(self._org_key(org.org_id), org.to_json())
        return org

    def get_org(self, org_id: str) -> OrgRecord | None:
        raw = self.redis.get(self._org_key(org_id))
        return None if raw is None else OrgRecord.from_json(raw)  # type: ignore[arg-type]

    def save_org(self, org: OrgRecord) -> None:
        self.redis.set(self._org_key(org.org_id), org.to_json())

    # --- users ---
    def create_user(self, org_id: str, **profile: Any) -> UserRecord:
        """Raise ValueError for a bad profile value, an unknown org, or an e-mail already in use."""
        if self.get_org(org_id) is None:
            raise ValueError(f"org_id: no organisation {org_id!r}")
        user = UserRecord(user_id=new_id("usr"), org_id=org_id, **profile)
        if user.email is not None and not self.redis.set(self._email_key(user.email), user.user_id, nx=True):
            raise ValueError(f"email: {user.email!r} is already in use")
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._user_key(user.user_id), user.to_json())
        pipe.sadd(self._org_users_key(org_id), user.user_id)
        pipe.execute()
        return user

    def get_user(self, user_id: str) -> UserRecord | None:
        raw = self.redis.get(self._user_key(user_id))
        return None if raw is None else UserRecord.from_json(raw)  # type: ignore[arg-type]

    def update_user(self, user_id: str, **changes: Any) -> UserRecord:
        """Apply profile changes (validated); raise KeyError when the user does not exist."""
        user = self.get_user(user_id)
        if user is None:
            raise KeyError(user_id)
        protected = {"user_id", "org_id", "created_at_s"} & set(changes)
        if protected:
            raise ValueError(f"{sorted(protected)[0]}: cannot be changed")
        data = asdict(user) | changes
        updated = UserRecord(**data)
        if updated.email != user.email:
            if updated.email is not None and not self.redis.set(
                self._email_key(updated.email), user_id, nx=True
            ):
                raise ValueError(f"email: {updated.email!r} is already in use")
            if user.email is not None:
                self.redis.delete(self._email_key(user.email))
        self.redis.set(self._user_key(user_id), updated.to_json())
        bump_auth_epoch(self.redis, self.ns)
        if self.on_change is not None:
            self.on_change()
        return updated

    def list_users(self, org_id: str) -> list[UserRecord]:
        ids = sorted(
            i.decode() if isinstance(i, bytes) else str(i)
            for i in self.redis.smembers(self._org_users_key(org_id))  # type: ignore[union-attr]
        )
        users = [self.get_user(i) for i in ids]
        return [u for u in users if u is not None]
