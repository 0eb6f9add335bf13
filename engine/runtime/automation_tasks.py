"""serviceTask (a connector call after commit) and businessRuleTask (a decision table, now).

A service task never calls out inside the command: it arms a ``connector`` job and waits; the
worker performs the HTTP call and completes the task with a follow-up command
(``engine/automation/commands.py``), mapping the response into the instance data.
"""

from __future__ import annotations

from typing import Any

from engine.connectors.spec import ConnectorCall
from engine.decisions.ref import DecisionRef
from engine.errors import InvalidInput
from engine.jobs.model import CONNECTOR
from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.state import WAITING, Token
from engine.runtime.timers import arm
from engine.timers.spec import Due


class ServiceTask:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        call = node.automation
        assert isinstance(call, ConnectorCall)
        token.status = WAITING
        payload = {"connector": call.connector, "mode": "task", "result_variable": call.result_variable}
        arm(ex, token, kind=CONNECTOR, due=Due(ex.now), node_id=node.id, payload=payload)
        ex.record("connector_called", None, node_id=node.id, details={"connector": call.connector})


class BusinessRuleTask:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        ref = node.automation
        assert isinstance(ref, DecisionRef)
        if ex.lookups is None:
            raise InvalidInput(f'businessRuleTask "{node.id}" needs the decision store')
        table = ex.lookups.decision(ref.key)
        rows = table.evaluate(ex.variables(token))
        ex.data[ref.result_variable] = map_result(rows, ref.map_result, ref.key)
        ex.record(
            "decision_evaluated",
            None,
            node_id=node.id,
            details={"decision": ref.key, "version": table.version, "matched": len(rows)},
        )
        ex.leave(token, ex.matching_flows(node, token, first_only=False))


def map_result(rows: list[dict[str, Any]], mapping: str, key: str) -> Any:
    """Camunda's mapDecisionResult: resultList, singleResult, singleEntry, collectEntries."""
    if mapping == "resultList":
        return rows
    if mapping == "collectEntries":
        return [next(iter(r.values())) if r else None for r in rows]
    if len(rows) > 1:
        raise InvalidInput(f'decision "{key}" matched {len(rows)} rules; {mapping} needs at most one')
    if mapping == "singleResult":
        return rows[0] if rows else None
    if not rows:
        return None
    return next(iter(rows[0].values())) if rows[0] else None


__all__ = ["BusinessRuleTask", "ServiceTask", "map_result"]
