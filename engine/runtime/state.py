"""The execution state of one instance: plain data saved as JSON in the instance row.

A token sits on a node. Tokens inside an embedded subprocess belong to the scope
opened by the token that entered the subprocess (``scope`` = that token's id).
Every saved state carries ``schema_version`` so later releases can migrate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

# token statuses
ACTIVE = "active"  # being moved by the current command
WAITING = "waiting"  # at a user task, or a subprocess waiting for its scope
JOINING = "joining"  # arrived at a joining gateway, waiting for its siblings


@dataclass(slots=True)
class MultiInstanceState:
    total: int
    completed: int = 0
    approved: int = 0
    rejected: int = 0
    next_index: int = 0  # sequential: the next loop counter to create
    items: list[Any] | None = None  # sequential: the collection (or approvers) still to visit
    by: list[str] = field(default_factory=list)  # who approved so far (dedupe and the return trail)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "total": self.total,
            "completed": self.completed,
            "approved": self.approved,
            "rejected": self.rejected,
            "next_index": self.next_index,
        }
        if self.items is not None:
            out["items"] = self.items
        if self.by:
            out["by"] = self.by
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> MultiInstanceState:
        return cls(
            total=raw["total"],
            completed=raw["completed"],
            approved=raw["approved"],
            rejected=raw["rejected"],
            next_index=raw["next_index"],
            items=raw.get("items"),
            by=list(raw.get("by", ())),
        )


@dataclass(slots=True)
class Token:
    id: str
    node: str
    scope: str | None = None
    status: str = ACTIVE
    via: str | None = None  # the flow it arrived by (joins count flows)
    mi: MultiInstanceState | None = None
    tasks: list[str] = field(default_factory=list)  # open task ids waiting on this token
    since: int = 0  # trail length when this token was forked or joined: its own branch starts there
    timers: list[str] = field(default_factory=list)  # pending job ids armed while it waits here

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "node": self.node, "status": self.status}
        if self.tasks:
            out["tasks"] = self.tasks
        if self.since:
            out["since"] = self.since
        if self.timers:
            out["timers"] = self.timers
        if self.scope is not None:
            out["scope"] = self.scope
        if self.via is not None:
            out["via"] = self.via
        if self.mi is not None:
            out["mi"] = self.mi.to_json()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Token:
        mi = raw.get("mi")
        return cls(
            id=raw["id"],
            node=raw["node"],
            scope=raw.get("scope"),
            status=raw["status"],
            via=raw.get("via"),
            mi=MultiInstanceState.from_json(mi) if mi is not None else None,
            tasks=list(raw.get("tasks", ())),
            since=raw.get("since", 0),
            timers=list(raw.get("timers", ())),
        )


_OPTIONAL = ("trail", "returns", "meta", "slots", "undo", "cc")


@dataclass(slots=True)
class InstanceState:
    tokens: dict[str, Token] = field(default_factory=dict)
    next_token: int = 1
    decided: int = 0  # task decisions since the last submission (withdraw is allowed only at 0)
    last_urged_at: str | None = None
    # The approval-operation bookkeeping below is optional in the saved JSON (absent when empty), so
    # version-1 states written before it existed load unchanged.
    trail: list[dict[str, Any]] = field(default_factory=list)  # user nodes passed: node, by, token, scope
    returns: dict[str, dict[str, Any]] = field(default_factory=dict)  # token id -> pending return
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)  # open task id -> delegate/signer role
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)  # "token:index" -> added signers
    undo: dict[str, Any] | None = None  # the last decision, for take-back
    cc: list[str] = field(default_factory=list)  # everyone copied so far

    def new_token(self, node: str, scope: str | None, via: str | None = None) -> Token:
        token = Token(id=str(self.next_token), node=node, scope=scope, via=via)
        self.next_token += 1
        self.tokens[token.id] = token
        return token

    def in_scope(self, scope: str | None) -> list[Token]:
        return [t for t in self.tokens.values() if t.scope == scope]

    def drop_slots(self, token_id: str) -> None:
        """Forget the added-signer bookkeeping of a token that left its node."""
        prefix = token_id + ":"
        for key in [k for k in self.slots if k.startswith(prefix)]:
            del self.slots[key]

    def replace_task(self, old: str, new: str) -> None:
        """A task handed to someone else (transfer, delegation) keeps its place in a signer slot."""
        for slot in self.slots.values():
            slot["open"] = [new if t == old else t for t in slot["open"]]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tokens": [t.to_json() for t in self.tokens.values()],
            "next_token": self.next_token,
            "decided": self.decided,
        }
        if self.last_urged_at is not None:
            out["last_urged_at"] = self.last_urged_at
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value:
                out[name] = value
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> InstanceState:
        version = raw.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"instance state schema_version {version!r} is not known to this release")
        tokens = {t["id"]: Token.from_json(t) for t in raw["tokens"]}
        return cls(
            tokens=tokens,
            next_token=raw["next_token"],
            decided=raw["decided"],
            last_urged_at=raw.get("last_urged_at"),
            trail=list(raw["trail"]) if "trail" in raw else [],
            returns=dict(raw["returns"]) if "returns" in raw else {},
            meta=dict(raw["meta"]) if "meta" in raw else {},
            slots=dict(raw["slots"]) if "slots" in raw else {},
            undo=raw.get("undo"),
            cc=list(raw["cc"]) if "cc" in raw else [],
        )


__all__ = ["ACTIVE", "JOINING", "SCHEMA_VERSION", "WAITING", "InstanceState", "MultiInstanceState", "Token"]
