"""``lookup`` rules: connector answers fetched *before* a start command, outside any transaction.

A start rule ``{"lookup": {"connector": "budget", "into": "budget"}}`` makes ``start`` call the
connector first and put the mapped answer in the field ``budget``; the rules inside the command
then check it (``over budget`` → ``block``). What a key needs is remembered per engine, so a
process without lookups costs no query: one read per key when it is first started (and again
after ``TTL_SECONDS``). A definition deployed elsewhere that gained a lookup meanwhile makes the
command refuse with ``Conflict`` once (the in-command guard), never run without the answer.
"""

from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING, Any

from engine import definitions as defs
from engine.connectors.calls import ConnectorError, call
from engine.connectors.http import Transport, send
from engine.connectors.store import load_connector
from engine.errors import InvalidInput
from engine.rules.model import Action

if TYPE_CHECKING:
    from engine.service import ProcessEngine

TTL_SECONDS = 300.0
_known: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, list[Action]]]] = weakref.WeakKeyDictionary()
transport: Transport = send  # replaced in tests that need a fake network


def remember(cache: Any, key: str, actions: list[Action]) -> None:
    """What the latest version of ``key`` needs, known to this engine's definition cache."""
    _known.setdefault(cache, {})[key] = (time.monotonic(), actions)


def _actions(engine: ProcessEngine, key: str, version: int | None) -> list[Action]:
    cached = _known.get(engine.cache, {}).get(key) if version is None else None
    if cached is not None and time.monotonic() - cached[0] < TTL_SECONDS:
        return cached[1]
    with engine.db.read() as conn:
        definition_id, _ = defs.resolve(conn, key, version)
        definition = engine.cache.get(conn, definition_id)
    actions = definition.rules.lookups() if definition.rules is not None else []
    if version is None:
        remember(engine.cache, key, actions)
    return actions


def prefetch(
    engine: ProcessEngine, key: str, version: int | None, starter: str, values: dict[str, Any]
) -> dict[str, Any]:
    """``values`` plus every lookup's mapped answer; the same dict when the process has none."""
    actions = _actions(engine, key, version)
    if not actions:
        return values
    out = dict(values)
    for action in actions:
        with engine.db.read() as conn:
            config = load_connector(conn, action.args["connector"])
        variables = {**out, "starter": starter, "process_key": key}
        try:
            answer, _ = call(config, variables, f"lookup-{engine.ids()}", transport)
        except ConnectorError as exc:
            raise InvalidInput(f"could not look up {action.args['into']}: {exc.message}") from exc
        out[action.args["into"]] = answer
    return out


__all__ = ["TTL_SECONDS", "prefetch", "remember"]
