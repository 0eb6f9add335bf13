"""The org document: what an org file holds, as pydantic models, and how a refusal reads.

JSON and CSV files both parse into an ``OrgDocument``; ``engine.org.checks`` then
compares it with the directory before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from engine.errors import InvalidInput

# Column sizes of engine.store.schema; checked here so PostgreSQL/MariaDB never truncate or refuse.
ID_MAX = 64
NAME_MAX = 255
MOBILE_MAX = 32


class _Record(BaseModel):
    # Numbers are accepted as ids (工号 1001) and mobiles; surrounding blanks never matter.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)

    # Where the record came from, for messages: a CSV line number, else its index in the JSON list.
    _line: int | None = PrivateAttr(default=None)
    _index: int | None = PrivateAttr(default=None)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class DepartmentRecord(_Record):
    id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)
    parent_id: str | None = Field(default=None, max_length=ID_MAX)
    head_id: str | None = Field(default=None, max_length=ID_MAX)

    @field_validator("parent_id", "head_id", mode="before")
    @classmethod
    def blank_is_none(cls, value: Any) -> Any:
        return _blank_to_none(value)


class UserRecord(_Record):
    id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=NAME_MAX)
    mobile: str | None = Field(default=None, max_length=MOBILE_MAX)
    title: str | None = Field(default=None, max_length=NAME_MAX)
    department_id: str | None = Field(default=None, max_length=ID_MAX)
    manager_id: str | None = Field(default=None, max_length=ID_MAX)
    wecom_userid: str | None = Field(default=None, max_length=ID_MAX)
    dingtalk_userid: str | None = Field(default=None, max_length=ID_MAX)
    active: bool = True

    @field_validator(
        "email",
        "mobile",
        "title",
        "department_id",
        "manager_id",
        "wecom_userid",
        "dingtalk_userid",
        mode="before",
    )
    @classmethod
    def blank_is_none(cls, value: Any) -> Any:
        return _blank_to_none(value)


class RoleRecord(_Record):
    """A role and its complete member list; ``name`` None keeps the stored name (or uses the id)."""

    id: str = Field(max_length=ID_MAX)
    name: str | None = Field(default=None, max_length=NAME_MAX)
    members: list[str] = Field(default_factory=list)


class OrgDocument(BaseModel):
    """Departments, users and roles to upsert; records not listed are left as they are."""

    model_config = ConfigDict(extra="forbid")

    departments: list[DepartmentRecord] = Field(default_factory=list)
    users: list[UserRecord] = Field(default_factory=list)
    roles: list[RoleRecord] = Field(default_factory=list)

    def model_post_init(self, _context: Any) -> None:
        for records in (self.departments, self.users, self.roles):
            for index, record in enumerate(records):
                record._index = index


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an org file; ``kind`` is stable, ``message`` is for people."""

    kind: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "line": self.line}


def refusal(problems: list[Problem]) -> InvalidInput:
    """One ``InvalidInput``: the first problem in the message, all of them in ``details``."""
    first = problems[0].message
    more = len(problems) - 1
    suffix = f" ({more} more problem{'s' if more > 1 else ''} in details)" if more else ""
    return InvalidInput(f"org file refused: {first}{suffix}", details=[p.to_dict() for p in problems])


def where(record: _Record, section: str) -> str:
    """``line 7`` for CSV rows, ``users[3]`` for JSON entries."""
    if record._line is not None:
        return f"line {record._line}"
    return f"{section}[{record._index if record._index is not None else '?'}]"


def _describe_location(raw: Any, loc: tuple[int | str, ...]) -> str:
    # ("users", 3, "email") -> 'users[3] ("u17").email' so the person can find the entry.
    text = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str | int):
                text += f' ("{node["id"]}")'
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "document"


def validation_problems(raw: Any, error: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into problems naming the entry and field."""
    problems = []
    for item in error.errors(include_url=False):
        location = _describe_location(raw, tuple(item["loc"]))
        if item["type"] == "extra_forbidden":
            problems.append(Problem("unknown_field", f"{location} is not a known field"))
        elif item["type"] == "missing":
            problems.append(Problem("missing_field", f"{location} is required"))
        else:
            problems.append(Problem("invalid_value", f"{location}: {item['msg']}"))
    return problems


def parse_org_json(text: str) -> OrgDocument:
    """Parse an org file in JSON; every structural problem is reported at once."""
    try:
        raw = json.loads(text.lstrip("\ufeff"))  # editors on Windows like to add a BOM
    except json.JSONDecodeError as exc:
        message = f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise refusal([Problem("bad_json", message, exc.lineno)]) from exc
    if not isinstance(raw, dict):
        raise refusal(
            [Problem("bad_json", 'the file must be a JSON object with "departments", "users", "roles"')]
        )
    try:
        return OrgDocument.model_validate(raw)
    except ValidationError as exc:
        raise refusal(validation_problems(raw, exc)) from exc


__all__ = [
    "DepartmentRecord",
    "OrgDocument",
    "Problem",
    "RoleRecord",
    "UserRecord",
    "parse_org_json",
    "refusal",
    "validation_problems",
    "where",
]
