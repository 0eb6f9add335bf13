"""Display names for cards: read once, reused for a minute, renames visible after that."""

from __future__ import annotations

from support import load_example_org

from engine import Database
from engine.people import NAMES_TTL, People
from engine.store.schema import users


def test_names_are_reused_for_a_minute_then_read_again(db: Database) -> None:
    load_example_org(db)
    now = [0.0]
    people = People(db, clock=lambda: now[0])
    assert people.names(["chenjie", "nobody"]) == {"chenjie": "陈杰"}
    with db.write() as conn:
        conn.execute(users.update().where(users.c.id == "chenjie").values(name="陈杰 (财务)"))
    now[0] += NAMES_TTL / 2
    assert people.names(["chenjie"]) == {"chenjie": "陈杰"}
    now[0] += NAMES_TTL
    assert people.names(["chenjie"]) == {"chenjie": "陈杰 (财务)"}
    assert people.names([]) == {}
