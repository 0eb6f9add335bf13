"""Contacts sync: the fake's address book onto the org, on every database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from dingtalk_directory import FakeDepartment, FakeUser
from dingtalk_fake import FakeDingTalk
from support import load_example_org

from adapters.dingtalk import DingTalkConfig, OpenApi, sync_contacts
from admin_web import cli
from admin_web.app import create_app
from admin_web.settings import Settings
from engine import Database
from engine.org import Directory


@pytest.fixture
async def api(config: DingTalkConfig) -> AsyncIterator[OpenApi]:
    async with aiohttp.ClientSession() as session:
        yield OpenApi(config, session)


def _users(db: Database) -> dict[str, object]:
    with db.read() as conn:
        return {u.id: u for u in Directory(conn).list_users()}


def _departments(db: Database) -> dict[str, object]:
    with db.read() as conn:
        return {d.id: d for d in Directory(conn).list_departments()}


async def test_people_are_recognised_and_the_structure_kept(
    fake: FakeDingTalk, api: OpenApi, db: Database
) -> None:
    load_example_org(db)
    with db.write() as conn:  # a WeCom id set by another sync must survive this one
        conn.exec_driver_sql("UPDATE users SET wecom_userid = 'wx-lilei' WHERE id = 'lilei'")
    report = await sync_contacts(api, db)
    assert report.matched == {"mobile": 35} and report.created == 0 and report.deactivated == 0
    users = _users(db)
    lilei, chenjie = users["lilei"], users["chenjie"]
    assert lilei.dingtalk_userid == fake.directory.staff["lilei"] and lilei.wecom_userid == "wx-lilei"  # type: ignore[attr-defined]
    assert lilei.manager_id == "chenjie" and lilei.department_id == "backend"  # type: ignore[attr-defined]
    assert chenjie.manager_id is None  # type: ignore[attr-defined]
    assert _departments(db)["backend"].head_id == "chenjie"  # type: ignore[attr-defined]
    assert "dingtalk-1" not in _departments(db)  # the root was recognised by name

    again = await sync_contacts(api, db)
    assert (
        again.result is not None and again.result.users_updated == 0 and again.result.departments_updated == 0
    )
    assert again.matched == {"dingtalk_userid": 35}
    assert fake.errors == []


async def test_joiners_leavers_and_new_departments(fake: FakeDingTalk, api: OpenApi, db: Database) -> None:
    load_example_org(db)
    await sync_contacts(api, db)
    directory = fake.directory
    directory.departments[900] = FakeDepartment(900, "数据组", 100 + 1, managers=["dt7000"])  # under 技术中心
    directory.users["dt7000"] = FakeUser(
        "dt7000",
        "钱多多",
        "13900007000",
        "qdd@jingwei-tech.cn",
        "数据组长",
        [900],
        manager=directory.staff["liuyang"],
    )
    gone = directory.staff["wangfang"]
    del directory.users[gone]
    report = await sync_contacts(api, db)
    assert (report.created, report.deactivated) == (1, 1)
    users, departments = _users(db), _departments(db)
    assert users["dt7000"].department_id == "dingtalk-900" and users["dt7000"].manager_id == "liuyang"  # type: ignore[attr-defined]
    assert departments["dingtalk-900"].parent_id == "tech" and departments["dingtalk-900"].head_id == "dt7000"  # type: ignore[attr-defined]
    assert users["wangfang"].active is False and users["wangfang"].dingtalk_userid == gone  # type: ignore[attr-defined]


def test_the_cli_says_what_is_missing(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JINGWEI_DINGTALK_CLIENT_ID", raising=False)
    monkeypatch.delenv("JINGWEI_DINGTALK_CLIENT_SECRET", raising=False)
    assert cli.main(["org", "sync", "dingtalk", "--db", f"sqlite:///{tmp_path}/x.db"]) == 2
    assert "JINGWEI_DINGTALK_CLIENT_ID" in capsys.readouterr().err
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_ID", "id")
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_SECRET", "secret")
    monkeypatch.setenv("DINGTALK_OPENAPI_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    assert cli.main(["org", "sync", "dingtalk", "--db", f"sqlite:///{tmp_path}/x.db"]) == 2
    assert "cannot reach DingTalk" in capsys.readouterr().err


async def test_the_service_syncs_contacts_on_its_own_when_asked_to(
    fake: FakeDingTalk, db: Database, tmp_path: Path, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_example_org(db)
    assert _users(db)["lilei"].dingtalk_userid is None  # type: ignore[attr-defined]
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_SECRET", fake.client_secret)
    url = db.url.render_as_string(hide_password=False)
    settings = Settings(db=url, attachments_dir=tmp_path / "files", workers=2, dingtalk_sync_minutes=60)
    await aiohttp_client(create_app(settings))
    # the first sync runs at start-up, not after the first interval
    await fake.until(
        lambda: _users(db)["lilei"].dingtalk_userid == fake.directory.staff["lilei"],  # type: ignore[attr-defined]
        what="lilei's DingTalk id from the scheduled sync",
    )
    assert fake.errors == []
