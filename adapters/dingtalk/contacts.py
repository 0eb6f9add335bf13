"""Contacts sync (D3): DingTalk's departments and users become the org (``engine.org.import_org``).

Read from the legacy contacts API: the department tree from the root (``listsub``,
``department/get`` for its managers), each department's members (``user/listid``), and
each person's details (``user/get``: ``manager_userid``, ``leader_in_dept``, …).

Matching onto an org that already exists (imported from a file, or synced before):
a person is the org user whose ``dingtalk_userid`` is theirs, else whose id is their
userId, else with the same mobile, else the same e-mail; otherwise a new user whose
id is their userId. A department keeps an earlier sync's ``dingtalk-<dept_id>`` id,
else takes over the one existing department with the same name under the same parent,
else gets ``dingtalk-<dept_id>``. Department heads are the department's managers (or
whoever ``leader_in_dept`` names); managers are ``manager_userid``. People who had a
DingTalk id and are no longer in DingTalk are deactivated, never deleted; roles and
WeCom ids are left as they are.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from adapters.dingtalk.openapi import DingTalkError, OpenApi
from engine import Database
from engine.org import (
    Department,
    DepartmentRecord,
    Directory,
    ImportResult,
    OrgDocument,
    User,
    UserRecord,
    import_org,
)

log = logging.getLogger("jingwei.dingtalk.contacts")

ROOT_DEPARTMENT = 1
DEPARTMENT_GET = "/topapi/v2/department/get"
DEPARTMENT_CHILDREN = "/topapi/v2/department/listsub"
MEMBER_IDS = "/topapi/user/listid"
USER_GET = "/topapi/v2/user/get"
USER_GONE = "60121"
DEPARTMENT_PREFIX = "dingtalk-"
CONCURRENCY = 4  # internal apps get about 20 calls a second per API


@dataclass(frozen=True, slots=True)
class DtDepartment:
    dept_id: int
    name: str
    parent_id: int | None
    managers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DtUser:
    userid: str
    name: str
    mobile: str | None = None
    email: str | None = None
    title: str | None = None
    dept_ids: tuple[int, ...] = ()
    manager: str | None = None
    leads: tuple[int, ...] = ()  # departments this person is a leader of


@dataclass(slots=True)
class Contacts:
    departments: dict[int, DtDepartment] = field(default_factory=dict)  # parents before children
    users: dict[str, DtUser] = field(default_factory=dict)


@dataclass(slots=True)
class SyncReport:
    departments: int = 0
    users: int = 0
    matched: dict[str, int] = field(default_factory=dict)  # how people were recognised
    created: int = 0
    deactivated: int = 0
    result: ImportResult | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "departments": self.departments,
            "users": self.users,
            "matched": dict(self.matched),
            "created": self.created,
            "deactivated": self.deactivated,
            "import": self.result.to_dict() if self.result else None,
        }

    def __str__(self) -> str:
        how = ", ".join(f"{n} by {k}" for k, n in sorted(self.matched.items())) or "none"
        text = (
            f"DingTalk: {self.departments} departments, {self.users} people "
            f"(recognised: {how}; new: {self.created}; deactivated: {self.deactivated})"
        )
        return f"{text}\n{self.result}" if self.result else text


# --- reading DingTalk ------------------------------------------------------------------------------


async def fetch_contacts(
    api: OpenApi, *, root: int = ROOT_DEPARTMENT, concurrency: int = CONCURRENCY
) -> Contacts:
    gate = asyncio.Semaphore(concurrency)

    async def call(path: str, body: dict[str, Any]) -> Any:
        async with gate:
            return await api.topapi(path, body)

    contacts = Contacts()
    top = await call(DEPARTMENT_GET, {"dept_id": root, "language": "zh_CN"})
    contacts.departments[root] = DtDepartment(
        root, str(top["name"]), None, _ids(top.get("dept_manager_userid_list"))
    )
    frontier = [root]
    while frontier:
        levels = await asyncio.gather(
            *(call(DEPARTMENT_CHILDREN, {"dept_id": d, "language": "zh_CN"}) for d in frontier)
        )
        found: list[int] = []
        for parent, children in zip(frontier, levels, strict=True):
            for child in children or []:
                dept_id = int(child["dept_id"])
                if dept_id not in contacts.departments:
                    contacts.departments[dept_id] = DtDepartment(dept_id, str(child["name"]), parent)
                    found.append(dept_id)
        frontier = found
    others = [d for d in contacts.departments if d != root]
    details = await asyncio.gather(
        *(call(DEPARTMENT_GET, {"dept_id": d, "language": "zh_CN"}) for d in others)
    )
    for dept_id, detail in zip(others, details, strict=True):
        dept = contacts.departments[dept_id]
        contacts.departments[dept_id] = DtDepartment(
            dept_id, dept.name, dept.parent_id, _ids(detail.get("dept_manager_userid_list"))
        )
    member_lists = await asyncio.gather(*(call(MEMBER_IDS, {"dept_id": d}) for d in contacts.departments))
    userids = list(
        dict.fromkeys(uid for members in member_lists for uid in _ids((members or {}).get("userid_list")))
    )

    async def person(userid: str) -> DtUser | None:
        try:
            raw = await call(USER_GET, {"userid": userid, "language": "zh_CN"})
        except DingTalkError as exc:
            if exc.code == USER_GONE:  # left between listing and reading
                return None
            raise
        return DtUser(
            userid=str(raw["userid"]),
            name=str(raw.get("name") or raw["userid"]),
            mobile=_blank(raw.get("mobile")),
            email=_blank(raw.get("email")) or _blank(raw.get("org_email")),
            title=_blank(raw.get("title")),
            dept_ids=tuple(int(d) for d in raw.get("dept_id_list") or ()),
            manager=_blank(raw.get("manager_userid")),
            leads=tuple(int(x["dept_id"]) for x in raw.get("leader_in_dept") or () if x.get("leader")),
        )

    for found_user in await asyncio.gather(*(person(uid) for uid in userids)):
        if found_user is not None:
            contacts.users[found_user.userid] = found_user
    return contacts


def _ids(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(str(v) for v in values or () if v)


def _blank(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


# --- mapping onto the org --------------------------------------------------------------------------


def _mobile(value: str | None) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits[-11:] if len(digits) >= 11 else digits


def _unique(users: Iterable[User], key: Callable[[User], str]) -> dict[str, User]:
    seen: dict[str, User | None] = {}
    for user in users:
        value = key(user)
        if value:
            seen[value] = None if value in seen else user  # ambiguous values never match
    return {k: v for k, v in seen.items() if v is not None}


def _departments(contacts: Contacts, existing: list[Department]) -> dict[int, str]:
    ids = {d.id for d in existing}
    claimed: set[str] = set()
    mapping: dict[int, str] = {}
    for dept in contacts.departments.values():
        preferred = f"{DEPARTMENT_PREFIX}{dept.dept_id}"
        chosen = preferred
        if preferred not in ids:
            parent = mapping.get(dept.parent_id) if dept.parent_id is not None else None
            same = [
                d.id
                for d in existing
                if d.name == dept.name
                and d.parent_id == parent
                and d.id not in claimed
                and not d.id.startswith(DEPARTMENT_PREFIX)
            ]
            chosen = same[0] if len(same) == 1 else preferred
        claimed.add(chosen)
        mapping[dept.dept_id] = chosen
    return mapping


def _people(
    contacts: Contacts, existing: list[User], report: SyncReport
) -> dict[str, tuple[str, User | None]]:
    """DingTalk userid -> (org id, the existing user it was recognised as)."""
    by_dingtalk = {u.dingtalk_userid: u for u in existing if u.dingtalk_userid}
    by_id = {u.id: u for u in existing}
    by_mobile = _unique(existing, lambda u: _mobile(u.mobile))
    by_email = _unique(existing, lambda u: (u.email or "").lower())
    claimed: set[str] = set()
    out: dict[str, tuple[str, User | None]] = {}
    for person in contacts.users.values():
        candidates = (
            ("dingtalk_userid", by_dingtalk.get(person.userid)),
            ("id", by_id.get(person.userid)),
            ("mobile", by_mobile.get(_mobile(person.mobile)) if person.mobile else None),
            ("email", by_email.get(person.email.lower()) if person.email else None),
        )
        for how, user in candidates:
            if user is None or user.id in claimed:
                continue
            if user.dingtalk_userid and user.dingtalk_userid != person.userid:
                continue  # already someone else's DingTalk identity
            claimed.add(user.id)
            out[person.userid] = (user.id, user)
            report.matched[how] = report.matched.get(how, 0) + 1
            break
        else:
            new_id = person.userid if person.userid not in by_id else f"dingtalk-{person.userid}"[:64]
            claimed.add(new_id)
            out[person.userid] = (new_id, None)
            report.created += 1
    return out


def org_document(
    contacts: Contacts, users: list[User], departments: list[Department]
) -> tuple[OrgDocument, SyncReport]:
    """The org document for ``contacts`` merged onto the current org (``users``, ``departments``)."""
    report = SyncReport(departments=len(contacts.departments), users=len(contacts.users))
    dept_ids = _departments(contacts, departments)
    people = _people(contacts, users, report)
    by_dingtalk = {u.dingtalk_userid: u.id for u in users if u.dingtalk_userid and u.active}

    def org_user(userid: str | None) -> str | None:
        if not userid:
            return None
        return people[userid][0] if userid in people else by_dingtalk.get(userid)

    leaders: dict[int, str] = {}
    for person in contacts.users.values():
        for dept_id in person.leads:
            leaders.setdefault(dept_id, person.userid)
    dept_records = []
    for dept in contacts.departments.values():
        heads = [h for h in (org_user(m) for m in dept.managers) if h]
        head = heads[0] if heads else org_user(leaders.get(dept.dept_id))
        parent = dept_ids.get(dept.parent_id) if dept.parent_id is not None else None
        dept_records.append(
            DepartmentRecord(id=dept_ids[dept.dept_id], name=dept.name, parent_id=parent, head_id=head)
        )
    user_records = []
    for person in contacts.users.values():
        org_id, known = people[person.userid]
        home = next((dept_ids[d] for d in person.dept_ids if d in dept_ids), None)
        manager = org_user(person.manager)
        user_records.append(
            UserRecord(
                id=org_id,
                name=person.name,
                email=person.email,
                mobile=person.mobile,
                title=person.title,
                department_id=home,
                manager_id=manager if manager != org_id else None,
                wecom_userid=known.wecom_userid if known else None,
                dingtalk_userid=person.userid,
                active=True,
            )
        )
    for user in users:  # gone from DingTalk: keep the record, switch it off
        if user.dingtalk_userid and user.dingtalk_userid not in contacts.users and user.active:
            fields = {name: getattr(user, name) for name in UserRecord.model_fields if hasattr(user, name)}
            user_records.append(UserRecord(**{**fields, "active": False}))
            report.deactivated += 1
    return OrgDocument(departments=dept_records, users=user_records), report


Runner = Callable[[Callable[[], SyncReport]], Awaitable[SyncReport]]


async def sync_contacts(api: OpenApi, db: Database, *, run: Runner | None = None) -> SyncReport:
    """Read DingTalk's contacts and import them in one transaction; ``run`` runs the blocking part."""
    contacts = await fetch_contacts(api)

    def write() -> SyncReport:
        with db.write() as conn:
            directory = Directory(conn)
            doc, report = org_document(contacts, directory.list_users(), directory.list_departments())
            report.result = import_org(conn, doc)
        return report

    report = await (run(write) if run else asyncio.to_thread(write))
    log.info("%s", report)
    return report


__all__ = [
    "Contacts",
    "DtDepartment",
    "DtUser",
    "SyncReport",
    "fetch_contacts",
    "org_document",
    "sync_contacts",
]
