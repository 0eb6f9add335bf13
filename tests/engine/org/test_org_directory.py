"""The directory: users, departments, roles and the manager rule, in few queries."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from engine import Database, NotFound
from engine.org import Department, Directory, User
from engine.store.schema import users


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_user_is_a_frozen_record_and_unknown_users_are_none(directory: Directory) -> None:
    dev = directory.user("dev")
    assert dev == User(id="dev", name="张伟", department_id="backend")
    with pytest.raises(dataclasses.FrozenInstanceError):
        dev.name = "x"  # type: ignore[misc]
    assert directory.user("ghost") is None


def test_require_user_names_the_unknown_user(directory: Directory) -> None:
    with pytest.raises(NotFound) as info:
        directory.require_user("ghost")
    assert info.value.message == 'unknown user "ghost"'


def test_manager_id_wins_over_the_department_head(directory: Directory) -> None:
    assert directory.manager("dev2") == "cto"


def test_without_manager_id_the_department_head_is_the_manager(directory: Directory) -> None:
    assert directory.manager("dev") == "lead"


def test_a_head_reports_to_the_head_of_the_parent_department(directory: Directory) -> None:
    assert directory.manager("lead") == "cto"
    assert directory.manager("cto") == "ceo"


def test_a_department_without_head_defers_to_the_next_head_up(directory: Directory) -> None:
    assert directory.manager("tester") == "cto"


def test_the_top_and_people_outside_departments_have_no_manager(directory: Directory) -> None:
    assert directory.manager("ceo") is None
    assert directory.manager("loner") is None
    assert directory.manager("ghost") is None


def test_manager_chain_walks_up_and_stops_at_the_top(directory: Directory) -> None:
    assert directory.manager_chain("dev", 1) == ["lead"]
    assert directory.manager_chain("dev", 2) == ["lead", "cto"]
    assert directory.manager_chain("dev", 10) == ["lead", "cto", "ceo"]
    assert directory.manager_chain("ceo", 3) == []


def test_manager_chain_keeps_inactive_managers(directory: Directory) -> None:
    # The chain is the structure; the assignee strategies decide about people who left.
    assert directory.manager_chain("rep", 2) == ["gone", "ceo"]


def test_manager_chain_of_an_unknown_user_is_not_found(directory: Directory) -> None:
    with pytest.raises(NotFound, match='unknown user "ghost"'):
        directory.manager_chain("ghost", 1)


def test_manager_chain_stops_at_a_reporting_cycle_in_stored_data(org_db: Database) -> None:
    # The importer refuses cycles, but other writers (a sync) might not: never loop forever.
    with org_db.write() as conn:
        conn.execute(sa.update(users).where(users.c.id == "ceo").values(manager_id="dev"))
        assert Directory(conn).manager_chain("dev", 10) == ["lead", "cto", "ceo"]
        conn.execute(sa.update(users).where(users.c.id == "cto").values(manager_id="lead"))
        conn.execute(sa.update(users).where(users.c.id == "lead").values(manager_id="cto"))
        assert Directory(conn).manager_chain("dev", 10) == ["lead", "cto"]


def test_resolving_a_manager_costs_one_select_per_person(org_db: Database) -> None:
    with org_db.read() as conn, counting(org_db) as statements:
        d = Directory(conn)
        assert d.manager("dev") == "lead"  # user and department in one joined select
        assert len(statements) == 1
        assert d.manager("dev") == "lead"
        assert d.user("dev") is not None
        assert d.department("backend") is not None
        assert len(statements) == 1  # memo
        assert d.active_users(["lead"]) == {"lead"}
        assert len(statements) == 2


def test_department_head(directory: Directory) -> None:
    assert directory.department_head("backend") == "lead"
    assert directory.department_head("qa") is None
    assert directory.department_head("ghost") is None
    assert directory.department("tech") == Department(
        id="tech", name="技术中心", parent_id="co", head_id="cto"
    )


def test_role_members_are_active_in_role_order_then_by_id(directory: Directory) -> None:
    assert directory.role_members(["reviewers"]) == ["dev", "dev2", "lead"]
    assert directory.role_members(["hr", "reviewers"]) == ["rep", "dev", "dev2", "lead"]
    assert directory.role_members(["reviewers", "hr", "reviewers"]) == ["dev", "dev2", "lead", "rep"]
    assert directory.role_members(["empty", "ghost-role"]) == []


def test_unknown_roles_are_told_apart_from_empty_ones(org_db: Database) -> None:
    with org_db.read() as conn, counting(org_db) as statements:
        d = Directory(conn)
        d.role_members(["empty", "ghost-role"])
        assert d.unknown_roles(["empty", "ghost-role"]) == ["ghost-role"]
        assert len(statements) == 2  # the left join already proved "empty" exists
        assert d.unknown_roles(["hr"]) == []


def test_active_users_leave_out_unknown_and_inactive(directory: Directory) -> None:
    assert directory.active_users(["dev", "gone", "ghost", "dev"]) == {"dev"}
    assert directory.active_users([]) == set()


def test_active_users_reads_large_lists_in_chunks(org_db: Database) -> None:
    ids = [f"nobody{i}" for i in range(1200)] + ["dev"]
    with org_db.read() as conn, counting(org_db) as statements:
        assert Directory(conn).active_users(ids) == {"dev"}
    assert len(statements) == 3


def test_listings_are_sorted_by_id(directory: Directory) -> None:
    assert [u.id for u in directory.list_users()][:3] == ["ceo", "cto", "dev"]
    assert len(directory.list_users()) == 9
    assert [d.id for d in directory.list_departments()] == ["backend", "co", "qa", "sales", "tech"]
    roles = directory.list_roles()
    assert [r.id for r in roles] == ["empty", "hr", "reviewers"]
    assert roles[1].members == ("gone", "rep")  # listings show every member, active or not
    assert roles[1].name == "人事专员"
