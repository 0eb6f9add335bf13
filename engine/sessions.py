"""Server-side console sessions: a random secret in the cookie, its sha256 in the database.

A session ends after ``lifetime`` (absolute) or ``idle`` without a request, when its
account is deactivated, or at logout. Each session has its own CSRF token, which every
write must echo (a form field or the ``X-CSRF-Token`` header). A leaked database leaks
no usable session: only hashes are kept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.accounts import Account, account_from_row
from engine.clock import Clock, utcnow
from engine.store import Database
from engine.store.console_tables import console_accounts, console_sessions

# Writing last_seen_at on every request would turn each page view into a write.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # the hash, never the cookie's secret
    account: Account
    csrf_token: str
    created_at: datetime
    expires_at: datetime


_LOOKUP = (
    sa.select(console_sessions, console_accounts)
    .select_from(
        console_sessions.join(console_accounts, console_accounts.c.id == console_sessions.c.account_id)
    )
    .where(console_sessions.c.id == sa.bindparam("session_id"))
)


class Sessions:
    def __init__(
        self,
        db: Database,
        *,
        lifetime: timedelta = timedelta(hours=12),
        idle: timedelta = timedelta(hours=2),
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.lifetime = lifetime
        self.idle = idle
        self.clock = clock

    def open(
        self, account: Account, *, ip: str | None = None, user_agent: str | None = None
    ) -> tuple[str, Session]:
        """A new session for ``account``: the cookie value (shown only here) and the session."""
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + self.lifetime
        session_id = _digest(secret)
        with self.db.write() as conn:
            conn.execute(console_sessions.delete().where(console_sessions.c.expires_at < now))
            conn.execute(
                console_sessions.insert().values(
                    id=session_id,
                    account_id=account.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                    ip=(ip or "")[:64] or None,
                    user_agent=(user_agent or "")[:255] or None,
                )
            )
        return secret, Session(session_id, account, csrf, now, expires)

    def lookup(self, secret: str) -> Session | None:
        """The live session the cookie names, or ``None`` (unknown, expired, idle, account inactive)."""
        if not secret or len(secret) > 128:
            return None
        session_id = _digest(secret)
        with self.db.read() as conn:
            row = conn.execute(_LOOKUP, {"session_id": session_id}).first()
        if row is None:
            return None
        m = row._mapping
        now = self.clock()
        if m[console_sessions.c.expires_at] <= now or m[console_sessions.c.last_seen_at] + self.idle <= now:
            self.close(secret)
            return None
        account = account_from_row(
            {c.name: m[c] for c in console_accounts.c}  # both tables have "id"; take the account's
        )
        if not account.active:
            return None
        if now - m[console_sessions.c.last_seen_at] >= TOUCH_EVERY:
            with self.db.write() as conn:
                conn.execute(
                    console_sessions.update()
                    .where(console_sessions.c.id == session_id)
                    .values(last_seen_at=now)
                )
        return Session(
            session_id,
            account,
            m[console_sessions.c.csrf_token],
            m[console_sessions.c.created_at],
            m[console_sessions.c.expires_at],
        )

    def close(self, secret: str) -> None:
        with self.db.write() as conn:
            conn.execute(console_sessions.delete().where(console_sessions.c.id == _digest(secret)))

    def close_all(self, account_id: str, *, keep: str | None = None) -> int:
        """End every session of an account (password changed, deactivated), except ``keep`` (a session id)."""
        stmt = console_sessions.delete().where(console_sessions.c.account_id == account_id)
        if keep is not None:
            stmt = stmt.where(console_sessions.c.id != keep)
        with self.db.write() as conn:
            return conn.execute(stmt).rowcount or 0


__all__ = ["Session", "Sessions"]
