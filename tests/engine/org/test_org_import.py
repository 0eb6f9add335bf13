"""Importing org documents: upserts, validation that refuses everything at once, the example company."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine import Database, InvalidInput
from engine.org import (
    Directory,
    ImportResult,
    OrgDocument,
    check_org,
    import_org,
    parse_org_csv,
    parse_org_json,
)
from engine.store.schema import departments, role_members, roles, users

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXAMPLE_ROLES = ("hr", "finance-director", "it-buyer", "admin-buyer", "it-support", "facilities", "trainer")


def doc(data: dict[str, Any]) -> OrgDocument:
    return parse_org_json(json.dumps(data, ensure_ascii=False))


def load(db: Database, data: dict[str, Any]) -> ImportResult:
    with db.write() as conn:
        return import_org(conn, doc(data))


def count(db: Database, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def refused(db: Database, data: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as info, db.write() as conn:
        import_org(conn, doc(data))
    return info.value


def kinds(error: InvalidInput) -> list[str]:
    return [d["kind"] for d in error.details]


def test_import_creates_every_record(db: Database, test_org: dict[str, Any]) -> None:
    result = load(db, test_org)
    assert (result.users_created, result.departments_created, result.roles_created) == (9, 5, 3)
    assert (result.users_updated, result.departments_updated, result.roles_updated) == (0, 0, 0)
    with db.read() as conn:
        dev2 = conn.execute(sa.select(users).where(users.c.id == "dev2")).mappings().one()
        members = set(
            conn.execute(sa.select(role_members.c.user_id).where(role_members.c.role_id == "hr")).scalars()
        )
    assert dev2["name"] == "王芳" and dev2["manager_id"] == "cto" and dev2["active"] is True
    assert members == {"rep", "gone"}


def test_reimport_updates_in_place_instead_of_duplicating(db: Database, test_org: dict[str, Any]) -> None:
    load(db, test_org)
    test_org["users"][3]["title"] = "高级工程师"
    test_org["departments"][3]["head_id"] = "tester"
    result = load(db, test_org)
    assert (result.users_created, result.users_updated, result.users_unchanged) == (0, 1, 8)
    assert (result.departments_created, result.departments_updated, result.departments_unchanged) == (0, 1, 4)
    assert result.roles_unchanged == 3
    assert (count(db, users), count(db, departments), count(db, roles)) == (9, 5, 3)
    with db.read() as conn:
        assert Directory(conn).require_user("dev").title == "高级工程师"
        assert Directory(conn).department_head("qa") == "tester"


def test_reimport_replaces_role_members_and_keeps_unnamed_roles_names(
    db: Database, test_org: dict[str, Any]
) -> None:
    load(db, test_org)
    result = load(db, {"roles": [{"id": "reviewers", "members": ["dev", "tester"]}, {"id": "new-role"}]})
    assert (result.roles_created, result.roles_updated) == (1, 1)
    with db.read() as conn:
        found = {r.id: r for r in Directory(conn).list_roles()}
    assert found["reviewers"].members == ("dev", "tester")
    assert found["reviewers"].name == "评审"  # no name in the file: the stored one stays
    assert found["new-role"].name == "new-role"  # a new role without a name is called by its id
    assert found["hr"].members == ("gone", "rep")  # roles not in the file are untouched


def test_records_not_in_the_file_are_left_alone(db: Database, test_org: dict[str, Any]) -> None:
    load(db, test_org)
    load(db, {"users": [{"id": "dev", "name": "张伟", "department_id": "backend"}]})
    assert count(db, users) == 9
    with db.read() as conn:
        assert Directory(conn).require_user("dev2").manager_id == "cto"


def test_references_may_point_to_records_already_in_the_directory(
    db: Database, test_org: dict[str, Any]
) -> None:
    load(db, test_org)
    extra = {
        "departments": [{"id": "infra", "name": "基础架构组", "parent_id": "tech", "head_id": "cto"}],
        "users": [{"id": "ops1", "name": "孙浩", "department_id": "infra", "manager_id": "lead"}],
        "roles": [{"id": "oncall", "name": "值班", "members": ["ops1", "dev"]}],
    }
    result = load(db, extra)
    assert (result.users_created, result.departments_created, result.roles_created) == (1, 1, 1)


def test_chat_ids_can_move_between_users(db: Database) -> None:
    base = {
        "users": [
            {"id": "a", "name": "A", "wecom_userid": "WA", "dingtalk_userid": "DA"},
            {"id": "b", "name": "B", "wecom_userid": "WB", "dingtalk_userid": "DB"},
        ]
    }
    load(db, base)
    swapped = {
        "users": [
            {"id": "a", "name": "A", "wecom_userid": "WB", "dingtalk_userid": "DA"},
            {"id": "b", "name": "B", "wecom_userid": "WA", "dingtalk_userid": "DB"},
            {"id": "c", "name": "C", "wecom_userid": "WC"},
        ]
    }
    assert load(db, swapped).users_updated == 2
    with db.read() as conn:
        d = Directory(conn)
        assert [d.require_user(i).wecom_userid for i in "abc"] == ["WB", "WA", "WC"]
        assert d.require_user("a").dingtalk_userid == "DA"


def test_unknown_manager_message_names_the_user_and_the_manager(db: Database) -> None:
    error = refused(db, {"users": [{"id": "u17", "name": "X", "manager_id": "u99"}]})
    assert (
        error.message
        == 'org file refused: user "u17" has manager "u99" who is not in the file or the directory'
    )
    assert error.details == [
        {"kind": "unknown_user", "message": error.message.removeprefix("org file refused: "), "line": None}
    ]


def u(uid: str, name: str = "N", **fields: Any) -> dict[str, Any]:
    return {"id": uid, "name": name, **fields}


def dept(did: str, name: str = "D", **fields: Any) -> dict[str, Any]:
    return {"id": did, "name": name, **fields}


@pytest.mark.parametrize(
    ("data", "kind", "text"),
    [
        ({"users": [u("a"), u("a")]}, "duplicate_id", 'user id "a" appears twice (users[0] and users[1])'),
        ({"departments": [dept("d")] * 3}, "duplicate_id", 'department id "d" appears 3 times'),
        ({"roles": [{"id": "r"}, {"id": "r"}]}, "duplicate_id", 'role id "r" appears twice'),
        (
            {"users": [u("a", department_id="no")]},
            "unknown_department",
            'user "a" is in department "no" which',
        ),
        (
            {"departments": [dept("d", parent_id="no")]},
            "unknown_department",
            'department "d" has parent "no"',
        ),
        ({"departments": [dept("d", head_id="x")]}, "unknown_user", 'department "d" has head "x" who is not'),
        ({"roles": [{"id": "r", "members": ["x"]}]}, "unknown_user", 'role "r" lists member "x" who is not'),
        ({"users": [u("a", manager_id="a")]}, "manager_cycle", 'managers form a cycle: "a" → "a"'),
        (
            {"users": [u("a", manager_id="b"), u("b", manager_id="c"), u("c", manager_id="a")]},
            "manager_cycle",
            'managers form a cycle: "a" → "b" → "c" → "a"',
        ),
        (
            {"departments": [dept("x", parent_id="y"), dept("y", parent_id="x")]},
            "department_cycle",
            'departments form a cycle: "x" → "y" → "x"',
        ),
        ({"users": [u("a", "  ")]}, "empty_name", 'user "a" has an empty name'),
        ({"departments": [dept("d", "")]}, "empty_name", 'department "d" has an empty name'),
        ({"roles": [{"id": "r", "name": ""}]}, "empty_name", 'role "r" has an empty name'),
        ({"users": [u("a"), u("")]}, "empty_id", "users[1]: the user has an empty id"),
        ({"roles": [{"id": "r", "members": [""]}]}, "empty_id", 'role "r" lists an empty member id'),
        (
            {"users": [u("a", wecom_userid="W"), u("b", wecom_userid="W")]},
            "duplicate_id",
            'user "b" has wecom_userid "W" already used by "a"',
        ),
    ],
)
def test_each_kind_of_problem_is_named(db: Database, data: dict[str, Any], kind: str, text: str) -> None:
    error = refused(db, data)
    assert kind in kinds(error)
    assert any(text in d["message"] for d in error.details), error.details
    assert "\n" not in error.message and error.message.startswith("org file refused: ")
    assert (count(db, users), count(db, departments), count(db, roles)) == (0, 0, 0)


def test_cycles_through_records_already_in_the_directory_are_found(db: Database) -> None:
    load(db, {"users": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "manager_id": "a"}]})
    error = refused(db, {"users": [{"id": "a", "name": "A", "manager_id": "b"}]})
    assert kinds(error) == ["manager_cycle"]


def test_chat_id_used_by_a_stored_user_is_refused(db: Database) -> None:
    load(db, {"users": [{"id": "a", "name": "A", "dingtalk_userid": "D1"}]})
    error = refused(db, {"users": [{"id": "b", "name": "B", "dingtalk_userid": "D1"}]})
    assert error.details[0]["message"] == 'user "b" has dingtalk_userid "D1" already used by "a"'


def test_every_problem_is_collected_into_one_error(db: Database) -> None:
    data = {
        "departments": [{"id": "d", "name": "D", "parent_id": "ghost-dept"}],
        "users": [
            {"id": "u17", "name": "X", "manager_id": "u99", "department_id": "d"},
            {"id": "u18", "name": ""},
            {"id": "u18", "name": "Y"},
        ],
    }
    error = refused(db, data)
    assert len(error.details) == 4
    assert error.message.endswith("(3 more problems in details)")
    assert error.code == "invalid_input"


def test_nothing_is_written_before_the_whole_file_is_checked(db: Database, test_org: dict[str, Any]) -> None:
    load(db, test_org)
    changed = {
        "departments": [{"id": "new", "name": "新部门"}],
        "users": [{"id": "dev", "name": "改名"}, {"id": "bad", "name": "B", "manager_id": "ghost"}],
        "roles": [{"id": "hr", "members": []}],
    }
    with db.write() as conn:
        with pytest.raises(InvalidInput):
            import_org(conn, doc(changed))
        # Still inside the same transaction: a partial write would be visible here.
        d = Directory(conn)
        assert d.require_user("dev").name == "张伟"
        assert d.department("new") is None
        assert d.role_members(["hr"]) == ["rep"]


def test_check_org_is_a_dry_run(db: Database) -> None:
    with db.write() as conn:
        problems = check_org(conn, doc({"users": [{"id": "a", "name": "A", "manager_id": "x"}]}))
        assert [p.kind for p in problems] == ["unknown_user"]
        assert check_org(conn, doc({"users": [{"id": "a", "name": "A"}]})) == []
    assert count(db, users) == 0


def test_bad_json_reports_its_line() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_org_json('{\n  "users": [\n    {"id": "a",}\n  ]\n}')
    assert info.value.message.startswith("org file refused: not valid JSON at line 3 column")
    assert info.value.details[0]["line"] == 3


def test_json_structure_problems_are_all_listed() -> None:
    users = [u("a", nickname="x"), {"name": "no id"}, u("c", active="maybe")]
    text = json.dumps({"users": users, "teams": []})
    with pytest.raises(InvalidInput) as info:
        parse_org_json(text)
    messages = [d["message"] for d in info.value.details]
    assert 'users[0] ("a").nickname is not a known field' in messages
    assert "users[1].id is required" in messages
    assert any(m.startswith('users[2] ("c").active:') for m in messages)
    assert "teams is not a known field" in messages
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        parse_org_json("[]")


def test_ids_and_mobiles_may_be_numbers_and_blanks_are_trimmed() -> None:
    parsed = parse_org_json('{"users": [{"id": 1001, "name": " 张伟 ", "mobile": 13800100005, "email": ""}]}')
    user = parsed.users[0]
    assert (user.id, user.name, user.mobile, user.email) == ("1001", "张伟", "13800100005", None)


def test_over_long_values_are_refused_before_the_database_sees_them() -> None:
    with pytest.raises(InvalidInput, match="at most 64 characters"):
        parse_org_json(json.dumps({"users": [{"id": "x" * 65, "name": "X"}]}))


def test_import_result_reads_as_one_line() -> None:
    assert str(ImportResult(users_created=2, roles_unchanged=1)) == (
        "users 2 created, 0 updated, 0 unchanged; departments 0 created, 0 updated, 0 unchanged; "
        "roles 0 created, 0 updated, 1 unchanged"
    )


def test_example_company_imports_cleanly(db: Database) -> None:
    result = load(db, json.loads((EXAMPLES / "org.json").read_text(encoding="utf-8")))
    assert result.users_created >= 30
    with db.read() as conn:
        d = Directory(conn)
        assert len(d.list_departments()) >= 9
        for role in EXAMPLE_ROLES:
            assert d.role_members([role]), f"role {role} has no active member"
        assert d.require_user("zhangwei").department_id == "backend"
        assert len(d.manager_chain("zhangwei", 5)) >= 2


def _snapshot(db: Database) -> tuple[object, ...]:
    with db.read() as conn:
        d = Directory(conn)
        people = sorted(
            (u.id, u.name, u.email, u.mobile, u.title, u.department_id, u.manager_id, u.active)
            for u in d.list_users()
        )
        teams = sorted((t.id, t.name, t.parent_id, t.head_id) for t in d.list_departments())
        groups = sorted((r.id, r.name, tuple(sorted(d.role_members([r.id])))) for r in d.list_roles())
        return people, teams, groups


def test_the_example_csv_describes_the_same_company_as_the_json(db: Database, tmp_path: Path) -> None:
    parsed = parse_org_csv((EXAMPLES / "org.csv").read_text(encoding="utf-8"))
    with db.write() as conn:
        import_org(conn, parsed)
    with db.read() as conn:
        assert Directory(conn).manager_chain("zhangwei", 3) == ["chenjie", "liuyang", "wangjianguo"]
    from_csv = _snapshot(db)
    other = Database(f"sqlite:///{tmp_path / 'json.db'}")
    other.create_schema()
    with other.write() as conn:
        import_org(conn, parse_org_json((EXAMPLES / "org.json").read_text(encoding="utf-8")))
    assert from_csv == _snapshot(other)
    assert len(from_csv[0]) == 36 and {g[0] for g in from_csv[2]} >= set(EXAMPLE_ROLES)
    other.dispose()
