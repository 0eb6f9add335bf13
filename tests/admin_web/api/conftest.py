"""An app on the test database with the example company and processes, and clients per user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_helpers import ADMIN, Api, db_url, seed

from admin_web.app import create_app
from admin_web.settings import Settings
from engine import ApiTokens, Database, ProcessEngine


@pytest.fixture
def api_settings(db: Database, tmp_path: Path) -> Settings:
    return Settings(
        db=db_url(db),
        attachments_dir=tmp_path / "files",
        admins=[ADMIN],
        max_upload_mb=1,
        max_body_kb=256,
        auth_failures_per_minute=5,
        token_cache_seconds=0,  # revocation visible at once; TokenCache has its own tests
        workers=4,
    )


@pytest.fixture
def seeded(db: Database) -> ProcessEngine:
    return seed(db)


@pytest.fixture
async def api(aiohttp_client: Any, api_settings: Settings, seeded: ProcessEngine, db: Database) -> Api:
    client = await aiohttp_client(create_app(api_settings))
    tokens = ApiTokens(db)
    return Api(client, {}, lambda user: tokens.create(user, name="test").token)
