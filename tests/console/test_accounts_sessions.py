"""Console accounts (scrypt passwords, roles, the first admin) and server-side sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from engine import Conflict, Database, InvalidInput
from engine.accounts import Accounts, check_password, hash_password
from engine.drafts import Drafts
from engine.org import Directory
from engine.sessions import Sessions
from engine.store.console_tables import console_sessions


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now


def test_passwords_are_scrypt_hashes_that_verify() -> None:
    encoded = hash_password("s3cret-words")
    assert encoded.startswith("scrypt$16384$8$1$")
    assert "s3cret" not in encoded
    assert check_password("s3cret-words", encoded)
    assert not check_password("s3cret-word", encoded)
    assert not check_password("x", "md5$whatever")
    assert hash_password("same") != hash_password("same")  # salted


def test_the_first_admin_is_created_once_with_a_one_time_password(db: Database) -> None:
    accounts = Accounts(db)
    password = accounts.ensure_first_admin()
    assert password and len(password) >= 12
    assert accounts.ensure_first_admin() is None
    admin = accounts.authenticate("admin", password)
    assert admin is not None and admin.roles == ("admin",) and admin.must_change_password
    with db.read() as conn:
        directory = Directory(conn)
        assert directory.user("admin") is not None
        assert directory.role_members(["admin"]) == ["admin"]


def test_authenticate_refuses_wrong_passwords_unknown_and_inactive_accounts(db: Database) -> None:
    accounts = Accounts(db)
    accounts.create("alice", password="long enough", roles=["designer"])
    assert accounts.authenticate("alice", "long enough") is not None
    assert accounts.authenticate("alice", "long enougH") is None
    assert accounts.authenticate("mallory", "long enough") is None
    accounts.update("alice", active=False)
    assert accounts.authenticate("alice", "long enough") is None


def test_accounts_check_their_input(db: Database) -> None:
    accounts = Accounts(db)
    with pytest.raises(InvalidInput, match="at least 8"):
        accounts.create("bob", password="short", roles=[])
    with pytest.raises(InvalidInput, match="unknown console role"):
        accounts.create("bob", password="long enough", roles=["superuser"])
    with pytest.raises(InvalidInput, match="without spaces"):
        accounts.create("bo b", password="long enough", roles=[])
    accounts.create("bob", password="long enough", roles=[])
    with pytest.raises(Conflict):
        accounts.create("bob", password="long enough", roles=[])


def test_the_last_admin_cannot_be_demoted_or_deactivated(db: Database) -> None:
    accounts = Accounts(db)
    accounts.create("root", password="long enough", roles=["admin"])
    with pytest.raises(Conflict, match="last active admin"):
        accounts.update("root", roles=["auditor"])
    with pytest.raises(Conflict):
        accounts.update("root", active=False)
    accounts.create("second", password="long enough", roles=["admin"])
    assert accounts.update("root", roles=["auditor"]).roles == ("auditor",)


def test_changing_a_password_needs_the_current_one(db: Database) -> None:
    accounts = Accounts(db)
    accounts.create("carol", password="first password", roles=["auditor"], must_change_password=True)
    with pytest.raises(InvalidInput, match="current password"):
        accounts.change_password("carol", "wrong", "second password")
    changed = accounts.change_password("carol", "first password", "second password")
    assert not changed.must_change_password
    assert accounts.authenticate("carol", "second password") is not None


def test_sessions_end_after_their_lifetime_or_when_idle(db: Database) -> None:
    clock = Clock()
    accounts = Accounts(db, clock=clock)
    account = accounts.create("dave", password="long enough", roles=["designer"])
    sessions = Sessions(db, lifetime=timedelta(hours=8), idle=timedelta(minutes=30), clock=clock)
    secret, session = sessions.open(account, ip="10.0.0.1", user_agent="test")
    found = sessions.lookup(secret)
    assert found is not None and found.csrf_token == session.csrf_token and found.account.id == "dave"
    clock.now += timedelta(minutes=20)
    assert sessions.lookup(secret) is not None  # touched: idle time starts again
    clock.now += timedelta(minutes=29)
    assert sessions.lookup(secret) is not None
    clock.now += timedelta(minutes=31)
    assert sessions.lookup(secret) is None
    secret, _ = sessions.open(account)
    for _ in range(20):
        clock.now += timedelta(minutes=25)
        sessions.lookup(secret)
    assert sessions.lookup(secret) is None  # 8 hours at most, however busy


def test_only_a_hash_of_the_session_secret_is_stored(db: Database) -> None:
    account = Accounts(db).create("erin", password="long enough", roles=["auditor"])
    sessions = Sessions(db)
    secret, session = sessions.open(account)
    with db.read() as conn:
        stored = conn.execute(sa.select(console_sessions.c.id)).scalars().all()
    assert stored == [session.id] and secret not in stored
    assert sessions.lookup("not-a-session") is None
    sessions.close(secret)
    assert sessions.lookup(secret) is None


def test_closing_every_session_of_an_account_can_keep_the_current_one(db: Database) -> None:
    account = Accounts(db).create("fay", password="long enough", roles=["auditor"])
    sessions = Sessions(db)
    first, kept = sessions.open(account)
    second, _ = sessions.open(account)
    assert sessions.close_all("fay", keep=kept.id) == 1
    assert sessions.lookup(first) is not None and sessions.lookup(second) is None


def test_drafts_keep_revisions_and_refuse_stale_saves(db: Database) -> None:
    drafts = Drafts(db)
    xml = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p"/></definitions>'
    first = drafts.save("p", by="alice", revision=None, xml=xml, name="P")
    assert first.revision == 1 and first.form is None
    second = drafts.save("p", by="bob", revision=1, form={"type": "default", "components": []})
    assert second.revision == 2 and second.xml == xml and second.form is not None
    with pytest.raises(Conflict, match="bob"):
        drafts.save("p", by="alice", revision=1, xml=xml)
    with pytest.raises(Conflict):
        drafts.save("p", by="alice", revision=None, xml=xml)
    assert [d.key for d in drafts.list()] == ["p"]
    drafts.delete("p")
    assert drafts.find("p") is None


def test_draft_xml_with_entities_is_refused(db: Database) -> None:
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><definitions><process id="p"/></definitions>'
    )
    with pytest.raises(InvalidInput):
        Drafts(db).save("p", by=None, revision=None, xml=evil)
