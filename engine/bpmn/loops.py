"""``multiInstanceLoopCharacteristics`` on a userTask → ``MultiInstance``."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.approvers import MANY_PEOPLE
from engine.bpmn.namespaces import bpmn_children, local_name, vendor_attribute
from engine.bpmn.problems import Problems, quoted
from engine.errors import ExpressionError
from engine.expressions import compile_expression
from engine.model import ApproverSpec, CompiledExpression, MultiInstance

# "invalid": the approver was already reported; do not pile a second message on the task.
_PEOPLE_OR_REPORTED = MANY_PEOPLE | {"invalid"}


class _Reader:
    def __init__(self, task_id: str | None, problems: Problems) -> None:
        self.task_id = task_id
        self.problems = problems

    def report(self, message: str) -> None:
        self.problems.add(self.task_id, "userTask", f"userTask {quoted(self.task_id)}: {message}")

    def compile(self, label: str, source: str | None) -> CompiledExpression | None:
        if source is None or not source.strip():
            return None
        try:
            return compile_expression(source.strip())
        except ExpressionError as error:
            self.report(f'{label} "{source.strip()}" does not parse: {error.message}')
            return None


def parse_multi_instance(
    loop: Element, task_id: str | None, approver: ApproverSpec, problems: Problems
) -> MultiInstance:
    """Read one loop element; problems name the task it belongs to."""
    reader = _Reader(task_id, problems)
    texts = {local_name(child): "".join(child.itertext()) for child in bpmn_children(loop)}
    items = [child for child in bpmn_children(loop) if local_name(child) == "inputDataItem"]

    sequential = loop.get("isSequential", "false").strip().lower() == "true"
    cardinality = reader.compile("loopCardinality", texts.get("loopCardinality"))
    completion = reader.compile("completionCondition", texts.get("completionCondition"))

    # camunda:collection may be an expression or a bare variable name; both compile as expressions
    collection_source = vendor_attribute(loop, "collection")
    if collection_source is not None and collection_source[1].strip():
        collection = reader.compile(collection_source[0], collection_source[1])
        has_collection = True
    else:
        collection = reader.compile("loopDataInputRef", texts.get("loopDataInputRef"))
        has_collection = bool((texts.get("loopDataInputRef") or "").strip())

    element_variable: str | None = None
    vendor_variable = vendor_attribute(loop, "elementVariable")
    if vendor_variable is not None and vendor_variable[1].strip():
        element_variable = vendor_variable[1].strip()
    elif items and (items[0].get("name") or "").strip():
        element_variable = (items[0].get("name") or "").strip()

    has_cardinality = bool((texts.get("loopCardinality") or "").strip())
    if has_cardinality and has_collection:
        reader.report("multi-instance sets both loopCardinality and a collection; keep one")
    elif not (has_cardinality or has_collection or approver.strategy in _PEOPLE_OR_REPORTED):
        reader.report(
            "multi-instance needs loopCardinality or a collection (camunda:collection, "
            "loopDataInputRef), or an approver that names several people (user:, role:, field:, expr:)"
        )
    return MultiInstance(
        sequential=sequential,
        cardinality=cardinality,
        collection=collection,
        element_variable=element_variable,
        completion_condition=completion,
    )


__all__ = ["parse_multi_instance"]
