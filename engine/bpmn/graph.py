"""The graph as read from XML, before validation turns it into a ``ProcessDefinition``."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.model import Node, SequenceFlow


@dataclass(slots=True)
class Refused:
    """A refused element kept as a vertex, so its neighbours are not reported as unreachable too."""

    kind: str
    parent: str | None
    attached_to: str | None = None  # boundaryEvent: the activity it sits on
    start_like: bool = False  # a startEvent with an event definition


@dataclass(slots=True)
class FlowEntry:
    flow: SequenceFlow
    scope: str | None  # the subProcess id the flow is declared in, None at process level
    has_condition: bool  # written in the XML, even if it did not compile


@dataclass(slots=True)
class Scope:
    """The process itself (id None in ``Graph.scopes``) or one embedded subProcess."""

    element_id: str
    element_type: str  # "process" | "subProcess"


@dataclass(slots=True)
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    refused: dict[str, Refused] = field(default_factory=dict)
    flows: dict[str, FlowEntry] = field(default_factory=dict)
    scopes: dict[str | None, Scope] = field(default_factory=dict)

    def parent_of(self, element_id: str) -> str | None:
        node = self.nodes.get(element_id)
        if node is not None:
            return node.parent
        return self.refused[element_id].parent

    def kind_of(self, element_id: str) -> str:
        node = self.nodes.get(element_id)
        return node.kind if node is not None else self.refused[element_id].kind

    def has(self, element_id: str) -> bool:
        return element_id in self.nodes or element_id in self.refused


__all__ = ["FlowEntry", "Graph", "Refused", "Scope"]
