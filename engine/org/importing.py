"""Importing an org file: check everything, then upsert in the caller's transaction.

Each department, user and role in the file is written as the file says (a role's member
list is replaced); records the file does not mention are left alone, nothing is deleted.
The upsert is portable: existing ids are read first, then plain INSERTs and UPDATEs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from engine.org.checks import find_problems
from engine.org.csv_format import parse_org_csv
from engine.org.document import OrgDocument, parse_org_json, refusal
from engine.org.snapshot import Snapshot, load_snapshot
from engine.store.schema import departments, role_members, roles, users

_USER_COLUMNS = (
    "name",
    "email",
    "mobile",
    "title",
    "department_id",
    "manager_id",
    "active",
    "wecom_userid",
    "dingtalk_userid",
)
_DEPARTMENT_COLUMNS = ("name", "parent_id", "head_id")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed; ``unchanged`` records were in the file but already up to date."""

    users_created: int = 0
    users_updated: int = 0
    users_unchanged: int = 0
    departments_created: int = 0
    departments_updated: int = 0
    departments_unchanged: int = 0
    roles_created: int = 0
    roles_updated: int = 0
    roles_unchanged: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        parts = []
        for kind in ("users", "departments", "roles"):
            created, updated, same = (
                getattr(self, f"{kind}_{n}") for n in ("created", "updated", "unchanged")
            )
            parts.append(f"{kind} {created} created, {updated} updated, {same} unchanged")
        return "; ".join(parts)


def _split(
    rows: list[dict[str, Any]], existing: dict[str, dict[str, Any]], columns: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(new rows, changed rows, unchanged count)."""
    new, changed, same = [], [], 0
    for row in rows:
        old = existing.get(row["id"])
        if old is None:
            new.append(row)
        elif any(old[c] != row[c] for c in columns):
            changed.append(row)
        else:
            same += 1
    return new, changed, same


def _update(
    conn: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    # Bind names must differ from column names in an executemany UPDATE.
    stmt = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({c: sa.bindparam(f"b_{c}") for c in columns})
    )
    conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def _write_departments(conn: sa.Connection, snap: Snapshot, doc: OrgDocument) -> tuple[int, int, int]:
    rows = [
        {"id": d.id, "name": d.name, "parent_id": d.parent_id, "head_id": d.head_id} for d in doc.departments
    ]
    new, changed, same = _split(rows, snap.departments, _DEPARTMENT_COLUMNS)
    if new:
        conn.execute(sa.insert(departments), new)
    _update(conn, departments, _DEPARTMENT_COLUMNS, changed)
    return len(new), len(changed), same


def _write_users(conn: sa.Connection, snap: Snapshot, doc: OrgDocument) -> tuple[int, int, int]:
    rows = [u.model_dump(include={"id", *_USER_COLUMNS}) for u in doc.users]
    new, changed, same = _split(rows, snap.users, _USER_COLUMNS)
    # Chat ids are unique: clear the ones that move first, so two users can swap them.
    moving = [
        row
        for row in changed
        if any(snap.users[row["id"]][c] not in (None, row[c]) for c in ("wecom_userid", "dingtalk_userid"))
    ]
    if moving:
        stmt = (
            sa.update(users)
            .where(users.c.id == sa.bindparam("b_id"))
            .values(wecom_userid=None, dingtalk_userid=None)
        )
        conn.execute(stmt, [{"b_id": row["id"]} for row in moving])
    _update(conn, users, _USER_COLUMNS, changed)
    if new:
        conn.execute(sa.insert(users), new)
    return len(new), len(changed), same


def _write_roles(conn: sa.Connection, snap: Snapshot, doc: OrgDocument) -> tuple[int, int, int]:
    created = updated = same = 0
    fresh: list[dict[str, Any]] = []
    renamed: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    for role in doc.roles:
        old_name = snap.roles.get(role.id)
        name = role.name or old_name or role.id  # no name in the file keeps the stored one
        wanted = list(dict.fromkeys(role.members))
        before = snap.members.get(role.id, set())
        added += [{"role_id": role.id, "user_id": u} for u in wanted if u not in before]
        removed += [{"b_role": role.id, "b_user": u} for u in sorted(before - set(wanted))]
        if old_name is None:
            fresh.append({"id": role.id, "name": name})
            created += 1
        elif old_name != name or set(wanted) != before:
            if old_name != name:
                renamed.append({"b_id": role.id, "b_name": name})
            updated += 1
        else:
            same += 1
    if fresh:
        conn.execute(sa.insert(roles), fresh)
    if renamed:
        conn.execute(
            sa.update(roles).where(roles.c.id == sa.bindparam("b_id")).values(name=sa.bindparam("b_name")),
            renamed,
        )
    if removed:
        stmt = sa.delete(role_members).where(
            role_members.c.role_id == sa.bindparam("b_role"), role_members.c.user_id == sa.bindparam("b_user")
        )
        conn.execute(stmt, removed)
    if added:
        conn.execute(sa.insert(role_members), added)
    return created, updated, same


def import_org(conn: sa.Connection, doc: OrgDocument) -> ImportResult:
    """Upsert ``doc`` within ``conn``'s transaction; raises one ``InvalidInput`` listing every problem.

    Nothing is written unless the whole document is valid.
    """
    snap = load_snapshot(conn)
    problems = find_problems(snap, doc)
    if problems:
        raise refusal(problems)
    d = _write_departments(conn, snap, doc)
    u = _write_users(conn, snap, doc)
    r = _write_roles(conn, snap, doc)
    return ImportResult(*u, *d, *r)


__all__ = ["ImportResult", "OrgDocument", "import_org", "parse_org_csv", "parse_org_json"]
