"""Assignee strategies: who a task goes to, when nobody is a legitimate answer, and when it is a mistake."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from engine import Database, InvalidInput, NoApprover
from engine.model import ApproverSpec
from engine.org import STRATEGIES, Directory, import_org, parse_org_json, resolve_approvers


class FakeExpression:
    """Stands in for a compiled expression: returns ``result`` (or calls it with the variables)."""

    def __init__(self, result: Any, source: str = "approvers") -> None:
        self.source = source
        self.result = result
        self.seen: Mapping[str, Any] | None = None

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        self.seen = variables
        return self.result(variables) if callable(self.result) else self.result


def resolve(
    directory: Directory,
    strategy: str,
    arg: Any = None,
    *,
    starter: str = "dev",
    data: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> list[str]:
    spec = ApproverSpec(strategy, arg)
    return resolve_approvers(spec, starter=starter, data=data or {}, directory=directory, variables=variables)


def no_approver(directory: Directory, strategy: str, arg: Any = None, **kwargs: Any) -> str:
    with pytest.raises(NoApprover) as info:
        resolve(directory, strategy, arg, **kwargs)
    assert "\n" not in info.value.message
    return info.value.message


# --- user ----------------------------------------------------------------------


def test_user_strategy_returns_the_named_people_deduplicated(directory: Directory) -> None:
    assert resolve(directory, "user", ["lead", "cto", "lead"]) == ["lead", "cto"]
    assert resolve(directory, "user", "cto") == ["cto"]
    assert resolve(directory, "user", []) == []


def test_user_strategy_refuses_unknown_and_inactive_people(directory: Directory) -> None:
    assert no_approver(directory, "user", ["lead", "ghost"]) == 'approver "ghost" is not an active user'
    assert no_approver(directory, "user", ["gone"]) == 'approver "gone" is not an active user'
    assert (
        no_approver(directory, "user", ["ghost", "gone"]) == 'approvers "ghost", "gone" are not active users'
    )


def test_user_strategy_argument_must_be_ids(directory: Directory) -> None:
    with pytest.raises(InvalidInput, match="must be an id or a list of ids"):
        resolve(directory, "user", 42)


# --- role ----------------------------------------------------------------------


def test_role_strategy_returns_active_members(directory: Directory) -> None:
    assert resolve(directory, "role", ["hr"]) == ["rep"]  # "gone" has left
    assert resolve(directory, "role", ["hr", "reviewers"]) == ["rep", "dev", "dev2", "lead"]
    assert resolve(directory, "role", "reviewers") == ["dev", "dev2", "lead"]


def test_an_empty_role_finds_nobody(directory: Directory) -> None:
    assert resolve(directory, "role", ["empty"]) == []


def test_an_unknown_role_finds_nobody(directory: Directory) -> None:
    # Roles are not people: the node's empty-approver rule decides, as for an empty role.
    assert resolve(directory, "role", ["finance-directr"]) == []
    assert resolve(directory, "role", ["hr", "finance-directr"]) == ["rep"]


# --- dept_head -----------------------------------------------------------------


def test_dept_head_of_the_starters_department(directory: Directory) -> None:
    assert resolve(directory, "dept_head", starter="dev") == ["lead"]


def test_dept_head_for_a_head_is_the_parent_departments_head(directory: Directory) -> None:
    assert resolve(directory, "dept_head", starter="lead") == ["cto"]
    assert resolve(directory, "dept_head", starter="cto") == ["ceo"]


def test_dept_head_finds_nobody_when_there_is_no_head(directory: Directory) -> None:
    assert resolve(directory, "dept_head", starter="tester") == []  # qa has no head
    assert resolve(directory, "dept_head", starter="ceo") == []  # the top has no parent
    assert resolve(directory, "dept_head", starter="loner") == []  # in no department
    assert resolve(directory, "dept_head", starter="rep") == []  # the head has left


def test_dept_head_of_a_named_department(directory: Directory) -> None:
    assert resolve(directory, "dept_head", "tech", starter="rep") == ["cto"]
    assert resolve(directory, "dept_head", "qa") == []
    assert resolve(directory, "dept_head", "nowhere") == []


def test_dept_head_of_an_unknown_starter(directory: Directory) -> None:
    assert no_approver(directory, "dept_head", starter="ghost") == 'starter "ghost" is not in the directory'


# --- manager -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starter", "level", "expected"),
    [
        ("dev", 1, ["lead"]),
        ("dev", 2, ["cto"]),
        ("dev", 3, ["ceo"]),
        ("dev", 4, []),  # the org is not that deep
        ("dev2", 1, ["cto"]),  # manager_id wins over the department head
        ("dev2", 2, ["ceo"]),
        ("lead", 1, ["cto"]),  # a head reports to the parent department's head
        ("tester", 1, ["cto"]),  # a headless department defers upwards
        ("ceo", 1, []),
        ("rep", 1, []),  # the manager has left: the node's empty-approver rule decides
        ("rep", 2, ["ceo"]),  # ...but the level above still resolves
        ("dev", "2", ["cto"]),
        ("dev", None, ["lead"]),
    ],
)
def test_manager_strategy_is_the_manager_n_levels_up(
    directory: Directory, starter: str, level: Any, expected: list[str]
) -> None:
    assert resolve(directory, "manager", level, starter=starter) == expected


@pytest.mark.parametrize("level", [0, -1, "two", 1.5, True])
def test_manager_level_must_be_a_whole_number_of_at_least_one(directory: Directory, level: Any) -> None:
    with pytest.raises(InvalidInput, match="level must be a whole number") as info:
        resolve(directory, "manager", level)
    assert not isinstance(info.value, NoApprover)


def test_manager_of_an_unknown_starter(directory: Directory) -> None:
    assert no_approver(directory, "manager", 1, starter="ghost") == 'starter "ghost" is not in the directory'


def test_resolving_the_manager_on_start_takes_two_selects(
    sqlite_db: Database, test_org: dict[str, Any]
) -> None:
    with sqlite_db.write() as conn:
        import_org(conn, parse_org_json(json.dumps(test_org)))
    statements: list[str] = []
    with sqlite_db.read() as conn:
        raw = conn.connection.dbapi_connection
        raw.set_trace_callback(statements.append)  # sees every statement, Core or cursor
        try:
            assert resolve(Directory(conn), "manager", 1, starter="dev") == ["lead"]
        finally:
            raw.set_trace_callback(None)
    assert len(statements) == 2  # the starter with their department, then the manager's active flag


# --- starter, none -------------------------------------------------------------


def test_starter_strategy_is_the_starter(directory: Directory) -> None:
    assert resolve(directory, "starter", starter="tester") == ["tester"]


def test_none_strategy_finds_nobody(directory: Directory) -> None:
    assert resolve(directory, "none") == []


# --- field ---------------------------------------------------------------------


def test_field_strategy_reads_user_ids_from_the_form(directory: Directory) -> None:
    assert resolve(directory, "field", "reviewer", data={"reviewer": "cto"}) == ["cto"]
    assert resolve(directory, "field", "reviewers", data={"reviewers": ["cto", " lead ", "cto"]}) == [
        "cto",
        "lead",
    ]


def test_field_may_be_a_dotted_path_or_hold_picker_objects(directory: Directory) -> None:
    data = {
        "applicant": {"reviewer": "cto"},
        "picked": [{"id": "lead", "name": "陈杰"}],
        "one": {"id": "ceo"},
    }
    assert resolve(directory, "field", "applicant.reviewer", data=data) == ["cto"]
    assert resolve(directory, "field", "applicant.nobody", data=data) == []
    assert resolve(directory, "field", "picked", data=data) == ["lead"]
    assert resolve(directory, "field", "one", data=data) == ["ceo"]


@pytest.mark.parametrize("value", [None, "", "  ", []])
def test_an_empty_field_finds_nobody(directory: Directory, value: Any) -> None:
    assert resolve(directory, "field", "reviewer", data={"reviewer": value}) == []
    assert resolve(directory, "field", "reviewer", data={}) == []


def test_a_field_naming_unknown_people_is_refused_naming_field_and_value(directory: Directory) -> None:
    message = no_approver(directory, "field", "reviewer", data={"reviewer": "ghost"})
    assert message == 'field "reviewer" names "ghost", who is not an active user'
    message = no_approver(directory, "field", "reviewers", data={"reviewers": ["cto", "ghost", "gone"]})
    assert message == 'field "reviewers" names "ghost", "gone", who are not active users'


def test_a_field_that_does_not_hold_user_ids_is_refused(directory: Directory) -> None:
    message = no_approver(directory, "field", "amount", data={"amount": 42})
    assert message == 'field "amount" holds 42, not a user id or a list of user ids'
    assert no_approver(directory, "field", "picked", data={"picked": [{"name": "x"}]}).startswith(
        'field "picked"'
    )


# --- expression ----------------------------------------------------------------


def test_expression_sees_data_variables_and_starter(directory: Directory) -> None:
    expr = FakeExpression(lambda v: v["approver"])
    result = resolve(
        directory,
        "expression",
        expr,
        starter="dev",
        data={"approver": "lead", "amount": 5},
        variables={"approver": "cto"},
    )
    assert result == ["cto"]  # instance variables override form data
    assert expr.seen == {"approver": "cto", "amount": 5, "starter": "dev"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ceo", ["ceo"]), (["ceo", "cto", "ceo"], ["ceo", "cto"]), (None, []), ("", []), ([], [])],
)
def test_expression_results(directory: Directory, value: Any, expected: list[str]) -> None:
    assert resolve(directory, "expression", FakeExpression(value)) == expected


def test_expression_naming_unknown_people_is_refused(directory: Directory) -> None:
    message = no_approver(directory, "expression", FakeExpression(["ceo", "ghost"], source="pick(amount)"))
    assert message == "expression 'pick(amount)' names \"ghost\", who is not an active user"
    message = no_approver(directory, "expression", FakeExpression(7, source="amount"))
    assert message == "expression 'amount' gave 7, not a user id or a list of user ids"


def test_expression_strategy_needs_an_expression(directory: Directory) -> None:
    with pytest.raises(InvalidInput, match="needs a compiled expression"):
        resolve(directory, "expression", "starter")


# --- dispatch ------------------------------------------------------------------


def test_unknown_strategy_is_invalid_input(directory: Directory) -> None:
    with pytest.raises(InvalidInput, match='unknown approver strategy "boss"') as info:
        resolve(directory, "boss")
    assert not isinstance(info.value, NoApprover)


def test_every_documented_strategy_is_implemented(directory: Directory) -> None:
    assert STRATEGIES == (
        "user",
        "role",
        "dept_head",
        "manager",
        "starter",
        "field",
        "expression",
        "decision",
        "none",
    )
    args: dict[str, Any] = {
        "user": ["cto"],
        "role": ["hr"],
        "field": "f",
        "expression": FakeExpression("cto"),
    }
    for strategy in STRATEGIES:
        if strategy == "decision":
            continue  # needs a deployed table: tests/engine/decisions
        assert isinstance(resolve(directory, strategy, args.get(strategy)), list)
