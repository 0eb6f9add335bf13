"""Start and end events."""

from __future__ import annotations

from engine.model import Node
from engine.runtime.execution import COMPLETED, Execution
from engine.runtime.state import Token


class StartEvent:
    """A none start: the token simply leaves along every outgoing flow."""

    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        ex.leave(token, ex.matching_flows(node, token, first_only=False))


class EndEvent:
    """A none end consumes the token; a terminate end ends its whole scope at once."""

    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        if not node.terminate:
            ex.finish_token(token)
            return
        scope = token.scope
        ex.record("terminated_by_end_event", None, node_id=node.id, details={"scope": scope})
        if scope is None:
            ex.cancel_scope(None, f'end event "{node.id}" terminated the instance')
            ex.end(COMPLETED)
            return
        for other in [t for t in ex.state.tokens.values() if t.scope == scope and t.id != token.id]:
            ex.cancel_token(other, f'end event "{node.id}" terminated the subprocess')
        ex.finish_token(token)


__all__ = ["EndEvent", "StartEvent"]
