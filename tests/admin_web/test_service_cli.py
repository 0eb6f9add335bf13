"""``jingwei config show`` and ``jingwei token …``; settings from environment and TOML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from admin_web.cli import main
from admin_web.settings import load_settings
from engine import InvalidInput

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith("JINGWEI_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_environment_beats_the_toml_file_and_secrets_are_masked(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "jingwei.toml"
    config.write_text('port = 9001\nworkers = 3\nwecom_secret = "s3cret"\nadmins = ["a", "b"]\n')
    clean_env.setenv("JINGWEI_WORKERS", "5")
    clean_env.setenv("JINGWEI_DB", "postgresql+psycopg://jw:pw@db:5432/jw")
    code, shown, _ = run(capsys, "config", "show", "--config", str(config))
    assert code == 0
    assert (shown["port"], shown["workers"], shown["admins"]) == (9001, 5, ["a", "b"])
    assert shown["wecom_secret"] == "********"
    assert "pw" not in shown["db"] and shown["db"].startswith("postgresql+psycopg://jw:***@db")
    clean_env.setenv("JINGWEI_CONFIG", str(config))
    clean_env.setenv("JINGWEI_ADMINS", "x, y")
    assert load_settings().admins == ["x", "y"]
    assert load_settings(port=8080).port == 8080


def test_an_invalid_setting_stops_with_one_line_naming_it(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("JINGWEI_PORT", "99999")
    code = main(["config", "show"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "port" in err and "JINGWEI_PORT" in err
    clean_env.delenv("JINGWEI_PORT")
    (tmp_path / "bad.toml").write_text("nonsense = 1\n")
    with pytest.raises(InvalidInput, match="nonsense"):
        load_settings(tmp_path / "bad.toml")
    with pytest.raises(InvalidInput, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_tokens_are_created_listed_and_revoked(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert main(["org", "import", str(ROOT / "examples" / "org.json"), *db]) == 0
    capsys.readouterr()
    code, created, _ = run(capsys, "token", "create", "--user", "lina", "--name", "ci", *db)
    assert code == 0
    assert created["token"].startswith(f"jw_{created['id']}_")
    code, listed, _ = run(capsys, "token", "list", *db)
    assert [(t["id"], t["user_id"], t["name"], t["revoked_at"]) for t in listed] == [
        (created["id"], "lina", "ci", None)
    ]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    code, revoked, _ = run(capsys, "token", "revoke", created["id"], *db)
    assert code == 0 and revoked["revoked_at"]
    code, error, _ = run(capsys, "token", "create", "--user", "nobody", *db)
    assert code == 3 and error["error"]["code"] == "not_found"
