"""Tables of the chat layer's bookkeeping, on the product's one ``MetaData``.

- ``inbound_events``: idempotency keys of chat events; a redelivered event gets the
  recorded answer instead of running again.
- ``card_deliveries``: which card went to whom on which channel, with the platform's
  handle for updating it in place (WeCom response_code, DingTalk outTrackId).
- ``chat_messages``: the text of conversations a channel keeps itself (the sandbox chat),
  so a page reload or a restart shows the same conversation. Added in revision 0002.
"""

from __future__ import annotations

import sqlalchemy as sa

from engine.store.schema import ID, USER, WHEN, metadata

inbound_events = sa.Table(
    "inbound_events",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # processing | done
    sa.Column("answer", sa.JSON, nullable=True),
    sa.Column("received_at", WHEN, nullable=False),
)

card_deliveries = sa.Table(
    "card_deliveries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("card_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient", USER, nullable=False),  # org user id
    sa.Column("task_id", ID, nullable=True),
    sa.Column("instance_id", ID, nullable=True),
    sa.Column("handle", sa.String(255), nullable=True),  # response_code / outTrackId / sandbox message id
    sa.Column("payload", sa.JSON, nullable=True),  # the card as last sent (sandbox inbox reads it)
    sa.Column("sent_at", WHEN, nullable=False),
    sa.Column("updated_at", WHEN, nullable=False),
    sa.UniqueConstraint("card_id", "channel", "recipient"),
    sa.Index(None, "recipient", "channel"),
    sa.Index(None, "task_id"),
    sa.Index(None, "instance_id"),
)


# Each consumer of the outbox (the chat notifier, webhooks, ...) reads it through its own
# cursor; a lease makes one process at a time advance it, and a crashed holder's lease expires.
outbox_cursors = sa.Table(
    "outbox_cursors",
    metadata,
    sa.Column("consumer", sa.String(64), primary_key=True),
    sa.Column("last_id", sa.BigInteger, nullable=False),
    sa.Column("leased_by", sa.String(64), nullable=True),
    sa.Column("lease_until", WHEN, nullable=True),
)

chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("user_id", USER, nullable=False),  # whose conversation: the org user chatting with the bot
    sa.Column("sender", USER, nullable=False),  # the user, or "bot"
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", WHEN, nullable=False),
    sa.Index(None, "channel", "user_id", "id"),
)
__all__ = ["card_deliveries", "chat_messages", "inbound_events", "outbox_cursors"]
