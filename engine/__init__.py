"""The Jingwei process engine: BPMN definitions, token execution, approvals, persistence.

Other layers import only the names listed in ``__all__``.
"""

from engine.attachments import DEFAULT_TYPES, AttachmentStore, AttachmentView, UploadPolicy
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
    RateLimited,
    TooLarge,
)
from engine.service import ACTIONS, ProcessEngine
from engine.store import DEFAULT_URL, Database, default_url
from engine.store.history import HistoryCheck
from engine.tokens import ApiTokens, IssuedToken, TokenInfo
from engine.versions import DataVersion, diff_data
from engine.views import DefinitionView, HistoryView, InstanceView, TaskView

__all__ = [
    "ACTIONS",
    "DEFAULT_TYPES",
    "DEFAULT_URL",
    "ApiTokens",
    "AttachmentStore",
    "AttachmentView",
    "BpmnError",
    "Conflict",
    "DataVersion",
    "Database",
    "DefinitionView",
    "ExpressionError",
    "HistoryCheck",
    "HistoryView",
    "InstanceView",
    "InvalidInput",
    "IssuedToken",
    "JingweiError",
    "NoApprover",
    "NotAllowed",
    "NotFound",
    "ProcessEngine",
    "RateLimited",
    "TaskView",
    "TokenInfo",
    "TooLarge",
    "UploadPolicy",
    "default_url",
    "diff_data",
    "new_id",
    "utcnow",
]
