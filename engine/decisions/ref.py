"""What a businessRuleTask asks of a decision table, and how the result lands in the data."""

from __future__ import annotations

from dataclasses import dataclass

# Camunda's mapDecisionResult values
MAP_RESULTS = ("resultList", "singleResult", "singleEntry", "collectEntries")


@dataclass(frozen=True, slots=True)
class DecisionRef:
    key: str
    result_variable: str = "decisionResult"
    map_result: str = "resultList"


__all__ = ["MAP_RESULTS", "DecisionRef"]
