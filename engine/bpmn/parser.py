"""``parse_bpmn``: XML in, a validated ``ProcessDefinition`` (or one ``BpmnError``) out."""

from __future__ import annotations

from dataclasses import dataclass

from engine.bpmn.approval_settings import apply_process_settings
from engine.bpmn.builder import Builder
from engine.bpmn.conditions import document_language
from engine.bpmn.elements import EXECUTABLE_NODES, REFUSED_FLOW_ELEMENTS
from engine.bpmn.extensions import PROCESS_RESERVED, jw_attributes
from engine.bpmn.namespaces import BPMN
from engine.bpmn.problems import PREFIX, Problems, one_line, quoted, refuse
from engine.bpmn.process_automation import link_boundaries, read_rules, read_schedule
from engine.bpmn.processes import check_root, process_name, select_process
from engine.bpmn.validation import check_duplicate_ids, validate
from engine.bpmn.xml import load
from engine.errors import BpmnError
from engine.model import ProcessDefinition

# ProcessDefinition.finish() indexes reachability pairwise (quadratic): 1000 nodes take ~0.3 s,
# and a 5 MiB file could otherwise hold tens of thousands. Approval processes stay far below.
MAX_NODES = 1000
_FLOW_NODE_TAGS = frozenset("{" + BPMN + "}" + name for name in EXECUTABLE_NODES | REFUSED_FLOW_ELEMENTS)


@dataclass(frozen=True, slots=True)
class DeployedModel:
    key: str  # the BPMN process id
    name: str
    definition: ProcessDefinition
    xml: str  # the normalized document: what is stored and what ``export_bpmn`` returns


def parse_bpmn(source: bytes | str) -> DeployedModel:
    """Parse and validate one BPMN 2.0 document; only ``BpmnError`` ever escapes."""
    try:
        return _parse(source)
    except BpmnError:
        raise
    except RecursionError:
        refuse("elements are nested too deeply")
    except Exception as error:  # the contract is "BpmnError or a model", whatever went wrong inside
        message = one_line(f"the file could not be read ({type(error).__name__}: {error})")
        raise BpmnError(
            PREFIX + message, details=[{"element_id": None, "element_type": "document", "message": message}]
        ) from error


def _parse(source: bytes | str) -> DeployedModel:
    document = load(source)
    root = document.root
    check_root(root)
    process = select_process(root)
    process_id = (process.get("id") or "").strip()
    if not process_id:
        refuse("the process has no id; the id is the key it is deployed under", element_type="process")

    size = sum(1 for element in process.iter() if element.tag in _FLOW_NODE_TAGS)
    if size > MAX_NODES:
        message = f"process {quoted(process_id)} has {size} flow nodes; the limit is {MAX_NODES}"
        refuse(message, element_type="process", element_id=process_id)

    problems = Problems()
    check_duplicate_ids(root, problems)
    extensions = jw_attributes(process, PROCESS_RESERVED, "process", problems)
    graph = Builder(problems, document_language(root)).build(process, process_id)
    validate(graph, problems)
    link_boundaries(graph, problems)
    schedule = read_schedule(graph, extensions, problems, process_id)
    rules = read_rules(process, graph, problems, process_id)
    apply_process_settings(graph.nodes, extensions, problems)
    problems.raise_if_any()

    start = next(n.id for n in graph.nodes.values() if n.parent is None and n.kind == "startEvent")
    name = process_name(root, process, process_id)
    definition = ProcessDefinition(
        key=process_id,
        name=name,
        nodes=graph.nodes,
        flows={flow_id: entry.flow for flow_id, entry in graph.flows.items()},
        start_node=start,
        extensions=extensions,
        rules=rules,
        schedule=schedule,
    ).finish()
    return DeployedModel(key=process_id, name=name, definition=definition, xml=document.text)


__all__ = ["MAX_NODES", "DeployedModel", "parse_bpmn"]
