"""A served app with the sandbox on, the example company and processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import load_example_org

from admin_web.app import create_app
from admin_web.settings import Settings
from engine import Database, ProcessEngine

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
async def sandbox(aiohttp_client: Any, db: Database, tmp_path: Path) -> Any:
    load_example_org(db)
    engine = ProcessEngine(db)
    for key in ("expense", "leave"):
        engine.deploy((EXAMPLES / f"{key}.bpmn").read_bytes())
    url = db.url.render_as_string(hide_password=False)
    settings = Settings(db=url, sandbox=True, attachments_dir=tmp_path / "files", workers=4)
    return await aiohttp_client(create_app(settings))
