"""Embedded subprocess: the entering token waits while a child scope runs.

The child scope is named by the waiting token's id; when its last token ends,
``Execution.finish_token`` moves the waiting token on.
"""

from __future__ import annotations

from engine.errors import InvalidInput
from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.state import WAITING, Token


class SubProcess:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        if node.start_node is None:  # the parser guarantees one; keep the runtime honest anyway
            raise InvalidInput(f'subProcess "{node.id}" has no start event')
        token.status = WAITING
        ex.record("subprocess_entered", None, node_id=node.id)
        ex.schedule(ex.state.new_token(node.start_node, token.id))


__all__ = ["SubProcess"]
