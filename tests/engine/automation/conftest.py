from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from support import SMALL_ORG

from engine import Database, ProcessEngine
from engine.automation import build_worker
from engine.jobs import Worker
from engine.org import import_org, parse_org_json


class FakeClock:
    """An injectable clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 1, 0)) -> None:  # a Monday, 09:00 in Shanghai
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def eng(db: Database, clock: FakeClock) -> ProcessEngine:
    with db.write() as conn:
        import_org(conn, parse_org_json(json.dumps(SMALL_ORG)))
    return ProcessEngine(db, clock=clock)


@pytest.fixture
def worker(eng: ProcessEngine, clock: FakeClock) -> Worker:
    return build_worker(eng, clock=clock, backoff_base=1.0)


@pytest.fixture
def run_jobs(worker: Worker) -> Callable[[], int]:
    def run() -> int:
        total = 0
        for _ in range(20):
            relayed = worker.loops[0].drain()
            done = worker.drain()
            total += done
            if not done and not relayed:
                break
        return total

    return run


@pytest.fixture
def remote():  # type: ignore[no-untyped-def]
    from fake_remote import start_remote

    server, stop = start_remote()
    yield server
    stop()
