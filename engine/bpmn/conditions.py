"""``conditionExpression`` on a sequenceFlow → compiled expression."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.namespaces import bpmn_children, local_name
from engine.bpmn.problems import Problems, quoted
from engine.errors import ExpressionError
from engine.expressions import compile_expression
from engine.model import CompiledExpression

# Languages our expression grammar reads: JUEL-style ${...} is what Camunda/Flowable write.
ACCEPTED_LANGUAGES = frozenset({"juel"})
# BPMN's nominal default; modelers write it as boilerplate on <definitions>, so it says nothing there.
XPATH = "http://www.w3.org/1999/XPath"


def document_language(definitions: Element) -> str | None:
    """The ``expressionLanguage`` that applies to conditions without their own ``language``."""
    return (definitions.get("expressionLanguage") or "").strip() or None


def parse_condition(
    flow: Element, default_language: str | None, problems: Problems
) -> tuple[CompiledExpression | None, bool]:
    """``(compiled, written)``: ``written`` is False when there is no condition (empty text included).

    A written condition that could not be compiled gives ``(None, True)`` and a problem.
    """
    condition = next((c for c in bpmn_children(flow) if local_name(c) == "conditionExpression"), None)
    if condition is None:
        return None, False
    text = "".join(condition.itertext()).strip()
    if not text:
        return None, False
    flow_id = flow.get("id")
    own = (condition.get("language") or "").strip()
    language = own or default_language
    # XPath on <definitions> is boilerplate; only an XPath condition that fails to compile shows it
    boilerplate = not own and language == XPATH
    if language and not boilerplate and language.lower() not in ACCEPTED_LANGUAGES:
        problems.add(
            flow_id,
            "sequenceFlow",
            f'sequenceFlow {quoted(flow_id)}: condition language "{language}" is not supported yet '
            "(write ${...} expressions)",
        )
        return None, True
    try:
        return compile_expression(text), True
    except ExpressionError as error:
        hint = " (the file declares XPath conditions, which are not supported yet)" if boilerplate else ""
        problems.add(
            flow_id,
            "sequenceFlow",
            f'sequenceFlow {quoted(flow_id)} has condition "{text}" that does not parse{hint}: '
            + error.message,
        )
        return None, True


__all__ = ["ACCEPTED_LANGUAGES", "XPATH", "document_language", "parse_condition"]
