"""A small org for the directory and assignee tests, on every configured database."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from engine import Database
from engine.org import Directory, import_org, parse_org_json

# co (head ceo) ─ tech (head cto) ─ backend (head lead)
#               │                └ qa (no head)
#               └ sales (head "gone", who has left)
TEST_ORG: dict[str, Any] = {
    "departments": [
        {"id": "co", "name": "公司", "head_id": "ceo"},
        {"id": "tech", "name": "技术中心", "parent_id": "co", "head_id": "cto"},
        {"id": "backend", "name": "后端组", "parent_id": "tech", "head_id": "lead"},
        {"id": "qa", "name": "测试组", "parent_id": "tech"},
        {"id": "sales", "name": "销售部", "parent_id": "co", "head_id": "gone"},
    ],
    "users": [
        {"id": "ceo", "name": "王总", "department_id": "co"},
        {"id": "cto", "name": "刘洋", "department_id": "tech"},
        {"id": "lead", "name": "陈杰", "department_id": "backend"},
        {"id": "dev", "name": "张伟", "department_id": "backend"},
        {"id": "dev2", "name": "王芳", "department_id": "backend", "manager_id": "cto"},
        {"id": "tester", "name": "李娜", "department_id": "qa"},
        {"id": "gone", "name": "徐明", "department_id": "sales", "active": False},
        {"id": "rep", "name": "钱宇", "department_id": "sales"},
        {"id": "loner", "name": "独立顾问"},
    ],
    "roles": [
        {"id": "hr", "name": "人事专员", "members": ["rep", "gone"]},
        {"id": "reviewers", "name": "评审", "members": ["lead", "dev2", "dev"]},
        {"id": "empty", "name": "空角色", "members": []},
    ],
}


@pytest.fixture
def test_org() -> dict[str, Any]:
    return copy.deepcopy(TEST_ORG)


@pytest.fixture
def org_db(db: Database) -> Database:
    """``db`` with ``TEST_ORG`` imported."""
    with db.write() as conn:
        import_org(conn, parse_org_json(json.dumps(TEST_ORG)))
    return db


@pytest.fixture
def directory(org_db: Database) -> Iterator[Directory]:
    with org_db.read() as conn:
        yield Directory(conn)
