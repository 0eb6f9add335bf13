"""Admin moves on a running instance: terminate and jump (reassign is ``delegation.transfer``).

Each takes a mandatory reason, recorded in the history row; permission is checked by the
caller (``engine.admins``), the runtime only moves tokens.
"""

from __future__ import annotations

from engine.errors import InvalidInput
from engine.runtime.execution import TERMINATED, Execution


def terminate(ex: Execution, *, actor: str, reason: str) -> None:
    ex.record("terminated", actor, details={"reason": reason})
    ex.end(TERMINATED, reason=reason, actor=actor)


def jump(ex: Execution, *, actor: str, node_id: str, reason: str) -> None:
    """Cancel every open step and continue from ``node_id`` (a node of the top-level process)."""
    node = ex.definition.nodes.get(node_id)
    if node is None:
        known = ", ".join(n.id for n in ex.definition.nodes.values() if n.parent is None)
        raise InvalidInput(f'no node "{node_id}" in this process (nodes: {known})', details={"field": "node"})
    if node.parent is not None:
        raise InvalidInput(
            f'"{node_id}" is inside subprocess "{node.parent}"; jump to the subprocess itself',
            details={"field": "node"},
        )
    state = ex.state
    ex.cancel_scope(None, f"{actor} moved the instance to {node_id}: {reason}")
    state.tokens.clear()
    state.returns.clear()
    state.meta.clear()
    state.slots.clear()
    state.undo = None
    ex.record("jumped", actor, node_id=node_id, details={"reason": reason})
    ex.schedule(state.new_token(node_id, None))


__all__ = ["jump", "terminate"]
