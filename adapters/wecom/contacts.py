"""WeCom contacts → the org document (Doc 90208 department/list, 90201 user/list).

Departments become ``wecom-<id>``; a member's WeCom userid becomes both the org user id
and ``wecom_userid``, unless an org user is already mapped to that userid (then that user
is updated). The manager is ``direct_leader[0]``; a department's head is its
``department_leader[0]``, else a member flagged ``is_leader_in_dept`` there. Fields WeCom
no longer gives self-built apps (e-mail, mobile) and DingTalk ids keep their stored values.
References to people outside the app's visible range are dropped and reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.wecom.client import WeComClient
from engine.org import DepartmentRecord, OrgDocument, User, UserRecord

DEPARTMENT_PREFIX = "wecom-"
NAME_MAX = 255
MOBILE_MAX = 32


@dataclass(frozen=True, slots=True)
class Contacts:
    departments: list[dict[str, Any]]
    users: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Translation:
    document: OrgDocument
    notes: list[str] = field(default_factory=list)  # what was dropped, for the log and the CLI


def fetch_contacts(client: WeComClient) -> Contacts:
    """Every department the app sees and their members (a member in several departments once)."""
    departments = client.departments()
    members: dict[str, dict[str, Any]] = {}
    for department in departments:
        for user in client.department_users(int(department["id"])):
            members.setdefault(str(user["userid"]), user)
    return Contacts(departments, list(members.values()))


def department_id(wecom_id: Any) -> str:
    return f"{DEPARTMENT_PREFIX}{wecom_id}"


def _cut(value: Any, limit: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:limit] or None


def to_org_document(contacts: Contacts, existing: Mapping[str, User]) -> Translation:
    """The org document for ``contacts``; ``existing`` is the directory's users by org id."""
    notes: list[str] = []
    mapped = {u.wecom_userid: u.id for u in existing.values() if u.wecom_userid}
    visible = {str(u["userid"]) for u in contacts.users}
    departments_seen = {int(d["id"]) for d in contacts.departments}

    def org_id(wecom_user: str) -> str:
        return mapped.get(wecom_user, wecom_user)

    def known(wecom_user: str) -> bool:
        return wecom_user in visible or wecom_user in mapped

    heads_flagged: dict[int, str] = {}
    for user in contacts.users:
        for dept, flag in zip(
            user.get("department") or [], user.get("is_leader_in_dept") or [], strict=False
        ):
            if flag == 1:
                heads_flagged.setdefault(int(dept), str(user["userid"]))

    departments: list[DepartmentRecord] = []
    for dept in contacts.departments:
        dept_id = int(dept["id"])
        parent = dept.get("parentid")
        leaders = [str(x) for x in dept.get("department_leader") or []]
        dropped = [x for x in leaders if not known(x)]
        if dropped:
            notes.append(f"department {dept_id}: leader(s) {', '.join(dropped)} not visible to the app")
        leaders = [x for x in leaders if known(x)] or (
            [heads_flagged[dept_id]] if dept_id in heads_flagged else []
        )
        departments.append(
            DepartmentRecord(
                id=department_id(dept_id),
                name=_cut(dept.get("name"), NAME_MAX) or str(dept_id),
                parent_id=department_id(parent) if parent in departments_seen and parent != dept_id else None,
                head_id=org_id(leaders[0]) if leaders else None,
            )
        )

    users: list[UserRecord] = []
    for user in contacts.users:
        wecom_user = str(user["userid"])
        ident = org_id(wecom_user)
        old = existing.get(ident)
        in_depts = [int(d) for d in user.get("department") or []]
        main = user.get("main_department") or (in_depts[0] if in_depts else None)
        leaders = [str(x) for x in user.get("direct_leader") or [] if str(x) != wecom_user]
        dropped = [x for x in leaders if not known(x)]
        if dropped:
            notes.append(f"user {wecom_user}: direct leader(s) {', '.join(dropped)} not visible to the app")
        leaders = [x for x in leaders if known(x)]
        users.append(
            UserRecord(
                id=ident,
                name=_cut(user.get("name"), NAME_MAX) or wecom_user,
                email=_cut(user.get("email") or user.get("biz_mail"), NAME_MAX)
                or (old.email if old else None),
                mobile=_cut(user.get("mobile"), MOBILE_MAX) or (old.mobile if old else None),
                title=_cut(user.get("position"), NAME_MAX) or (old.title if old else None),
                department_id=department_id(main) if main in departments_seen else None,
                manager_id=org_id(leaders[0]) if leaders else None,
                wecom_userid=wecom_user,
                dingtalk_userid=old.dingtalk_userid if old else None,
                # 1 active; 2 disabled, 4 not activated, 5 quit
                active=user.get("status", 1) == 1 and user.get("enable", 1) != 0,
            )
        )
    return Translation(OrgDocument(departments=departments, users=users), notes)


__all__ = [
    "DEPARTMENT_PREFIX",
    "Contacts",
    "Translation",
    "department_id",
    "fetch_contacts",
    "to_org_document",
]
