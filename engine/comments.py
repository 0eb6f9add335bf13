"""Comments with @mentions, and who may talk on an instance.

A comment changes no process state: it is one ``commented`` history row (so it is part of
the hash chain) and one ``instance.commented`` outbox row naming the mentioned people,
written with the instance's ``rev`` check like every other command.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from engine.errors import InvalidInput, NotAllowed, NotFound
from engine.org import Directory
from engine.queries import is_participant
from engine.runtime.effects import Effects, HistoryEntry, OutboxEvent
from engine.store.instances import InstanceRecord, load_instance, load_task, save_instance
from engine.views import HistoryView

MAX_COMMENT = 4000
MAX_MENTIONS = 50


def check_participant(conn: sa.Connection, rec: InstanceRecord, actor: str, what: str) -> None:
    """The starter, anyone who is or was offered a task of the instance, and its CC recipients."""
    if actor == rec.starter or is_participant(conn, rec.id, actor):
        return
    if Directory(conn).user(actor) is None:
        raise NotFound(f'unknown user "{actor}"')
    raise NotAllowed(f'{actor} takes no part in instance "{rec.id}" and cannot {what} it')


def check_mentions(conn: sa.Connection, mentions: Iterable[str]) -> list[str]:
    people = sorted(set(mentions))
    if len(people) > MAX_MENTIONS:
        raise InvalidInput(f"a comment mentions at most {MAX_MENTIONS} people")
    found = Directory(conn).users(people) if people else {}
    missing = [p for p in people if p not in found]
    if missing:
        raise NotFound(f"unknown user(s) mentioned: {', '.join(missing)}", details={"unknown": missing})
    return people


def add_comment(
    conn: sa.Connection,
    instance_id: str,
    *,
    actor: str,
    text: str,
    mentions: Iterable[str],
    task_id: str | None,
    now: datetime,
    channel: str | None,
) -> HistoryView:
    """Write the comment within ``conn``'s transaction and return its history row."""
    body = text.strip()
    if not body:
        raise InvalidInput("a comment needs text")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(f"a comment has at most {MAX_COMMENT} characters, this one {len(body)}")
    rec = load_instance(conn, instance_id)
    check_participant(conn, rec, actor, "comment on")
    node_id = None
    if task_id is not None:
        task, owner = load_task(conn, task_id)
        if owner.id != rec.id:
            raise NotFound(f'task "{task_id}" does not belong to instance "{instance_id}"')
        node_id = task.node_id
    people = check_mentions(conn, mentions)
    details = {"comment": body, "mentions": people}
    effects = Effects(
        history=[HistoryEntry("commented", actor, node_id, task_id, details)],
        outbox=[
            OutboxEvent(
                "instance.commented", {"by": actor, "comment": body, "recipients": people}, task_id=task_id
            )
        ],
    )
    save_instance(conn, rec, effects, now, channel, conflict_subject=f'instance "{instance_id}"')
    return HistoryView(
        rec.history_seq, now, actor, "commented", node_id, task_id, channel, details, rec.history_hash
    )


__all__ = ["MAX_COMMENT", "add_comment", "check_mentions", "check_participant"]
