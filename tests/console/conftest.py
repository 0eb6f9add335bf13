"""The console on a test database: the example company and processes, one account per role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from console_support import Console, console_settings, seed_console

from admin_web.app import create_app
from engine import Database, ProcessEngine


@pytest.fixture
def console_engine(db: Database) -> ProcessEngine:
    return seed_console(db)


@pytest.fixture
async def console_client(
    aiohttp_client: Any, db: Database, tmp_path: Path, console_engine: ProcessEngine
) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(create_app(console_settings(db, tmp_path)))
    return client


@pytest.fixture
def as_role(aiohttp_client: Any, db: Database, tmp_path: Path, console_engine: ProcessEngine) -> Any:
    """``await as_role("lilei")``: a fresh client (its own cookie jar) logged in as that account."""

    async def make(user: str) -> Console:
        client = await aiohttp_client(create_app(console_settings(db, tmp_path)))
        return await Console(client).login(user)

    return make
