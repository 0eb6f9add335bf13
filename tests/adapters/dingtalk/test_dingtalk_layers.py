"""The adapter stays in its layer: engine, cards, the events and the SDK/HTTP libraries only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from admin_web.dingtalk import dingtalk_config
from admin_web.settings import Settings

PACKAGE = Path(__file__).resolve().parents[3] / "adapters" / "dingtalk"
FORBIDDEN = ("bot", "admin_web", "adapters.sandbox", "adapters.wecom")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_the_adapter_imports_nothing_above_it(module: Path) -> None:
    bad = {n for n in _imports(module) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{module.name} imports {sorted(bad)}"


def test_the_adapter_is_on_when_the_app_credentials_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "ROBOT_CODE", "CARD_TEMPLATE_ID"):
        monkeypatch.delenv(f"JINGWEI_DINGTALK_{name}", raising=False)
    monkeypatch.delenv("DINGTALK_OPENAPI_ENDPOINT", raising=False)
    assert dingtalk_config(Settings()) is None
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_ID", "dingabc")
    assert dingtalk_config(Settings()) is None  # the secret is needed too
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("JINGWEI_DINGTALK_CARD_TEMPLATE_ID", "tpl.schema")
    config = dingtalk_config(Settings())
    assert config is not None and config.robot == "dingabc" and config.card_template_id == "tpl.schema"
    assert (
        config.endpoint == "https://api.dingtalk.com"
        and config.legacy_endpoint == "https://oapi.dingtalk.com"
    )
    assert "s3cret" not in repr(config) and Settings().masked()["dingtalk_client_secret"] == "********"
    monkeypatch.setenv("JINGWEI_DINGTALK_ROBOT_CODE", "robot-1")
    monkeypatch.setenv("DINGTALK_OPENAPI_ENDPOINT", "http://127.0.0.1:1234/")
    config = dingtalk_config(Settings())
    assert config is not None and config.robot == "robot-1"
    assert config.endpoint == config.legacy_endpoint == "http://127.0.0.1:1234"
