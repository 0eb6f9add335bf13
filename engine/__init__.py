"""The Jingwei process engine: BPMN definitions, token execution, approvals, persistence.

Other layers import only the names listed in ``__all__``.
"""

from engine.clock import new_id, utcnow
from engine.errors import (
    BpmnError,
    Conflict,
    ExpressionError,
    InvalidInput,
    JingweiError,
    NoApprover,
    NotAllowed,
    NotFound,
)
from engine.service import ACTIONS, ProcessEngine
from engine.store import DEFAULT_URL, Database, default_url
from engine.store.history import HistoryCheck
from engine.views import DefinitionView, HistoryView, InstanceView, TaskView

__all__ = [
    "ACTIONS",
    "DEFAULT_URL",
    "BpmnError",
    "Conflict",
    "Database",
    "DefinitionView",
    "ExpressionError",
    "HistoryCheck",
    "HistoryView",
    "InstanceView",
    "InvalidInput",
    "JingweiError",
    "NoApprover",
    "NotAllowed",
    "NotFound",
    "ProcessEngine",
    "TaskView",
    "default_url",
    "new_id",
    "utcnow",
]
