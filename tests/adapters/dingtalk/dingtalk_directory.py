"""The fake DingTalk's address book: the example company (examples/org.json) as DingTalk would hold it.

Departments get numeric ids (the root is 1), people get DingTalk userIds unlike their
org ids (``dt`` + a number) so the contacts sync has to recognise them (by mobile).
People marked inactive in the org file have left: DingTalk no longer lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@dataclass
class FakeDepartment:
    dept_id: int
    name: str
    parent_id: int | None
    managers: list[str] = field(default_factory=list)


@dataclass
class FakeUser:
    userid: str
    name: str
    mobile: str
    email: str
    title: str
    dept_ids: list[int]
    manager: str | None = None


@dataclass
class FakeDirectory:
    departments: dict[int, FakeDepartment] = field(default_factory=dict)
    users: dict[str, FakeUser] = field(default_factory=dict)
    staff: dict[str, str] = field(default_factory=dict)  # org id -> DingTalk userId

    @classmethod
    def from_org_json(cls, path: Path = EXAMPLES / "org.json") -> FakeDirectory:
        raw = json.loads(path.read_text(encoding="utf-8"))
        directory = cls()
        dept_numbers: dict[str, int] = {}
        for index, dept in enumerate(raw["departments"]):
            dept_numbers[dept["id"]] = 1 if dept.get("parent_id") is None else 100 + index
        people = [u for u in raw["users"] if u.get("active", True)]
        for index, user in enumerate(people):
            directory.staff[user["id"]] = f"dt{1000 + index}"
        for dept in raw["departments"]:
            head = directory.staff.get(dept.get("head_id") or "")
            directory.departments[dept_numbers[dept["id"]]] = FakeDepartment(
                dept_numbers[dept["id"]],
                dept["name"],
                dept_numbers.get(dept.get("parent_id") or ""),
                [head] if head else [],
            )
        for user in people:
            userid = directory.staff[user["id"]]
            directory.users[userid] = FakeUser(
                userid=userid,
                name=user["name"],
                mobile=user.get("mobile", ""),
                email=user.get("email", ""),
                title=user.get("title", ""),
                dept_ids=[dept_numbers[user["department_id"]]],
                manager=directory.staff.get(user.get("manager_id") or ""),
            )
        return directory

    # --- the legacy contacts API's answers ----------------------------------------------

    def department(self, dept_id: int) -> dict[str, Any] | None:
        dept = self.departments.get(dept_id)
        if dept is None:
            return None
        return {
            "dept_id": dept.dept_id,
            "name": dept.name,
            "parent_id": dept.parent_id,
            "dept_manager_userid_list": list(dept.managers),
            "order": dept.dept_id,
            "member_count": len(self.members(dept_id)),
        }

    def children(self, dept_id: int) -> list[dict[str, Any]]:
        return [
            {"dept_id": d.dept_id, "name": d.name, "parent_id": d.parent_id, "auto_add_user": False}
            for d in self.departments.values()
            if d.parent_id == dept_id
        ]

    def members(self, dept_id: int) -> list[str]:
        return [u.userid for u in self.users.values() if dept_id in u.dept_ids]

    def user(self, userid: str) -> dict[str, Any] | None:
        user = self.users.get(userid)
        if user is None:
            return None
        leads = [d.dept_id for d in self.departments.values() if userid in d.managers]
        return {
            "userid": user.userid,
            "unionid": f"union-{user.userid}",
            "name": user.name,
            "mobile": user.mobile,
            "email": user.email,
            "title": user.title,
            "job_number": "",
            "dept_id_list": list(user.dept_ids),
            "dept_order_list": [{"dept_id": d, "order": 0} for d in user.dept_ids],
            "leader_in_dept": [{"dept_id": d, "leader": d in leads} for d in user.dept_ids],
            "manager_userid": user.manager or "",
            "active": True,
            "admin": False,
            "boss": False,
        }


__all__ = ["FakeDepartment", "FakeDirectory", "FakeUser"]
