"""Condition → action rules on process events (docs/automation.md, "Rules")."""

from __future__ import annotations

from engine.rules.model import ACTIONS, EVENTS, SCHEMA_VERSION, Action, Rule, RuleIndex, parse_rule_index
from engine.rules.ruleset import RuleSet


def parse_rules(text: str, nodes: set[str]) -> RuleSet:
    """Parse ``<jw:rules>`` JSON into the rule set the runtime calls; ``InvalidInput`` names the rule."""
    return RuleSet(parse_rule_index(text, nodes))


__all__ = ["ACTIONS", "EVENTS", "SCHEMA_VERSION", "Action", "Rule", "RuleIndex", "RuleSet", "parse_rules"]
