"""Reading the org over one Connection: users, departments, roles and reporting lines.

This sits on the engine's hot path (resolving "manager" when an instance starts), so a user
is read together with their department in one indexed select, and every ``Directory``
remembers what it has read. Make one per command/transaction: the memo never goes stale
within it.

The manager rule (``Directory.manager``): a user's manager is their ``manager_id`` when set;
otherwise the head of their department; when they are that head themselves (or the
department has no head) the head of the parent department, and so on up the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from engine.errors import NotFound
from engine.store.schema import departments, role_members, roles, users
from engine.store.statements import FastStatement

_CHUNK = 500  # keeps IN lists well under every database's parameter limit


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str | None = None
    mobile: str | None = None
    title: str | None = None
    department_id: str | None = None
    manager_id: str | None = None
    active: bool = True
    wecom_userid: str | None = None
    dingtalk_userid: str | None = None


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str
    parent_id: str | None = None
    head_id: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    members: tuple[str, ...] = ()  # every member, active or not, sorted


_dept = departments.alias("d")
_USERS_WITH_DEPARTMENT = sa.select(
    users,
    _dept.c.id.label("d_id"),
    _dept.c.name.label("d_name"),
    _dept.c.parent_id.label("d_parent_id"),
    _dept.c.head_id.label("d_head_id"),
).select_from(users.outerjoin(_dept, users.c.department_id == _dept.c.id))
_USER = FastStatement(_USERS_WITH_DEPARTMENT.where(users.c.id == sa.bindparam("user_id")))
_USERS_IN = _USERS_WITH_DEPARTMENT.where(users.c.id.in_(sa.bindparam("user_ids", expanding=True)))
_DEPARTMENT = sa.select(departments).where(departments.c.id == sa.bindparam("dept_id"))
# Roles left-joined to their active members: one select answers both "who" and "does the role exist".
_ROLE_MEMBERS = (
    sa.select(roles.c.id, users.c.id.label("user_id"))
    .select_from(
        roles.outerjoin(role_members, role_members.c.role_id == roles.c.id).outerjoin(
            users, sa.and_(users.c.id == role_members.c.user_id, users.c.active == sa.true())
        )
    )
    .where(roles.c.id.in_(sa.bindparam("role_ids", expanding=True)))
    .order_by(roles.c.id, users.c.id)
)
# The common case, one role, on the hot path without an expanding IN.
_ONE_ROLE_MEMBERS = FastStatement(
    sa.select(roles.c.id, users.c.id.label("user_id"))
    .select_from(
        roles.outerjoin(role_members, role_members.c.role_id == roles.c.id).outerjoin(
            users, sa.and_(users.c.id == role_members.c.user_id, users.c.active == sa.true())
        )
    )
    .where(roles.c.id == sa.bindparam("role_id"))
    .order_by(users.c.id)
)
_USER_FIELDS = tuple(User.__dataclass_fields__)


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


class Directory:
    """The org as seen from one Connection, with a small per-object memo."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self.conn = conn  # for strategies that read beyond the org (decision tables)
        self._users: dict[str, User | None] = {}
        self._departments: dict[str, Department | None] = {}
        self._roles: set[str] = set()  # role ids known to exist

    # --- users -------------------------------------------------------------

    def _remember(self, row: Any) -> User:
        user = User(**{name: row[name] for name in _USER_FIELDS})
        self._users[user.id] = user
        if row["d_id"] is not None:
            self._departments[row["d_id"]] = Department(
                row["d_id"], row["d_name"], row["d_parent_id"], row["d_head_id"]
            )
        return user

    def user(self, user_id: str) -> User | None:
        if user_id not in self._users:
            row = _USER.first(self._conn, {"user_id": user_id})
            if row is None:
                self._users[user_id] = None
            else:
                self._remember(row)
        return self._users[user_id]

    def require_user(self, user_id: str) -> User:
        user = self.user(user_id)
        if user is None:
            raise NotFound(f'unknown user "{user_id}"')
        return user

    def users(self, user_ids: Iterable[str]) -> dict[str, User]:
        """The known users among ``user_ids`` (one select per 500 not yet read)."""
        ids = list(dict.fromkeys(user_ids))
        unread = [i for i in ids if i not in self._users]
        if len(unread) == 1:  # the hot path (one manager, one approver): no expanding IN
            self.user(unread[0])
            unread = []
        for chunk in _chunks(unread):
            for row in self._conn.execute(_USERS_IN, {"user_ids": chunk}).mappings():
                self._remember(row)
            for user_id in chunk:
                self._users.setdefault(user_id, None)
        return {i: u for i in ids if (u := self._users[i]) is not None}

    def active_users(self, user_ids: Iterable[str]) -> set[str]:
        return {i for i, user in self.users(user_ids).items() if user.active}

    def list_users(self) -> list[User]:
        rows = self._conn.execute(_USERS_WITH_DEPARTMENT.order_by(users.c.id)).mappings()
        return [self._remember(row) for row in rows]

    # --- departments -------------------------------------------------------

    def department(self, dept_id: str) -> Department | None:
        if dept_id not in self._departments:
            row = self._conn.execute(_DEPARTMENT, {"dept_id": dept_id}).mappings().first()
            self._departments[dept_id] = None if row is None else Department(**row)
        return self._departments[dept_id]

    def department_head(self, dept_id: str) -> str | None:
        dept = self.department(dept_id)
        return None if dept is None else dept.head_id

    def list_departments(self) -> list[Department]:
        rows = self._conn.execute(sa.select(departments).order_by(departments.c.id)).mappings()
        found = [Department(**row) for row in rows]
        self._departments.update({d.id: d for d in found})
        return found

    # --- reporting lines ---------------------------------------------------

    def head_above(self, user_id: str, dept_id: str | None) -> str | None:
        """The nearest head of ``dept_id`` or its ancestors who is not ``user_id``."""
        seen: set[str] = set()
        while dept_id and dept_id not in seen:  # a parent cycle in the data must not hang us
            seen.add(dept_id)
            dept = self.department(dept_id)
            if dept is None:
                return None
            if dept.head_id and dept.head_id != user_id:
                return dept.head_id
            dept_id = dept.parent_id
        return None

    def manager(self, user_id: str) -> str | None:
        """The user's manager by the rule in this module's docstring; None at the top or if unknown."""
        user = self.user(user_id)
        if user is None:
            return None
        if user.manager_id and user.manager_id != user.id:
            return user.manager_id
        return self.head_above(user.id, user.department_id)

    def manager_chain(self, user_id: str, levels: int) -> list[str]:
        """Managers 1..``levels`` up (shorter when the top is reached); NotFound for unknown users.

        The chain is structural: inactive managers stay in it, callers decide what to do.
        """
        self.require_user(user_id)
        chain: list[str] = []
        current = user_id
        while len(chain) < levels:
            boss = self.manager(current)
            if boss is None or boss == user_id or boss in chain:  # stop at reporting cycles
                break
            chain.append(boss)
            current = boss
        return chain

    # --- roles ---------------------------------------------------------------

    def role_members(self, role_ids: Sequence[str]) -> list[str]:
        """Active members of the roles, role by role in the given order, by user id within a role."""
        by_role: dict[str, list[str]] = {}
        wanted = list(dict.fromkeys(role_ids))
        if len(wanted) == 1:
            rows = [
                (r["id"], r["user_id"]) for r in _ONE_ROLE_MEMBERS.all(self._conn, {"role_id": wanted[0]})
            ]
        else:
            rows = [
                tuple(r)
                for chunk in _chunks(wanted)
                for r in self._conn.execute(_ROLE_MEMBERS, {"role_ids": chunk})
            ]
        for role_id, member in rows:
            self._roles.add(role_id)
            if member is not None:
                by_role.setdefault(role_id, []).append(member)
        return list(dict.fromkeys(m for r in wanted for m in by_role.get(r, [])))

    def unknown_roles(self, role_ids: Sequence[str]) -> list[str]:
        """The ids among ``role_ids`` with no role; free after ``role_members`` of the same ids."""
        unread = [r for r in dict.fromkeys(role_ids) if r not in self._roles]
        for chunk in _chunks(unread):
            found = self._conn.execute(sa.select(roles.c.id).where(roles.c.id.in_(chunk))).scalars()
            self._roles.update(found)
        return [r for r in dict.fromkeys(role_ids) if r not in self._roles]

    def list_roles(self) -> list[Role]:
        members: dict[str, list[str]] = {}
        query = sa.select(role_members.c.role_id, role_members.c.user_id).order_by(role_members.c.user_id)
        for role_id, user_id in self._conn.execute(query):
            members.setdefault(role_id, []).append(user_id)
        rows = self._conn.execute(sa.select(roles.c.id, roles.c.name).order_by(roles.c.id))
        found = [Role(role_id, name, tuple(members.get(role_id, ()))) for role_id, name in rows]
        self._roles.update(r.id for r in found)
        return found


__all__ = ["Department", "Directory", "Role", "User"]
