from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_wecom import DEPARTMENTS, USERS, FakeWeCom, ServerThread
from wecom_callbacks import AGENT_ID, CORP_ID, SECRET


@pytest.fixture
def fake_wecom() -> Iterator[FakeWeCom]:
    fake = FakeWeCom(
        CORP_ID,
        SECRET,
        AGENT_ID,
        members={"LiLei", "ChenJie", "ZhouLi", "lilei", "chenjie", "zhouli", "zhangwei"},
        departments=[dict(d) for d in DEPARTMENTS],
        users=[dict(u) for u in USERS],
    )
    server = ServerThread(fake.app())
    fake.url = server.start()
    yield fake
    server.stop()
