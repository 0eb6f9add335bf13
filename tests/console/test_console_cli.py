"""``jingwei user …`` and the one-time admin password of the first start."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from admin_web.cli import main
from admin_web.serve import prepare
from admin_web.settings import Settings
from engine import Database
from engine.accounts import Accounts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in argv and out.strip() else out


def test_user_create_admin_prints_a_one_time_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    code, created = _run(capsys, "user", "create", "ops", "--admin", "--name", "Ops", "--db", url, "--json")
    assert code == 0
    assert created["account"]["roles"] == ["admin"] and created["account"]["must_change_password"]
    db = Database(url)
    try:
        assert Accounts(db).authenticate("ops", created["password"]) is not None
    finally:
        db.dispose()
    code, listed = _run(capsys, "user", "list", "--db", url, "--json")
    assert [a["id"] for a in listed] == ["ops"]
    code, text = _run(capsys, "user", "roles", "ops", "admin", "designer", "--db", url)
    assert code == 0 and "admin,designer" in text
    code, reset = _run(capsys, "user", "password", "ops", "--db", url, "--json")
    assert code == 0 and reset["password"] != created["password"]


def test_user_create_reads_a_chosen_password_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("chosen by me\n"))
    code, created = _run(
        capsys, "user", "create", "dana", "--designer", "--password-stdin", "--db", url, "--json"
    )
    assert code == 0 and created["password"] is None
    assert not created["account"]["must_change_password"]
    code, _ = _run(capsys, "user", "create", "dana", "--db", url)
    assert code == 4  # conflict: exists


def test_the_first_start_prints_the_admin_password_once(tmp_path: Path) -> None:
    settings = Settings(db=f"sqlite:///{tmp_path / 'j.db'}", attachments_dir=tmp_path / "f")
    first = prepare(settings, demo=False, examples=EXAMPLES)
    assert first.console_password
    assert f"admin / {first.console_password}" in first.text()
    assert first.to_dict()["console_admin"] == {"user": "admin", "password": first.console_password}
    again = prepare(settings, demo=False, examples=EXAMPLES)
    assert again.console_password is None
    assert "Console login" not in again.text()
