"""Automatic approval (去重, ``jw:dedupe``): skip people whose answer is already known.

- ``starter``: the approver is the person who started the request;
- ``adjacent``: the approver approved the previous step on this path;
- ``anywhere``: the approver approved any step of the instance in this round.

Everything is read from the instance state (the return trail), never from the database,
so the check costs nothing on the hot path. A step that a return sends the flow back to
is never auto-approved: the point of the return is that somebody looks again. A return to
the starter starts a new round: approvals from before it no longer count.
"""

from __future__ import annotations

from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.returns import previous_entry
from engine.runtime.state import Token


def already_answered(ex: Execution, token: Token, node: Node, people: list[str]) -> dict[str, str]:
    """``{user: reason}`` for each of ``people`` who is approved automatically here."""
    rules = node.dedupe
    pending = ex.state.returns.get(token.id)
    if not rules or (pending is not None and pending["target"] == node.id):
        return {}
    earlier: dict[str, str] = {}
    if "anywhere" in rules:
        for entry in ex.state.trail:
            for user in entry["by"]:
                earlier.setdefault(user, entry["node"])
    elif "adjacent" in rules:
        previous = previous_entry(ex.state, token)
        if previous is not None:
            earlier = {user: previous["node"] for user in previous["by"]}
    found: dict[str, str] = {}
    for user in people:
        if "starter" in rules and user == ex.starter:
            found[user] = f"{user} started this request"
        elif user in earlier:
            label = ex.definition.nodes[earlier[user]].name or earlier[user]
            found[user] = f'{user} already approved "{label}"'
    return found


__all__ = ["already_answered"]
