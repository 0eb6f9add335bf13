"""Decision tables (DMN-lite) for businessRuleTask and the ``decision:KEY`` approver strategy."""

from engine.decisions.dmn import parse_dmn
from engine.decisions.ref import MAP_RESULTS, DecisionRef
from engine.decisions.store import deploy_decisions, latest_table, list_decisions, read_tables
from engine.decisions.table import HIT_POLICIES, DecisionTable, table_from_json

__all__ = [
    "HIT_POLICIES",
    "MAP_RESULTS",
    "DecisionRef",
    "DecisionTable",
    "deploy_decisions",
    "latest_table",
    "list_decisions",
    "parse_dmn",
    "read_tables",
    "table_from_json",
]
