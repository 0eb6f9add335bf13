"""Who is who, for the chat layer: display names and channel identities of org users."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from engine.store import Database
from engine.store.schema import users

_CHANNEL_COLUMN = {"wecom": users.c.wecom_userid, "dingtalk": users.c.dingtalk_userid}


NAMES_TTL = 60.0  # seconds a display name is reused: a renamed person shows up on cards within a minute


class People:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.clock = clock
        # Every card names its people; names change rarely, so each is read at most once a minute.
        self._names: dict[str, tuple[str, float]] = {}

    def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Display names of the known users among ``user_ids``."""
        now = self.clock()
        found: dict[str, str] = {}
        missing: list[str] = []
        for uid in sorted(set(user_ids)):
            cached = self._names.get(uid)
            if cached is not None and now - cached[1] < NAMES_TTL:
                found[uid] = cached[0]
            else:
                missing.append(uid)
        if missing:
            with self.db.read() as conn:
                rows = conn.execute(sa.select(users.c.id, users.c.name).where(users.c.id.in_(missing)))
                for r in rows:
                    found[r.id] = r.name
                    self._names[r.id] = (r.name, now)
        return found

    def org_user(self, channel: str, channel_user: str) -> str | None:
        """The org user behind a channel's user id (the sandbox uses org ids directly)."""
        column = _CHANNEL_COLUMN.get(channel)
        with self.db.read() as conn:
            if column is None:
                found = conn.execute(
                    sa.select(users.c.id).where(users.c.id == channel_user, users.c.active)
                ).scalar()
            else:
                found = conn.execute(
                    sa.select(users.c.id).where(
                        sa.or_(column == channel_user, users.c.id == channel_user), users.c.active
                    )
                ).scalar()
        return found

    def channel_user(self, channel: str, user_id: str) -> str | None:
        """The channel's id for an org user; falls back to the org id when no mapping is set."""
        column = _CHANNEL_COLUMN.get(channel)
        if column is None:
            return user_id
        with self.db.read() as conn:
            row = conn.execute(sa.select(column).where(users.c.id == user_id)).first()
        if row is None:
            return None
        return row[0] or user_id

    def search(self, text: str, limit: int = 5) -> list[tuple[str, str]]:
        """(id, name) of users whose id or name contains ``text`` (for @name in chat)."""
        pattern = f"%{text}%"
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(users.c.id, users.c.name)
                .where(sa.or_(users.c.id.like(pattern), users.c.name.like(pattern)), users.c.active)
                .order_by(users.c.id)
                .limit(limit)
            )
            return [(r.id, r.name) for r in rows]

    def all(self) -> list[tuple[str, str]]:
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(users.c.id, users.c.name).where(users.c.active).order_by(users.c.id)
            )
            return [(r.id, r.name) for r in rows]


__all__ = ["People"]
