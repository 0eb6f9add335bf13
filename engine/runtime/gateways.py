"""Gateways: how each kind splits and how it joins.

- exclusive: the first outgoing flow whose condition holds (document order), else the
  default; joining is a pass-through.
- parallel: every outgoing flow; joins wait for one token on each incoming flow.
- inclusive: every flow whose condition holds, else the default; joins wait until no
  token that could still arrive remains upstream in the same scope.
"""

from __future__ import annotations

from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.state import JOINING, Token


class ExclusiveGateway:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        ex.leave(token, ex.matching_flows(node, token, first_only=True))


class ParallelGateway:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        if len(node.incoming) > 1:
            token.status = JOINING
            arrived = _joining(ex, token, node)
            by_flow: dict[str, Token] = {token.via or "": token}
            for waiting in arrived:
                if waiting.via is not None:
                    by_flow.setdefault(waiting.via, waiting)
            if len(by_flow) < len(node.incoming):
                return
            _merge(ex, token, list(by_flow.values()))
        ex.leave(token, [ex.definition.flows[f] for f in node.outgoing])


class InclusiveGateway:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        if len(node.incoming) > 1:
            token.status = JOINING
            return  # Execution.run retries the join once the agenda is empty
        self._split(ex, token, node)

    def retry_join(self, ex: Execution, token: Token, node: Node) -> bool:
        if token.status != JOINING or node.kind != "inclusiveGateway":
            return False
        upstream = ex.definition.reachable_from[node.id]
        for other in ex.state.tokens.values():
            if other.scope == token.scope and other.node != node.id and other.node in upstream:
                return False  # it may still arrive here
        _merge(ex, token, _joining(ex, token, node))
        self._split(ex, token, node)
        return True

    def _split(self, ex: Execution, token: Token, node: Node) -> None:
        ex.leave(token, ex.matching_flows(node, token, first_only=False))


def _joining(ex: Execution, token: Token, node: Node) -> list[Token]:
    return [
        t
        for t in ex.state.tokens.values()
        if t.node == node.id and t.scope == token.scope and t.status == JOINING
    ]


def _merge(ex: Execution, survivor: Token, arrived: list[Token]) -> None:
    """Consume the arrived tokens into the survivor."""
    for other in arrived:
        if other.id != survivor.id:
            del ex.state.tokens[other.id]
    # after a join the branches' trails are no longer "this branch" for returns
    survivor.since = len(ex.state.trail)


__all__ = ["ExclusiveGateway", "InclusiveGateway", "ParallelGateway"]
