"""``/admin/api``: my account, console accounts, API tokens, the org browser and the automation lists."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from admin_web.api.errors import BadRequest
from admin_web.api.requests import json_body, json_response
from admin_web.console.security import CONSOLE, Route, actor, current, permissions_of
from admin_web.executor import in_thread
from admin_web.keys import ENGINE, TOKENS
from engine import ProcessEngine
from engine.connectors.store import list_connectors
from engine.jobs import list_jobs
from engine.org import Directory, ImportResult, import_org, parse_org_csv, parse_org_json
from engine.webhooks import list_webhooks

MAX_ORG_BYTES = 5 * 1024 * 1024


class Locale(BaseModel):
    locale: str = Field(pattern="^(zh|en)$")


class PasswordChange(BaseModel):
    current: str = Field(max_length=1024)
    new: str = Field(max_length=1024)


class NewAccount(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=255)
    roles: list[str] = Field(default_factory=list, max_length=3)
    password: str | None = Field(None, max_length=1024)
    locale: str = Field("zh", pattern="^(zh|en)$")


class AccountChange(BaseModel):
    name: str | None = Field(None, max_length=255)
    roles: list[str] | None = Field(None, max_length=3)
    active: bool | None = None
    locale: str | None = Field(None, pattern="^(zh|en)$")


class PasswordReset(BaseModel):
    password: str | None = Field(None, max_length=1024)


class NewToken(BaseModel):
    user: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=255)


async def get_me(request: web.Request) -> web.Response:
    account = current(request).account
    return json_response({"account": account.to_dict(), "permissions": permissions_of(account)})


async def set_locale(request: web.Request) -> web.Response:
    body = await json_body(request, Locale)
    accounts = request.app[CONSOLE].accounts
    account = await in_thread(
        request.app, "console_account", accounts.update, actor(request), locale=body.locale
    )
    return json_response(account.to_dict())


async def change_password(request: web.Request) -> web.Response:
    body = await json_body(request, PasswordChange)
    services = request.app[CONSOLE]
    session = current(request)
    account = await in_thread(
        request.app,
        "console_account",
        services.accounts.change_password,
        session.account.id,
        body.current,
        body.new,
    )
    # other sessions of this account end: whoever knew the old password is logged out
    await in_thread(request.app, "console_account", services.sessions.close_all, account.id, keep=session.id)
    return json_response(account.to_dict())


async def list_accounts(request: web.Request) -> web.Response:
    accounts = await in_thread(request.app, "console_accounts", request.app[CONSOLE].accounts.list)
    return json_response([a.to_dict() for a in accounts])


async def create_account(request: web.Request) -> web.Response:
    body = await json_body(request, NewAccount)
    generated = body.password is None or not body.password
    password = secrets.token_urlsafe(12) if generated else str(body.password)
    account = await in_thread(
        request.app,
        "console_accounts",
        request.app[CONSOLE].accounts.create,
        body.id,
        password=password,
        roles=body.roles,
        name=body.name,
        locale=body.locale,
        must_change_password=generated,
    )
    return json_response(
        {"account": account.to_dict(), "password": password if generated else None}, status=201
    )


async def update_account(request: web.Request) -> web.Response:
    body = await json_body(request, AccountChange)
    services = request.app[CONSOLE]
    account_id = request.match_info["id"]
    account = await in_thread(
        request.app,
        "console_accounts",
        services.accounts.update,
        account_id,
        roles=body.roles,
        name=body.name,
        active=body.active,
        locale=body.locale,
    )
    if body.active is False:
        await in_thread(request.app, "console_accounts", services.sessions.close_all, account_id)
    return json_response(account.to_dict())


async def reset_password(request: web.Request) -> web.Response:
    body = await json_body(request, PasswordReset, optional=True)
    services = request.app[CONSOLE]
    account_id = request.match_info["id"]
    password = body.password or secrets.token_urlsafe(12)
    account = await in_thread(
        request.app,
        "console_accounts",
        services.accounts.set_password,
        account_id,
        password,
        must_change=True,
    )
    await in_thread(request.app, "console_accounts", services.sessions.close_all, account_id)
    return json_response({"account": account.to_dict(), "password": password})


async def list_tokens(request: web.Request) -> web.Response:
    infos = await in_thread(request.app, "console_tokens", request.app[TOKENS].list)
    return json_response([i.to_dict() for i in infos])


async def create_token(request: web.Request) -> web.Response:
    body = await json_body(request, NewToken)
    issued = await in_thread(
        request.app, "console_tokens", request.app[TOKENS].create, body.user, name=body.name
    )
    return json_response({"token": issued.token, **issued.info.to_dict()}, status=201)


async def revoke_token(request: web.Request) -> web.Response:
    info = await in_thread(
        request.app, "console_tokens", request.app[TOKENS].revoke, request.match_info["id"]
    )
    return json_response(info.to_dict())


def _org(engine: ProcessEngine) -> dict[str, Any]:
    with engine.db.read() as conn:
        directory = Directory(conn)
        return {
            "departments": [
                {"id": d.id, "name": d.name, "parent_id": d.parent_id, "head_id": d.head_id}
                for d in directory.list_departments()
            ],
            "users": [
                {
                    "id": u.id,
                    "name": u.name,
                    "title": u.title,
                    "email": u.email,
                    "department_id": u.department_id,
                    "manager_id": u.manager_id,
                    "active": u.active,
                }
                for u in directory.list_users()
            ],
            "roles": [
                {"id": r.id, "name": r.name, "members": list(r.members)} for r in directory.list_roles()
            ],
        }


async def get_org(request: web.Request) -> web.Response:
    return json_response(await in_thread(request.app, "console_org", _org, request.app[ENGINE]))


def _import(engine: ProcessEngine, text: str, is_csv: bool) -> ImportResult:
    doc = parse_org_csv(text) if is_csv else parse_org_json(text)
    with engine.db.write() as conn:
        return import_org(conn, doc)


async def import_organisation(request: web.Request) -> web.Response:
    """A JSON or CSV org file, uploaded as the multipart field ``file``."""
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise BadRequest("send the org file as the multipart field 'file'")
    raw = upload.file.read(MAX_ORG_BYTES + 1)
    if len(raw) > MAX_ORG_BYTES:
        raise BadRequest(f"the org file is larger than {MAX_ORG_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("the org file is not UTF-8") from exc
    is_csv = upload.filename.lower().endswith(".csv")
    result = await in_thread(request.app, "console_org_import", _import, request.app[ENGINE], text, is_csv)
    return json_response({**result.to_dict(), "summary": str(result)})


def _automation(engine: ProcessEngine) -> dict[str, Any]:
    with engine.db.read() as conn:
        jobs = [j.to_dict() for j in list_jobs(conn, limit=200) if j.status in ("pending", "running", "dead")]
        return {
            "webhooks": list_webhooks(conn),
            "jobs": jobs,
            "connectors": list_connectors(conn),
        }


async def get_automation(request: web.Request) -> web.Response:
    return json_response(await in_thread(request.app, "console_automation", _automation, request.app[ENGINE]))


ROUTES = [
    Route("GET", "/admin/api/me", get_me, "self", self_service=True),
    Route("POST", "/admin/api/me/locale", set_locale, "self", self_service=True),
    Route("POST", "/admin/api/me/password", change_password, "self", self_service=True),
    Route("GET", "/admin/api/accounts", list_accounts, "read"),
    Route("POST", "/admin/api/accounts", create_account, "accounts"),
    Route("PATCH", "/admin/api/accounts/{id}", update_account, "accounts"),
    Route("POST", "/admin/api/accounts/{id}/password", reset_password, "accounts"),
    Route("GET", "/admin/api/tokens", list_tokens, "read"),
    Route("POST", "/admin/api/tokens", create_token, "accounts"),
    Route("POST", "/admin/api/tokens/{id}/revoke", revoke_token, "accounts"),
    Route("GET", "/admin/api/org", get_org, "read"),
    Route("POST", "/admin/api/org/import", import_organisation, "org"),
    Route("GET", "/admin/api/automation", get_automation, "read"),
]

__all__ = ["ROUTES"]
