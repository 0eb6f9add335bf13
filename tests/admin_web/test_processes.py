"""Two ``jingwei serve`` processes on one database: concurrent decisions on one task, one wins.

On PostgreSQL this is the production shape (several replicas, one database); the same test
runs on MariaDB and on a SQLite file, where the write lock serialises the two processes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from served import ROOT, Served

from engine import ApiTokens, Database, ProcessEngine
from engine.org import import_org, parse_org_json

pytestmark = pytest.mark.db
ROUNDS = 8


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


async def _race(a: str, b: str, tokens: dict[str, str], rounds: int) -> list[list[int]]:
    headers = {user: {"Authorization": f"Bearer {tok}"} for user, tok in tokens.items()}
    outcomes = []
    async with aiohttp.ClientSession() as http:
        for i in range(rounds):
            start = await http.post(
                f"{a}/api/v1/instances",
                json={"process_key": "expense", "data": {"amount": 100 + i}},
                headers=headers["zhangwei"],
            )
            assert start.status == 201, await start.text()
            task_id = (await start.json())["tasks"][0]["id"]
            action = {"action": "approve", "comment": "同意"}
            answers = await asyncio.gather(
                http.post(f"{a}/api/v1/tasks/{task_id}/actions", json=action, headers=headers["chenjie"]),
                http.post(f"{b}/api/v1/tasks/{task_id}/actions", json=action, headers=headers["chenjie"]),
            )
            outcomes.append(sorted(r.status for r in answers))
            for r in answers:
                body = await r.json()
                if r.status == 409:
                    assert body["error"]["code"] == "conflict"
    return outcomes


def test_concurrent_approvals_through_two_processes_one_wins(db: Database, tmp_path: Path) -> None:
    with db.write() as conn:
        import_org(conn, parse_org_json((ROOT / "examples" / "org.json").read_text(encoding="utf-8")))
    engine = ProcessEngine(db)
    engine.deploy((ROOT / "examples" / "expense.bpmn").read_bytes())
    tokens = {user: ApiTokens(db).create(user).token for user in ("zhangwei", "chenjie")}
    env = {"JINGWEI_DB": _url(db), "JINGWEI_WORKERS": "4"}
    with Served(tmp_path, env=env) as a, Served(tmp_path, env=env) as b:
        outcomes = asyncio.run(_race(a.url, b.url, tokens, ROUNDS))
    assert outcomes == [[200, 409]] * ROUNDS
    for inst in engine.instances(process_key="expense"):
        approvals = [h for h in engine.instance(inst.id).history if h.action == "approved"]
        assert len(approvals) == 1
        assert engine.verify_history(inst.id).ok
