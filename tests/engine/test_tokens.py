"""API tokens: shown once, stored as a hash, verified in constant time, revocable."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from engine import ApiTokens, Database, InvalidInput, NotFound, ProcessEngine

pytestmark = pytest.mark.db


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now


def test_a_token_is_returned_once_and_only_its_hash_is_stored(engine: ProcessEngine, db: Database) -> None:
    issued = ApiTokens(db).create("zhangwei", name="laptop")
    prefix, token_id, secret = issued.token.split("_", 2)
    assert (prefix, token_id) == ("jw", issued.info.id)
    with db.read() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored


def test_verify_accepts_the_token_and_refuses_near_misses(engine: ProcessEngine, db: Database) -> None:
    tokens = ApiTokens(db)
    issued = tokens.create("zhangwei")
    info = tokens.verify(issued.token)
    assert info is not None and info.user_id == "zhangwei"
    for wrong in (
        issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"),
        "jw_x_y",
        "",
        "jw_" + "1" * 40 + "_s",
    ):
        assert tokens.verify(wrong) is None


def test_last_use_is_recorded_at_most_once_a_minute(engine: ProcessEngine, db: Database) -> None:
    clock = Clock()
    tokens = ApiTokens(db, clock=clock)
    issued = tokens.create("zhangwei")
    tokens.verify(issued.token)
    first = tokens.list()[0].last_used_at
    clock.now += timedelta(seconds=30)
    tokens.verify(issued.token)
    assert tokens.list()[0].last_used_at == first
    clock.now += timedelta(minutes=1)
    tokens.verify(issued.token)
    assert tokens.list()[0].last_used_at == clock.now


def test_revoked_tokens_and_departed_users_are_refused(engine: ProcessEngine, db: Database) -> None:
    tokens = ApiTokens(db)
    issued = tokens.create("zhangwei")
    revoked = tokens.revoke(issued.info.id)
    assert revoked.revoked_at is not None
    assert tokens.verify(issued.token) is None
    assert [t.id for t in tokens.list(include_revoked=False)] == []
    with pytest.raises(NotFound):
        tokens.revoke("nope")
    with pytest.raises(InvalidInput):
        tokens.create("xuming")  # inactive in the example company
    with pytest.raises(NotFound):
        tokens.create("nobody")
