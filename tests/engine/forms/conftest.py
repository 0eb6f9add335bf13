from __future__ import annotations

import json

import pytest
from support import SMALL_ORG

from engine import Database, ProcessEngine
from engine.org import import_org, parse_org_json


@pytest.fixture
def eng(db: Database) -> ProcessEngine:
    with db.write() as conn:
        import_org(conn, parse_org_json(json.dumps(SMALL_ORG)))
    return ProcessEngine(db)
