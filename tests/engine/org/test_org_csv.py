"""Org files as CSV: departments and roles derived from user rows, problems named by line."""

from __future__ import annotations

import pytest

from engine import Database, InvalidInput
from engine.org import Directory, import_org, parse_org_csv
from engine.org.csv_format import COLUMNS

HEADER = ",".join(COLUMNS[:11])


def problems(text: str) -> list[dict[str, object]]:
    with pytest.raises(InvalidInput) as info:
        parse_org_csv(text)
    assert "\n" not in info.value.message
    return list(info.value.details)


def test_departments_roles_and_heads_are_derived_from_the_rows() -> None:
    text = "\n".join(
        [
            HEADER,
            "boss,王总,boss@x.cn,13800000001,总经理,co,公司,,,,1",
            "lead,陈杰,,,组长,dev,后端组,co,,reviewers:评审;hr,yes",
            "zw,张伟,,,工程师,dev,,,lead,reviewers,",
            "ln,李娜,,,工程师,dev,后端组,,, reviewers ；hr：人事 ,否",
        ]
    )
    doc = parse_org_csv(text)
    depts = {d.id: d for d in doc.departments}
    assert (depts["co"].name, depts["co"].parent_id, depts["co"].head_id) == ("公司", None, "boss")
    assert (depts["dev"].name, depts["dev"].parent_id, depts["dev"].head_id) == ("后端组", "co", "lead")
    roles = {r.id: r for r in doc.roles}
    assert (roles["reviewers"].name, roles["reviewers"].members) == ("评审", ["lead", "zw", "ln"])
    assert (roles["hr"].name, roles["hr"].members) == ("人事", ["lead", "ln"])
    zw = next(u for u in doc.users if u.id == "zw")
    assert (zw.department_id, zw.manager_id, zw.email, zw.active) == ("dev", "lead", None, True)


def test_header_may_be_reordered_shortened_and_carry_a_byte_order_mark() -> None:
    doc = parse_org_csv("\ufeffName , ID,Active,wecom_userid\r\n张伟,zw,0,ZhangWei\r\n")
    user = doc.users[0]
    assert (user.id, user.name, user.active, user.wecom_userid) == ("zw", "张伟", False, "ZhangWei")


def test_a_row_without_user_declares_a_department() -> None:
    doc = parse_org_csv(
        "id,name,department_id,department_name,parent_department_id\n,,admin,行政部,co\n,,co,公司,\n"
    )
    assert [(d.id, d.parent_id) for d in doc.departments] == [("admin", "co"), ("co", None)]
    assert doc.users == []


def test_blank_rows_are_skipped_and_quoted_newlines_keep_line_numbers() -> None:
    text = 'id,name,title\n\n"a","A","多行\n职位"\nb,,x\n'
    doc = parse_org_csv(text)
    assert [u.title for u in doc.users] == ["多行\n职位", "x"]
    bad = 'id,name,is_department_head\n"a","A\nB",1\nc,C,maybe\n'
    details = problems(bad)
    lines = [d["line"] for d in details]
    assert 4 in lines  # "maybe" is on line 4, after the two-line record
    assert all(d["kind"] in {"missing_field", "invalid_value"} for d in details)


ROW_A = "a,A,,,,d"  # the first six columns of a user "a" in department "d"
ROW_B = "b,B,,,,d"


@pytest.mark.parametrize(
    ("text", "line", "text_in_message"),
    [
        ("id,name,nick\na,A,x\n", 1, 'unknown column "nick"'),
        ("name,title\nA,x\n", 1, "the header has no id column"),
        ("id,name,name\na,A,B\n", 1, "column name appears more than once"),
        (f"{HEADER}\n{ROW_A},部门,,,,\n{ROW_B},部门二,,,,\n", 3, '"d" is "部门二" here but "部门" on line 2'),
        (f"{HEADER}\n{ROW_A},D,p1,,,\n{ROW_B},D,p2,,,\n", 3, 'the parent of department "d"'),
        (
            f"{HEADER}\n{ROW_A},D,,,,1\n{ROW_B},,,,,1\n",
            3,
            'department "d" has two heads: "a" (line 2) and "b"',
        ),
        (f"{HEADER}\na,A,,,,,,,,,1\n", 2, 'user "a" is marked head but has no department_id'),
        (f"{HEADER}\n{ROW_A},,,,,\n", 2, 'department "d" has no department_name on any row'),
        (f"{HEADER}\n,张伟,,,,d,D,,,,\n", 2, 'user "张伟" has no id'),
        ("id,name,department_name\na,A,部门\n", 2, "department_name or parent_department_id given without"),
        ("id,name,active\na,A,sometimes\n", 2, 'active is "sometimes"'),
        ("id,name\na,A,extra\n", 2, "3 cells but the header has 2 columns"),
        ('id,name\na,A\nb,"unclosed\n', 3, "not valid CSV"),
        (f"{HEADER}\n{ROW_A},D,,,r:一;r:二,\n", 2, 'the name of role "r" is "二" here but "一" on line 2'),
        ("id,name,email\n" + "x" * 70 + ",A,\n", 2, "at most 64 characters"),
        ("", 1, "the file is empty"),
    ],
)
def test_problems_name_their_line(text: str, line: int, text_in_message: str) -> None:
    found = problems(text)
    match = [d for d in found if text_in_message in str(d["message"])]
    assert match, found
    assert match[0]["line"] == line
    assert str(match[0]["message"]).startswith(f"line {line}: ")


def test_all_csv_problems_come_in_one_error() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_org_csv("id,name,active,is_department_head\na,A,maybe,\nb,B,,perhaps\n")
    assert info.value.message.startswith('org file refused: line 2: active is "maybe"; write 1 or 0')
    assert info.value.message.endswith("(1 more problem in details)")


def test_csv_import_uses_line_numbers_in_reference_problems(db: Database) -> None:
    doc = parse_org_csv("id,name,manager_id\na,A,\nb,B,ghost\n")
    with pytest.raises(InvalidInput) as info, db.write() as conn:
        import_org(conn, doc)
    assert info.value.message == (
        'org file refused: line 3: user "b" has manager "ghost" who is not in the file or the directory'
    )
    assert info.value.details[0]["line"] == 3


def test_csv_reimport_updates_and_replaces_memberships(db: Database) -> None:
    first = f"{HEADER}\nboss,王总,,,,co,公司,,,hr,1\nzw,张伟,,,,co,,,,hr;it,\n"
    second = f"{HEADER}\nboss,王总,,,,co,公司,,,hr,1\nzw,张伟,,,工程师,co,,,,it,\n"
    with db.write() as conn:
        import_org(conn, parse_org_csv(first))
    with db.write() as conn:
        result = import_org(conn, parse_org_csv(second))
    assert (result.users_created, result.users_updated, result.users_unchanged) == (0, 1, 1)
    assert (result.roles_updated, result.roles_unchanged) == (1, 1)
    with db.read() as conn:
        d = Directory(conn)
        assert d.role_members(["hr"]) == ["boss"]
        assert d.role_members(["it"]) == ["zw"]
        assert d.manager_chain("zw", 1) == ["boss"]
