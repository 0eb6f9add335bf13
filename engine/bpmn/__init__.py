"""BPMN 2.0 import and export: the executable subset, our ``jw:`` extensions, Camunda/Flowable reading.

See ``docs/bpmn-extensions.md`` for what is accepted, ignored and refused.
"""

from engine.bpmn.export import export_bpmn
from engine.bpmn.namespaces import JINGWEI as JINGWEI_NAMESPACE
from engine.bpmn.parser import MAX_NODES, DeployedModel, parse_bpmn
from engine.bpmn.xml import MAX_BYTES

__all__ = ["JINGWEI_NAMESPACE", "MAX_BYTES", "MAX_NODES", "DeployedModel", "export_bpmn", "parse_bpmn"]
