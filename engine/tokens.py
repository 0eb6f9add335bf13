"""API tokens: issued once in plain text, kept only as a sha256 hash, revocable.

A token reads ``jw_<id>_<secret>``: the id finds the row with one primary-key select,
the secret is compared by hash in constant time. Nothing but the hash is stored, so a
leaked database does not leak usable tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.clock import Clock, IdFactory, new_id, utcnow
from engine.errors import InvalidInput, NotFound
from engine.org import Directory
from engine.store import Database
from engine.store.schema import api_tokens, users

PREFIX = "jw"
# Writing last_used_at on every request would turn each read into a write; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


_VERIFY = (
    sa.select(api_tokens, users.c.active.label("user_active"))
    .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.user_id))
    .where(api_tokens.c.id == sa.bindparam("token_id"))
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token's metadata (never its secret)."""

    id: str
    user_id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "name": self.name,
            "created_at": _iso(self.created_at),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``token`` is shown once and cannot be recovered later."""

    token: str
    info: TokenInfo


def _split(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2] or len(parts[1]) > 32:
        return None
    return parts[1], parts[2]


def _info(row: sa.Row[tuple[object, ...]]) -> TokenInfo:
    m = row._mapping
    return TokenInfo(m["id"], m["user_id"], m["name"], m["created_at"], m["last_used_at"], m["revoked_at"])


class ApiTokens:
    """Create, verify, list and revoke API tokens in ``db``."""

    def __init__(self, db: Database, *, clock: Clock = utcnow, ids: IdFactory = new_id) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids

    def create(self, user_id: str, *, name: str = "") -> IssuedToken:
        """Issue a token for an existing, active user; the plain token is returned only here."""
        if len(name) > 255:
            raise InvalidInput("a token name has at most 255 characters")
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        token_id = self.ids()
        with self.db.write() as conn:
            user = Directory(conn).require_user(user_id)
            if not user.active:
                raise InvalidInput(f'user "{user_id}" is inactive and cannot get a token')
            conn.execute(
                api_tokens.insert(),
                {
                    "id": token_id,
                    "user_id": user_id,
                    "name": name,
                    "token_hash": _digest(secret),
                    "created_at": now,
                    "last_used_at": None,
                    "revoked_at": None,
                },
            )
        return IssuedToken(f"{PREFIX}_{token_id}_{secret}", TokenInfo(token_id, user_id, name, now))

    def verify(self, token: str) -> TokenInfo | None:
        """The token's metadata when it is genuine and not revoked, else ``None``."""
        parts = _split(token)
        if parts is None:
            return None
        token_id, secret = parts
        with self.db.read() as conn:
            row = conn.execute(_VERIFY, {"token_id": token_id}).first()
        # Hash even when the row is missing, so timing does not tell which ids exist.
        expected = row.token_hash if row is not None else "0" * 64
        if not hmac.compare_digest(_digest(secret), expected) or row is None:
            return None
        if row.revoked_at is not None or not row.user_active:  # departed users lose API access at once
            return None
        info = _info(row)
        now = self.clock()
        if info.last_used_at is None or now - info.last_used_at >= TOUCH_EVERY:
            with self.db.write() as conn:
                conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=now))
        return info

    def revoke(self, token_id: str) -> TokenInfo:
        now = self.clock()
        with self.db.write() as conn:
            row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).first()
            if row is None:
                raise NotFound(f'unknown token "{token_id}"')
            if row.revoked_at is None:
                conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(revoked_at=now))
                row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).one()
        return _info(row)

    def list(self, *, user_id: str | None = None, include_revoked: bool = True) -> list[TokenInfo]:
        stmt = sa.select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id)
        if user_id is not None:
            stmt = stmt.where(api_tokens.c.user_id == user_id)
        if not include_revoked:
            stmt = stmt.where(api_tokens.c.revoked_at.is_(None))
        with self.db.read() as conn:
            return [_info(row) for row in conn.execute(stmt)]


__all__ = ["PREFIX", "ApiTokens", "IssuedToken", "TokenInfo"]
