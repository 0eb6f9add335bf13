"""CC (抄送): copying people on an instance so they can read it and comment, never act.

Configured CC (``jw:cc`` on a user task) goes out when the step is approved; an approver
can also copy people by hand. Each person is copied once per instance: the list lives in the
state, so no query is needed to skip repeats, and the ``instance_cc`` rows (written by the
store with the command) answer "instances copied to me".
"""

from __future__ import annotations

from engine.errors import InvalidInput
from engine.model import Node
from engine.runtime.effects import CcEntry
from engine.runtime.execution import Execution
from engine.runtime.state import Token


def copy_to(ex: Execution, people: list[str], *, by: str | None, node_id: str | None) -> list[str]:
    """Copy ``people`` (those not copied before); returns who was newly copied."""
    new = [p for p in dict.fromkeys(people) if p not in ex.state.cc]
    if not new:
        return []
    ex.state.cc.extend(new)
    ex.effects.cc.extend(CcEntry(user_id=p, node_id=node_id, by=by) for p in new)
    ex.record("cc", by, node_id=node_id, details={"recipients": new})
    ex.emit("instance.cc", {"by": by, "node_id": node_id, "recipients": new})
    return new


def copy_configured(ex: Execution, token: Token, node: Node, *, by: str | None) -> None:
    """The step's ``jw:cc``; a CC list that names someone who left must not block the approval itself."""
    variables = ex.variables(token)
    people: list[str] = []
    for spec in node.cc:
        try:
            people.extend(ex.people(spec, variables))
        except InvalidInput as exc:
            ex.record("cc_failed", None, node_id=node.id, details={"reason": exc.message})
    copy_to(ex, people, by=None, node_id=node.id)


__all__ = ["copy_configured", "copy_to"]
