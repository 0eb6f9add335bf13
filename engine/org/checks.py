"""Checking an org document against itself and the directory, before anything is written.

Every problem is collected (not just the first) so one round of fixes is enough. References
may point to records in the file or already in the directory; cycles are looked for in the
org as it would be after the import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa

from engine.org.document import DepartmentRecord, OrgDocument, Problem, RoleRecord, UserRecord, where
from engine.org.snapshot import Snapshot, load_snapshot

_Record = DepartmentRecord | UserRecord | RoleRecord
_MISSING = "which is not in the file or the directory"
_NOBODY = "who is not in the file or the directory"


class _Checker:
    def __init__(self, snap: Snapshot, doc: OrgDocument) -> None:
        self.snap = snap
        self.doc = doc
        self.problems: list[Problem] = []
        self.user_ids = {u.id for u in doc.users} | snap.users.keys()
        self.dept_ids = {d.id for d in doc.departments} | snap.departments.keys()

    def add(self, kind: str, record: _Record, message: str) -> None:
        line = record._line
        self.problems.append(Problem(kind, f"line {line}: {message}" if line else message, line))

    def sections(self) -> list[tuple[str, str, Sequence[_Record]]]:
        return [
            ("department", "departments", self.doc.departments),
            ("user", "users", self.doc.users),
            ("role", "roles", self.doc.roles),
        ]

    def blanks(self) -> None:
        for kind, section, records in self.sections():
            for record in records:
                if not record.id:
                    place = "" if record._line else f"{where(record, section)}: "  # CSV lines come from add()
                    self.add("empty_id", record, f"{place}the {kind} has an empty id")
                elif record.name is not None and not record.name:
                    self.add("empty_name", record, f'{kind} "{record.id}" has an empty name')
        for role in self.doc.roles:
            if any(not member for member in role.members):
                self.add("empty_id", role, f'role "{role.id}" lists an empty member id')

    def duplicates(self) -> None:
        for kind, section, records in self.sections():
            seen: dict[str, list[_Record]] = {}
            for record in records:
                if record.id:
                    seen.setdefault(record.id, []).append(record)
            for record_id, same in seen.items():
                if len(same) > 1:
                    places = _join([where(r, section) for r in same])
                    times = "twice" if len(same) == 2 else f"{len(same)} times"
                    self.add("duplicate_id", same[1], f'{kind} id "{record_id}" appears {times} ({places})')

    def references(self) -> None:
        for dept in self.doc.departments:
            if dept.parent_id and dept.parent_id not in self.dept_ids:
                self.add(
                    "unknown_department",
                    dept,
                    f'department "{dept.id}" has parent "{dept.parent_id}" {_MISSING}',
                )
            if dept.head_id and dept.head_id not in self.user_ids:
                self.add("unknown_user", dept, f'department "{dept.id}" has head "{dept.head_id}" {_NOBODY}')
        for user in self.doc.users:
            if user.department_id and user.department_id not in self.dept_ids:
                message = f'user "{user.id}" is in department "{user.department_id}" {_MISSING}'
                self.add("unknown_department", user, message)
            if user.manager_id and user.manager_id not in self.user_ids:
                self.add("unknown_user", user, f'user "{user.id}" has manager "{user.manager_id}" {_NOBODY}')
        for role in self.doc.roles:
            for member in role.members:
                if member and member not in self.user_ids:
                    self.add("unknown_user", role, f'role "{role.id}" lists member "{member}" {_NOBODY}')

    def chat_ids(self) -> None:
        # wecom_userid / dingtalk_userid are unique columns: check them as they will be after the import.
        listed = {u.id for u in self.doc.users}
        for column in ("wecom_userid", "dingtalk_userid"):
            owner = {
                row[column]: uid for uid, row in self.snap.users.items() if row[column] and uid not in listed
            }
            for user in self.doc.users:
                value = getattr(user, column)
                if not value:
                    continue
                if value in owner and owner[value] != user.id:
                    self.add(
                        "duplicate_id",
                        user,
                        f'user "{user.id}" has {column} "{value}" already used by "{owner[value]}"',
                    )
                else:
                    owner[value] = user.id

    def cycles(self) -> None:
        managers = {uid: row["manager_id"] for uid, row in self.snap.users.items()}
        managers.update({u.id: u.manager_id for u in self.doc.users if u.id})
        by_user = {u.id: u for u in self.doc.users}
        for cycle in _cycles([u.id for u in self.doc.users if u.id], managers.get):
            first = next(by_user[i] for i in cycle if i in by_user)
            self.add("manager_cycle", first, f"managers form a cycle: {_arrows(cycle)}")
        parents = {did: row["parent_id"] for did, row in self.snap.departments.items()}
        parents.update({d.id: d.parent_id for d in self.doc.departments if d.id})
        by_dept = {d.id: d for d in self.doc.departments}
        for cycle in _cycles([d.id for d in self.doc.departments if d.id], parents.get):
            first_dept = next(by_dept[i] for i in cycle if i in by_dept)
            self.add("department_cycle", first_dept, f"departments form a cycle: {_arrows(cycle)}")


def _cycles(starts: Iterable[str], step: Callable[[str], str | None]) -> list[list[str]]:
    """Cycles reachable from ``starts`` in a graph where each node has at most one successor."""
    done: set[str] = set()
    found: list[list[str]] = []
    for start in starts:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done:
            if node in on_path:
                found.append(path[on_path[node] :])
                break
            on_path[node] = len(path)
            path.append(node)
            node = step(node)
        done.update(path)
    return found


def _arrows(cycle: list[str]) -> str:
    return " → ".join(f'"{i}"' for i in [*cycle, cycle[0]])


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def find_problems(snap: Snapshot, doc: OrgDocument) -> list[Problem]:
    """Every problem of ``doc`` merged into ``snap``; empty means it can be imported."""
    checker = _Checker(snap, doc)
    checker.blanks()
    checker.duplicates()
    checker.references()
    checker.chat_ids()
    checker.cycles()
    return checker.problems


def check_org(conn: sa.Connection, doc: OrgDocument) -> list[Problem]:
    """A dry run of ``import_org``: the problems it would refuse the document for."""
    return find_problems(load_snapshot(conn), doc)


__all__ = ["check_org", "find_problems"]
