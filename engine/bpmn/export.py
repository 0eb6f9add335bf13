"""``export_bpmn``: the stored document, as bpmn-js and other modelers open it."""

from __future__ import annotations

from engine.bpmn.xml import normalize


def export_bpmn(xml: str) -> str:
    """The XML to hand back for a deployed definition (``DeployedModel.xml``).

    The stored text is already the original document (ids, names, namespaces, bpmndi and
    comments as written) behind one UTF-8 declaration; normalizing again is a no-op for it and
    makes text stored by older versions come out the same way.
    """
    return normalize(xml)


__all__ = ["export_bpmn"]
