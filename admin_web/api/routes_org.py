"""``/org`` (users, departments, roles, import) and ``/me`` (who the token acts for)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.api import schemas as s
from admin_web.api.auth import TOKEN_KEY, require_admin
from admin_web.api.errors import BadRequest, UnsupportedMediaType
from admin_web.api.requests import actor, json_response, query
from admin_web.api.routing import Operation
from admin_web.executor import in_thread
from admin_web.keys import ENGINE, SETTINGS
from engine import NotFound, ProcessEngine
from engine.org import Directory, ImportResult, User, import_org, parse_org_csv, parse_org_json

CSV_TYPES = ("text/csv", "application/csv")


def _user(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "mobile": user.mobile,
        "title": user.title,
        "department_id": user.department_id,
        "manager_id": user.manager_id,
        "active": user.active,
    }


def _users(engine: ProcessEngine) -> list[User]:
    with engine.db.read() as conn:
        return Directory(conn).list_users()


def _departments(engine: ProcessEngine) -> list[dict[str, Any]]:
    with engine.db.read() as conn:
        return [
            {"id": d.id, "name": d.name, "parent_id": d.parent_id, "head_id": d.head_id}
            for d in Directory(conn).list_departments()
        ]


def _roles(engine: ProcessEngine) -> list[dict[str, Any]]:
    with engine.db.read() as conn:
        return [
            {"id": r.id, "name": r.name, "members": list(r.members)} for r in Directory(conn).list_roles()
        ]


def _import(engine: ProcessEngine, text: str, csv: bool) -> ImportResult:
    doc = parse_org_csv(text) if csv else parse_org_json(text)
    with engine.db.write() as conn:
        return import_org(conn, doc)


def _one_user(engine: ProcessEngine, user_id: str) -> User:
    with engine.db.read() as conn:
        user = Directory(conn).user(user_id)
    if user is None:
        raise NotFound(f'the token\'s user "{user_id}" is no longer in the directory')
    return user


async def list_users(request: web.Request) -> web.Response:
    params = query(request, s.UserQuery)
    users = await in_thread(request.app, "org_users", _users, request.app[ENGINE])
    return json_response([_user(u) for u in users[params.offset : params.offset + params.limit]])


async def list_departments(request: web.Request) -> web.Response:
    return json_response(await in_thread(request.app, "org_departments", _departments, request.app[ENGINE]))


async def list_roles(request: web.Request) -> web.Response:
    return json_response(await in_thread(request.app, "org_roles", _roles, request.app[ENGINE]))


async def import_organisation(request: web.Request) -> web.Response:
    require_admin(request, "import the organisation")
    is_csv = request.content_type in CSV_TYPES
    if not is_csv and request.content_type not in ("application/json", ""):
        raise UnsupportedMediaType("send the org as application/json or text/csv")
    try:
        text = (await request.read()).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not UTF-8") from exc
    result = await in_thread(request.app, "org_import", _import, request.app[ENGINE], text, is_csv)
    return json_response(result.to_dict())


async def get_me(request: web.Request) -> web.Response:
    user = await in_thread(request.app, "me", _one_user, request.app[ENGINE], actor(request))
    return json_response(
        {
            "user": _user(user),
            "token": request[TOKEN_KEY].to_dict(),
            "admin": user.id in request.app[SETTINGS].admins,
        }
    )


OPERATIONS = [
    Operation("GET", "/me", get_me, "The user the token acts for", "org", response=s.Me, errors=(404,)),
    Operation(
        "GET",
        "/org/users",
        list_users,
        "Users, by id",
        "org",
        query=s.UserQuery,
        response=s.User,
        response_is_list=True,
        errors=(422,),
    ),
    Operation(
        "GET",
        "/org/departments",
        list_departments,
        "Departments (a tree by parent_id)",
        "org",
        response=s.Department,
        response_is_list=True,
    ),
    Operation(
        "GET",
        "/org/roles",
        list_roles,
        "Roles and their members",
        "org",
        response=s.Role,
        response_is_list=True,
    ),
    Operation(
        "POST",
        "/org/import",
        import_organisation,
        "Upsert departments, users and roles from JSON or CSV (admins only)",
        "org",
        body_content={
            "application/json": {"schema": {"$ref": "#/components/schemas/OrgDocument"}},
            "text/csv": {"schema": {"type": "string"}},
        },
        response=s.ImportResult,
        errors=(403, 413, 415, 422),
        description="Nothing is written unless the whole document is valid; `error.details` lists "
        "every problem. The CSV format is described in docs/organisation.md.",
    ),
]

__all__ = ["OPERATIONS"]
