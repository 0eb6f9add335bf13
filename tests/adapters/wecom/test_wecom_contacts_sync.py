"""WeCom contacts → the org: translation, the sync, ``jingwei org sync wecom``, the schedule."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fake_wecom import DEPARTMENTS, USERS, FakeWeCom
from support import load_example_org
from wecom_callbacks import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, CallbackSender, until

from adapters.wecom import Contacts, WeComClient, to_org_document
from admin_web import wecom_sync
from admin_web.app import create_app
from admin_web.cli import main
from admin_web.settings import Settings
from admin_web.wecom import WECOM
from engine import Database
from engine.org import Directory, User
from engine.store.schema import users


def directory(db: Database) -> dict[str, User]:
    with db.read() as conn:
        return {u.id: u for u in Directory(conn).list_users()}


def test_contacts_become_an_org_document() -> None:
    existing = {"lilei": User("lilei", "李雷", email="lilei@jingwei-tech.cn", title="后端开发工程师")}
    translation = to_org_document(Contacts(DEPARTMENTS, USERS), existing)
    doc = translation.document
    depts = {d.id: d for d in doc.departments}
    assert depts["wecom-1"].parent_id is None and depts["wecom-3"].parent_id == "wecom-2"
    assert depts["wecom-1"].head_id == "wangjianguo"
    assert depts["wecom-3"].head_id == "chenjie"  # no department_leader: the is_leader_in_dept flag
    assert depts["wecom-4"].head_id == "zhouli"  # "outsider" is not visible to the app
    people = {u.id: u for u in doc.users}
    assert people["lilei"].manager_id == "chenjie" and people["lilei"].wecom_userid == "lilei"
    assert people["lilei"].email == "lilei@jingwei-tech.cn"  # WeCom no longer gives e-mail: kept
    assert people["newbie"].department_id == "wecom-3" and people["newbie"].manager_id == "chenjie"
    assert people["newbie"].title == "实习生"
    assert people["gone"].active is False
    assert translation.notes == [
        "department 4: leader(s) outsider not visible to the app",
        "user newbie: direct leader(s) ghost not visible to the app",
    ]


def test_a_userid_already_mapped_updates_that_org_user() -> None:
    existing = {
        "li.lei": User("li.lei", "李雷", wecom_userid="lilei"),
        "chen": User("chen", "陈杰", wecom_userid="chenjie"),
    }
    people = {u.id: u for u in to_org_document(Contacts(DEPARTMENTS, USERS), existing).document.users}
    assert "lilei" not in people and people["li.lei"].wecom_userid == "lilei"
    assert people["li.lei"].manager_id == "chen"


def test_sync_imports_into_the_org_and_is_repeatable(db: Database, fake_wecom: FakeWeCom) -> None:
    load_example_org(db)
    client = WeComClient(CORP_ID, SECRET, api_base=fake_wecom.api_base)
    outcome = wecom_sync.sync_org(db, client)
    assert (outcome.departments, outcome.users) == (4, 7)
    assert (outcome.result.users_created, outcome.result.users_updated) == (2, 5)
    people = directory(db)
    assert people["lilei"].wecom_userid == "lilei" and people["lilei"].department_id == "wecom-3"
    assert people["lilei"].email == "lilei@jingwei-tech.cn"
    assert people["newbie"].manager_id == "chenjie" and not people["gone"].active
    assert people["zhangwei"].wecom_userid is None  # not in WeCom: left as it was
    again = wecom_sync.sync_org(db, client)
    assert again.result.users_unchanged == 7 and again.result.departments_unchanged == 4


def test_the_command_line_sync(
    db: Database, fake_wecom: FakeWeCom, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    url = db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("JINGWEI_WECOM_CORP_ID", CORP_ID)
    monkeypatch.setenv("JINGWEI_WECOM_API_BASE", fake_wecom.api_base)
    monkeypatch.delenv("JINGWEI_WECOM_SECRET", raising=False)
    assert main(["org", "sync", "wecom", "--db", url]) == 2
    assert "JINGWEI_WECOM_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("JINGWEI_WECOM_SECRET", "wrong")
    assert main(["org", "sync", "wecom", "--db", url]) == 2
    assert "40001" in capsys.readouterr().err
    monkeypatch.setenv("JINGWEI_WECOM_SECRET", SECRET)
    assert main(["org", "sync", "wecom", "--db", url, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["users_created"] == 7 and shown["wecom_departments"] == 4 and len(shown["notes"]) == 2
    assert directory(db)["newbie"].wecom_userid == "newbie"


async def test_the_service_syncs_on_schedule_and_after_contact_changes(
    aiohttp_client: Any, db: Database, fake_wecom: FakeWeCom, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wecom_sync, "AFTER_CHANGE_SECONDS", 0.1)
    settings = Settings(
        db=db.url.render_as_string(hide_password=False),
        attachments_dir=tmp_path / "files",
        wecom_corp_id=CORP_ID,
        wecom_agent_id=AGENT_ID,
        wecom_secret=SECRET,
        wecom_token=TOKEN,
        wecom_aes_key=AES_KEY,
        wecom_api_base=fake_wecom.api_base,
        wecom_sync_minutes=60,
    )
    client = await aiohttp_client(create_app(settings))
    sync = client.server.app[WECOM].sync
    assert sync is not None
    await until(lambda: sync.last is not None)  # the first run is at start-up
    assert "newbie" in directory(db)

    fake_wecom.users.append({"userid": "hire2", "name": "又一个新人", "department": [3], "status": 1})
    change = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[create_user]]></ChangeType>"
        "<UserID><![CDATA[hire2]]></UserID></xml>"
    )
    assert await CallbackSender(client).post(change) == (200, "")
    await until(lambda: "hire2" in directory(db))
    with db.read() as conn:
        assert conn.execute(users.select().where(users.c.id == "hire2")).first() is not None
