"""The REST API's bodies and answers as pydantic models: validation and the OpenAPI document.

Request models forbid unknown fields (a typo is an error, not silently ignored).
Response models describe what the engine views' ``to_dict`` produce; the schemathesis
run in CI checks every answer against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[0-9A-Za-z_.:-]{1,64}$"


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ---------------------------------------------------------------------


class StartInstance(Request):
    """Start an instance of ``process_key`` (the latest version unless ``version`` is given)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"process_key": "expense", "data": {"amount": 12800, "reason": "差旅"}}]
        },
    )

    process_key: str = Field(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f]+$")
    data: dict[str, Any] = Field(default_factory=dict, description="form data, a JSON object")
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class TaskAction(Request):
    """Decide or comment on a task; ``to``, ``node``, ``position`` serve transfer, return, add-signer."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"action": "approve", "comment": "同意"}]}
    )

    action: str = Field(min_length=1, max_length=32, examples=["approve", "reject", "comment"])
    comment: str | None = Field(None, max_length=4000)
    data: dict[str, Any] | None = Field(None, description="form fields changed with the decision")
    to: list[str] | None = Field(None, max_length=50, description="users, for transfer/delegate/add-signer")
    node: str | None = Field(None, max_length=255, description="node id, for return")
    position: Literal["before", "after", "parallel"] | None = Field(None, description="for add-signer")


class Withdraw(Request):
    reason: str | None = Field(None, max_length=1000)


class NewComment(Request):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "发票已补 @zhouli", "mentions": ["zhouli"]}]}
    )

    text: str = Field(min_length=1, max_length=4000)
    mentions: list[str] = Field(default_factory=list, max_length=50, description="user ids to notify")
    task_id: str | None = Field(None, max_length=64, description="the task the comment is about")


class AttachmentForm(Request):
    """multipart/form-data: the file, and optionally the comment it belongs to."""

    file: bytes = Field(json_schema_extra={"format": "binary", "type": "string"})
    comment_seq: int | None = Field(None, ge=1, description="history seq of a comment on this instance")


# --- query strings ------------------------------------------------------------------


class Page(Request):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class InstanceQuery(Page):
    starter: str | None = Field(None, max_length=64, description='a user id, or "me"')
    status: Literal["running", "completed", "rejected", "withdrawn", "terminated"] | None = None
    process_key: str | None = Field(None, max_length=255)


class TaskQuery(Page):
    assignee: str | None = Field(None, max_length=64, description='a user id, or "me"')
    status: Literal["open", "completed", "cancelled", "all"] = "open"
    instance_id: str | None = Field(None, max_length=64)


class VersionQuery(Request):
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class UserQuery(Page):
    limit: int = Field(500, ge=1, le=5000)


# --- answers ------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable")
    message: str = Field(description="one line a person can act on")
    details: Any = Field(None, description="structured extras: per-field or per-element problems")


class Error(BaseModel):
    error: ErrorDetail


class Definition(BaseModel):
    id: str
    key: str
    version: int
    name: str
    deployed_at: datetime


class DefinitionVersions(BaseModel):
    key: str
    name: str
    latest: Definition
    versions: list[Definition]


class Task(BaseModel):
    id: str
    instance_id: str
    process_key: str | None
    node_id: str
    name: str
    assignee: str | None
    candidates: list[str]
    status: str
    outcome: str | None
    completed_by: str | None
    created_at: datetime
    completed_at: datetime | None


class HistoryEntry(BaseModel):
    seq: int
    at: datetime
    actor: str | None
    action: str
    node_id: str | None
    task_id: str | None
    channel: str | None
    details: dict[str, Any]
    hash: str


class Instance(BaseModel):
    id: str
    process_key: str
    version: int
    definition_id: str
    status: str
    starter: str
    data: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    tasks: list[Task] = Field(description="open tasks")
    history: list[HistoryEntry] = Field(description="empty in lists and command answers; see /history")


class InstancePage(BaseModel):
    items: list[Instance]
    total: int
    limit: int
    offset: int


class TaskPage(BaseModel):
    items: list[Task]
    total: int
    limit: int
    offset: int


class HistoryCheck(BaseModel):
    ok: bool
    rows: int
    message: str
    first_bad_seq: int | None


class Attachment(BaseModel):
    id: str
    instance_id: str
    comment_seq: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class User(BaseModel):
    id: str
    name: str
    email: str | None
    mobile: str | None
    title: str | None
    department_id: str | None
    manager_id: str | None
    active: bool


class Department(BaseModel):
    id: str
    name: str
    parent_id: str | None
    head_id: str | None


class Role(BaseModel):
    id: str
    name: str
    members: list[str]


class ImportResult(BaseModel):
    users_created: int
    users_updated: int
    users_unchanged: int
    departments_created: int
    departments_updated: int
    departments_unchanged: int
    roles_created: int
    roles_updated: int
    roles_unchanged: int


class TokenInfo(BaseModel):
    id: str
    user_id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class Me(BaseModel):
    user: User
    token: TokenInfo
    admin: bool = Field(description="may deploy definitions and import the org")


__all__ = [
    "ID_PATTERN",
    "Attachment",
    "AttachmentForm",
    "Definition",
    "DefinitionVersions",
    "Department",
    "Error",
    "HistoryCheck",
    "HistoryEntry",
    "ImportResult",
    "Instance",
    "InstancePage",
    "InstanceQuery",
    "Me",
    "NewComment",
    "Page",
    "Role",
    "StartInstance",
    "Task",
    "TaskAction",
    "TaskPage",
    "TaskQuery",
    "TokenInfo",
    "User",
    "UserQuery",
    "VersionQuery",
    "Withdraw",
]
