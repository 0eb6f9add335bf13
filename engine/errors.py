"""One error tree for the whole product.

Every error carries a stable ``code`` (mapped once to HTTP statuses and chat replies)
and a one-line ``message`` a person can act on; ``details`` holds structured extras
such as per-element BPMN problems.
"""

from __future__ import annotations

from typing import Any


class JingweiError(Exception):
    """Base of every error the product raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(JingweiError):
    code = "not_found"


class Conflict(JingweiError):
    """Somebody else changed the same thing first (stale task, concurrent command)."""

    code = "conflict"


class RateLimited(Conflict):
    """Asked again too soon (urge); ``details`` carries ``retry_after_seconds``."""

    code = "rate_limited"


class NotAllowed(JingweiError):
    code = "not_allowed"


class InvalidInput(JingweiError):
    code = "invalid_input"


class ExpressionError(InvalidInput):
    """An expression did not parse or could not be evaluated."""

    code = "invalid_expression"


class BpmnError(InvalidInput):
    """A BPMN document was refused; ``details`` lists ``{"element_id", "element_type", "message"}``."""

    code = "invalid_bpmn"


class RuleViolation(InvalidInput):
    """A process rule blocked the command; the message is the rule's, for the requester to read."""

    code = "rule_violation"


class NoApprover(InvalidInput):
    """An assignee strategy found nobody and the node says to fail."""

    code = "no_approver"


class TooLarge(InvalidInput):
    """An upload or body is over the configured size limit."""

    code = "too_large"


__all__ = [
    "BpmnError",
    "Conflict",
    "ExpressionError",
    "InvalidInput",
    "JingweiError",
    "NoApprover",
    "NotAllowed",
    "NotFound",
    "RateLimited",
    "RuleViolation",
    "TooLarge",
]
