"""Org files as CSV: one row per user, departments and roles derived from the columns.

Columns (header row required, any order, only ``id`` and ``name`` mandatory)::

    id,name,email,mobile,title,department_id,department_name,parent_department_id,
    manager_id,roles,is_department_head,wecom_userid,dingtalk_userid,active

* ``roles``: role ids separated by ``;`` (or ``；``); ``hr:人事专员`` also names the role.
* ``is_department_head`` / ``active``: ``1/0``, ``true/false``, ``yes/no``, ``是/否``; blank
  means no / yes.
* A row with an empty ``id`` and ``name`` declares only a department (one with no users of
  its own, e.g. a parent that holds sub-teams).
* Each department needs a ``department_name`` on at least one of its rows; rows of one
  department must agree on its name and parent, and at most one may mark its head.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import ValidationError

from engine.org.document import (
    DepartmentRecord,
    OrgDocument,
    Problem,
    RoleRecord,
    UserRecord,
    refusal,
)

USER_COLUMNS = ("id", "name", "email", "mobile", "title", "manager_id", "wecom_userid", "dingtalk_userid")
COLUMNS = (
    "id",
    "name",
    "email",
    "mobile",
    "title",
    "department_id",
    "department_name",
    "parent_department_id",
    "manager_id",
    "roles",
    "is_department_head",
    "wecom_userid",
    "dingtalk_userid",
    "active",
)
_R = TypeVar("_R", DepartmentRecord, UserRecord, RoleRecord)
_TRUE = {"1", "true", "yes", "y", "t", "是"}
_FALSE = {"0", "false", "no", "n", "f", "否"}


@dataclass
class _Stated:
    """One value of a department or role that several rows may state; first statement wins."""

    value: str | None = None
    line: int = 0


@dataclass
class _Department:
    line: int
    name: _Stated = field(default_factory=_Stated)
    parent: _Stated = field(default_factory=_Stated)
    head: _Stated = field(default_factory=_Stated)


@dataclass
class _Role:
    line: int
    name: _Stated = field(default_factory=_Stated)
    members: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.users: list[UserRecord] = []
        self.departments: dict[str, _Department] = {}
        self.roles: dict[str, _Role] = {}

    def problem(self, kind: str, line: int, message: str) -> None:
        self.problems.append(Problem(kind, f"line {line}: {message}", line))

    def flag(self, line: int, column: str, text: str) -> bool:
        value = text.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.problem("invalid_value", line, f'{column} is "{text}"; write 1 or 0 (yes/no, 是/否)')
        return False

    def state(self, stated: _Stated, value: str, line: int, what: str) -> None:
        # Blank cells say nothing; two different non-blank statements are a conflict to fix.
        if not value:
            return
        if stated.value is None:
            stated.value, stated.line = value, line
        elif stated.value != value:
            self.problem(
                "conflict", line, f'{what} is "{value}" here but "{stated.value}" on line {stated.line}'
            )

    def row(self, line: int, cells: dict[str, str]) -> None:
        user_id, dept_id = cells.get("id", ""), cells.get("department_id", "")
        if dept_id:
            dept = self.departments.setdefault(dept_id, _Department(line))
            self.state(
                dept.name, cells.get("department_name", ""), line, f'the name of department "{dept_id}"'
            )
            parent = cells.get("parent_department_id", "")
            self.state(dept.parent, parent, line, f'the parent of department "{dept_id}"')
        elif cells.get("department_name") or cells.get("parent_department_id"):
            self.problem(
                "missing_field", line, "department_name or parent_department_id given without department_id"
            )
        if not user_id and not cells.get("name"):
            if not dept_id:
                self.problem("missing_field", line, "the row has neither a user id nor a department_id")
            return
        if not user_id:
            self.problem("missing_field", line, f'user "{cells.get("name")}" has no id')
            return
        self.user(line, user_id, dept_id, cells)

    def user(self, line: int, user_id: str, dept_id: str, cells: dict[str, str]) -> None:
        values: dict[str, object] = {c: cells.get(c, "") for c in USER_COLUMNS}
        values["department_id"] = dept_id
        values["active"] = self.flag(line, "active", cells["active"]) if cells.get("active") else True
        record = self.record(UserRecord, line, f'user "{user_id}",', values)
        if record is not None:
            self.users.append(record)
        head_cell = cells.get("is_department_head", "")
        if head_cell and self.flag(line, "is_department_head", head_cell):
            self.head(line, user_id, dept_id)
        for entry in cells.get("roles", "").replace("；", ";").split(";"):
            role_id, _, name = entry.replace("：", ":").partition(":")
            role_id, name = role_id.strip(), name.strip()
            if role_id:
                role = self.roles.setdefault(role_id, _Role(line))
                self.state(role.name, name, line, f'the name of role "{role_id}"')
                if user_id not in role.members:
                    role.members.append(user_id)

    def head(self, line: int, user_id: str, dept_id: str) -> None:
        if not dept_id:
            self.problem("missing_field", line, f'user "{user_id}" is marked head but has no department_id')
            return
        head = self.departments[dept_id].head
        if head.value is None:
            head.value, head.line = user_id, line
        elif head.value != user_id:
            first = f'"{head.value}" (line {head.line})'
            self.problem("conflict", line, f'department "{dept_id}" has two heads: {first} and "{user_id}"')

    def record(self, model: type[_R], line: int, what: str, values: Mapping[str, object]) -> _R | None:
        try:
            record = model.model_validate(values)
        except ValidationError as exc:
            for item in exc.errors(include_url=False):
                column = ".".join(str(p) for p in item["loc"])
                self.problem("invalid_value", line, f"{what} column {column}: {item['msg']}")
            return None
        record._line = line
        return record

    def document(self) -> OrgDocument:
        departments = []
        for dept_id, dept in self.departments.items():
            if dept.name.value is None:
                self.problem(
                    "missing_field", dept.line, f'department "{dept_id}" has no department_name on any row'
                )
                continue
            stated = {"id": dept_id, "name": dept.name.value, "parent_id": dept.parent.value}
            stated["head_id"] = dept.head.value
            department = self.record(DepartmentRecord, dept.line, f'department "{dept_id}",', stated)
            if department is not None:
                departments.append(department)
        roles = []
        for role_id, role in self.roles.items():
            listed = {"id": role_id, "name": role.name.value, "members": role.members}
            record = self.record(RoleRecord, role.line, f'role "{role_id}",', listed)
            if record is not None:
                roles.append(record)
        return OrgDocument(departments=departments, users=self.users, roles=roles)


def _header(first: list[str], reader: _Reader) -> list[str] | None:
    names = [cell.strip().lower() for cell in first]
    if names:
        names[0] = names[0].lstrip("\ufeff")  # Excel writes a byte-order mark
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        listed = ", ".join(f'"{n}"' for n in unknown)
        reader.problem("unknown_field", 1, f"unknown column {listed}; the columns are {','.join(COLUMNS)}")
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        reader.problem("conflict", 1, f"column {', '.join(doubled)} appears more than once")
    missing = [n for n in ("id", "name") if n not in names]
    if missing:
        reader.problem("missing_field", 1, f"the header has no {' or '.join(missing)} column")
    return None if reader.problems else names


def parse_org_csv(text: str) -> OrgDocument:
    """Parse an org file in CSV (format in this module's docstring and docs/organisation.md)."""
    reader = _Reader()
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    line = 1
    try:
        for cells in rows:
            if header is None:
                header = _header(cells, reader)
                if header is None:
                    break
            elif any(cell.strip() for cell in cells):
                if len(cells) > len(header):
                    reader.problem(
                        "bad_csv", line, f"{len(cells)} cells but the header has {len(header)} columns"
                    )
                else:
                    reader.row(line, {name: cell.strip() for name, cell in zip(header, cells, strict=False)})
            line = rows.line_num + 1  # the next record starts after this one's last physical line
    except csv.Error as exc:
        reader.problem("bad_csv", line, f"not valid CSV: {exc}")
    if header is None and not reader.problems:
        reader.problem("bad_csv", 1, "the file is empty; it needs a header row such as id,name,department_id")
    if reader.problems:
        raise refusal(reader.problems)
    doc = reader.document()
    if reader.problems:
        raise refusal(reader.problems)
    return doc


__all__ = ["COLUMNS", "parse_org_csv"]
