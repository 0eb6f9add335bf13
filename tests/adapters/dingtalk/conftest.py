"""The fake DingTalk, and the adapter's configuration pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dingtalk_fake import FakeDingTalk

from adapters.dingtalk import DingTalkConfig


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDingTalk]:
    server = FakeDingTalk().start()
    # the SDK's own variable: the one way the adapter is pointed somewhere other than DingTalk
    monkeypatch.setenv("DINGTALK_OPENAPI_ENDPOINT", server.base)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield server
    server.stop()


@pytest.fixture
def config(fake: FakeDingTalk) -> DingTalkConfig:
    return DingTalkConfig(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        card_template_id=fake.template_id,
        endpoint=fake.base,
    )
