from __future__ import annotations

import json

import pytest
from approval_support import ORG

from engine import Database, ProcessEngine
from engine.org import import_org, parse_org_json


@pytest.fixture
def eng(db: Database) -> ProcessEngine:
    """An engine with a small org: alice, bob, carol, dave report to mgr, mgr to boss; boss is admin."""
    with db.write() as conn:
        import_org(conn, parse_org_json(json.dumps(ORG)))
    return ProcessEngine(db)
