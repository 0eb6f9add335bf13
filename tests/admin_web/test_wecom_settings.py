"""The WeCom settings: when the adapter is on, and clear refusals of bad values."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from admin_web.app import create_app
from admin_web.settings import Settings, load_settings
from engine import InvalidInput

KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
FIVE = {
    "wecom_corp_id": "ww1436e0e65a779aee",
    "wecom_agent_id": "1000002",
    "wecom_secret": "s3cret",
    "wecom_token": "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
    "wecom_aes_key": KEY,
}


@pytest.fixture(autouse=True)
def _no_wecom_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(FIVE) + ["wecom_api_base", "wecom_sync_minutes"]:
        monkeypatch.delenv(f"JINGWEI_{name.upper()}", raising=False)


def test_the_default_api_base_is_wechatpys() -> None:
    from wechatpy.enterprise import WeChatClient

    assert Settings().wecom_api_base == WeChatClient.API_BASE_URL


def test_the_adapter_is_on_when_all_five_are_set() -> None:
    assert not Settings().wecom_enabled
    settings = Settings(**FIVE)
    assert settings.wecom_enabled and settings.wecom_agent_id == 1000002
    assert settings.wecom_api_base == "https://qyapi.weixin.qq.com/cgi-bin/"
    assert settings.wecom_callback_window_seconds == 300 and settings.wecom_sync_minutes == 0
    partial = Settings(**{k: v for k, v in FIVE.items() if k != "wecom_token"})
    assert not partial.wecom_enabled and partial.wecom_missing() == ["wecom_token"]
    shown = settings.masked()
    assert shown["wecom_secret"] == shown["wecom_aes_key"] == "********"


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FIVE.items():
        monkeypatch.setenv(f"JINGWEI_{name.upper()}", value)
    monkeypatch.setenv("JINGWEI_WECOM_API_BASE", "http://127.0.0.1:9/cgi-bin")
    settings = load_settings()
    assert settings.wecom_enabled and settings.wecom_api_base == "http://127.0.0.1:9/cgi-bin/"


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (KEY[:-1], "43-character EncodingAESKey"),
        (KEY + "A", "got 44 characters"),
        (KEY[:-1] + "=", "only letters, digits, + and /"),
    ],
)
def test_a_bad_encoding_aes_key_is_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, key: str, says: str
) -> None:
    monkeypatch.setenv("JINGWEI_WECOM_AES_KEY", key)
    with pytest.raises(InvalidInput) as caught:
        load_settings()
    assert "JINGWEI_WECOM_AES_KEY" in caught.value.message and says in caught.value.message
    assert key not in caught.value.message  # a secret is never echoed


def test_other_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGWEI_WECOM_API_BASE", "qyapi.weixin.qq.com")
    with pytest.raises(InvalidInput, match="JINGWEI_WECOM_API_BASE"):
        load_settings()
    monkeypatch.delenv("JINGWEI_WECOM_API_BASE")
    monkeypatch.setenv("JINGWEI_WECOM_AGENT_ID", "abc")
    with pytest.raises(InvalidInput, match="JINGWEI_WECOM_AGENT_ID"):
        load_settings()


async def test_no_callback_url_unless_enabled(aiohttp_client: Any, tmp_path: Any, caplog: Any) -> None:
    db = f"sqlite:///{tmp_path / 'j.db'}"
    with caplog.at_level(logging.WARNING, logger="jingwei.wecom"):
        client = await aiohttp_client(create_app(Settings(db=db, wecom_corp_id="ww1", wecom_secret="x")))
    assert (await client.get("/wecom/callback")).status == 404
    assert "JINGWEI_WECOM_AGENT_ID" in caplog.text and "JINGWEI_WECOM_AES_KEY" in caplog.text
