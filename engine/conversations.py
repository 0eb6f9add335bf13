"""The text of conversations a channel keeps itself (the sandbox chat): one row per message.

WeCom and DingTalk keep their own chat history; the sandbox has nowhere else to keep it, so
a reload, a restart or another replica would otherwise show an empty conversation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.store import Database
from engine.store.chat_tables import chat_messages

KEPT = 200  # messages shown per conversation, the newest


class Conversations:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, channel: str, user_id: str, sender: str, text: str, at: datetime) -> dict[str, Any]:
        """Keep one message of ``user_id``'s conversation; returns it as the page shows it."""
        with self.db.write(durable=False) as conn:  # a chat line, not a decision: no flush wait
            conn.execute(
                chat_messages.insert(),
                {"channel": channel, "user_id": user_id, "sender": sender, "text": text, "at": at},
            )
        return _message(sender, text, at)

    def recent(self, channel: str, user_id: str, limit: int = KEPT) -> list[dict[str, Any]]:
        """The newest ``limit`` messages of the conversation, oldest first."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(chat_messages.c.sender, chat_messages.c.text, chat_messages.c.at)
                .where(chat_messages.c.channel == channel, chat_messages.c.user_id == user_id)
                .order_by(chat_messages.c.id.desc())
                .limit(limit)
            ).all()
        return [_message(r.sender, r.text, r.at) for r in reversed(rows)]


def _message(sender: str, text: str, at: datetime) -> dict[str, Any]:
    return {"from": sender, "text": text, "at": at.isoformat(timespec="seconds") + "Z"}


__all__ = ["KEPT", "Conversations"]
