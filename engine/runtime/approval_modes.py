"""How the several approvers of one user task decide (``jw:approvalMode``).

Every approver (or added signer slot) of a multi-instance node counts once. After each
answer ``verdict`` says whether the node is decided: approved, rejected, or still open.

- countersign (会签): approved when all approve; the first rejection rejects, or with
  ``countersign:wait`` everyone answers first and any rejection rejects.
- or (或签): the first answer decides.
- sequential (依次审批): one after another; the first rejection rejects.
- vote (票签): approved once ``approved / total`` reaches the percentage; rejected as soon
  as the approvals still possible can no longer reach it.
"""

from __future__ import annotations

from engine.model import ApprovalMode
from engine.runtime.state import MultiInstanceState

APPROVED = "approved"
REJECTED = "rejected"


def verdict(mode: ApprovalMode, mi: MultiInstanceState) -> str | None:
    """``approved``, ``rejected`` or None (wait for more answers)."""
    total = mi.total
    if mode.kind == "or":
        if mi.completed == 0:
            return None
        return APPROVED if mi.approved else REJECTED
    if mode.kind == "vote":
        pending = total - mi.completed
        # integer arithmetic: 60 % of 3 approvers needs 2 approvals (1.8 rounded up), never a float edge
        if mi.approved * 100 >= mode.percent * total:
            return APPROVED
        if (mi.approved + pending) * 100 < mode.percent * total:
            return REJECTED
        return None
    # countersign and sequential
    if mi.rejected and not mode.wait_all:
        return REJECTED
    if mi.completed >= total:
        return REJECTED if mi.rejected else APPROVED
    return None


def describe(mode: ApprovalMode) -> str:
    if mode.kind == "vote":
        return f"vote {mode.percent}%"
    if mode.wait_all:
        return "countersign (everyone answers)"
    return mode.kind


__all__ = ["describe", "verdict"]
