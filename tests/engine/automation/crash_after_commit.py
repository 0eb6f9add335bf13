"""Commit a start (its outbox rows), then die at once: no delivery can have happened.

Usage: python crash_after_commit.py DATABASE_URL WEBHOOK_URL
"""

from __future__ import annotations

import json
import os
import signal
import sys

from support import SMALL_ORG, bpmn, chain, task

from engine import Database, ProcessEngine
from engine.org import import_org, parse_org_json
from engine.webhooks import add_webhook


def main() -> None:
    db = Database(sys.argv[1])
    eng = ProcessEngine(db)
    with db.write() as conn:
        import_org(conn, parse_org_json(json.dumps(SMALL_ORG)))
        add_webhook(conn, sys.argv[2], ["*"], "s3cret-s3cret-s3cret", now=eng.clock(), ids=eng.ids)
    eng.deploy(
        bpmn('<startEvent id="s"/>' + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e"))
    )
    inst = eng.start("p", starter="alice")
    print(inst.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # between the commit and any delivery


if __name__ == "__main__":
    main()
