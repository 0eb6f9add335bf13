"""The audit trail: append-only rows, each carrying the hash of the one before.

``row_hash`` covers every column a reader relies on, so editing, deleting or
reordering a row breaks the chain; the instance row keeps the last hash and the
sequence number, so cutting rows off the end shows too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from engine.errors import NotFound
from engine.runtime.effects import HistoryEntry
from engine.store.schema import history, instances

GENESIS = "0" * 64


def row_hash(
    prev_hash: str, instance_id: str, seq: int, at: datetime, entry: HistoryEntry, channel: str | None
) -> str:
    body = orjson.dumps(
        [
            instance_id,
            seq,
            at.isoformat(timespec="microseconds"),
            entry.actor,
            entry.action,
            entry.node_id,
            entry.task_id,
            channel,
            entry.details,
        ],
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


def chain_rows(
    instance_id: str,
    seq: int,
    prev_hash: str,
    entries: Sequence[HistoryEntry],
    at: datetime,
    channel: str | None,
) -> tuple[list[dict[str, Any]], int, str]:
    """Rows for ``entries`` continuing the chain after ``seq``/``prev_hash``."""
    rows = []
    for entry in entries:
        seq += 1
        digest = row_hash(prev_hash, instance_id, seq, at, entry, channel)
        rows.append(
            {
                "instance_id": instance_id,
                "seq": seq,
                "at": at,
                "actor": entry.actor,
                "action": entry.action,
                "node_id": entry.node_id,
                "task_id": entry.task_id,
                "channel": channel,
                "details": entry.details,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    return rows, seq, prev_hash


@dataclass(frozen=True, slots=True)
class HistoryCheck:
    ok: bool
    rows: int
    message: str
    first_bad_seq: int | None = None


def verify_history(conn: sa.Connection, instance_id: str) -> HistoryCheck:
    head = conn.execute(
        sa.select(instances.c.history_seq, instances.c.history_hash).where(instances.c.id == instance_id)
    ).first()
    if head is None:
        raise NotFound(f'unknown instance "{instance_id}"')
    rows = conn.execute(
        sa.select(history).where(history.c.instance_id == instance_id).order_by(history.c.seq)
    ).all()
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        entry = HistoryEntry(row.action, row.actor, row.node_id, row.task_id, row.details)
        digest = row_hash(prev, instance_id, row.seq, row.at, entry, row.channel)
        if row.seq != expected_seq or row.prev_hash != prev or row.hash != digest:
            return HistoryCheck(False, len(rows), f"history row {row.seq} does not match its hash", row.seq)
        prev = digest
    if len(rows) != head.history_seq or prev != head.history_hash:
        return HistoryCheck(
            False, len(rows), f"history ends at row {len(rows)} but the instance expects {head.history_seq}"
        )
    return HistoryCheck(True, len(rows), f"history intact: {len(rows)} rows")


__all__ = ["GENESIS", "HistoryCheck", "chain_rows", "row_hash", "verify_history"]
