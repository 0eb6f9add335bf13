"""Who is who, for the chat layer: display names and channel identities of org users."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from engine.store import Database
from engine.store.schema import users

_CHANNEL_COLUMN = {"wecom": users.c.wecom_userid, "dingtalk": users.c.dingtalk_userid}


class People:
    def __init__(self, db: Database) -> None:
        self.db = db

    def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Display names of the known users among ``user_ids``."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        with self.db.read() as conn:
            rows = conn.execute(sa.select(users.c.id, users.c.name).where(users.c.id.in_(ids)))
            return {r.id: r.name for r in rows}

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
