"""Two conflicting commands on one task: exactly one wins, the other gets Conflict naming the task."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from support import bpmn, chain, task

from engine import Conflict, Database, ProcessEngine

ONE_STEP = bpmn('<startEvent id="s"/>' + task("t1", "manager") + '<endEvent id="e"/>' + chain("s", "t1", "e"))


def _race(eng: ProcessEngine, task_id: str, actions: list[str]) -> list[Any]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def worker(i: int, action: str) -> None:
        barrier.wait()
        try:
            results[i] = eng.act(task_id, action, actor="mgr").status
        except Conflict as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_threads_racing_on_one_task_exactly_one_wins(eng: ProcessEngine) -> None:
    eng.deploy(ONE_STEP)
    for _ in range(8):
        inst = eng.start("p", starter="alice")
        task_id = inst.tasks[0].id
        results = _race(eng, task_id, ["approve", "reject"])
        wins = [r for r in results if isinstance(r, str)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert task_id in losses[0].message
        final = eng.instance(inst.id)
        assert final.status == wins[0]
        decisions = [h for h in final.history if h.action in ("approved", "rejected")]
        assert len(decisions) == 1
        assert eng.verify_history(inst.id).ok


def _act_in_process(url: str, task_id: str, action: str, barrier: Any, out: Any) -> None:
    eng = ProcessEngine(Database(url))
    barrier.wait()
    try:
        out.put(("won", eng.act(task_id, action, actor="mgr").status))
    except Conflict as exc:
        out.put(("conflict", exc.message))


def test_two_processes_racing_on_one_task_exactly_one_wins(eng: ProcessEngine) -> None:
    eng.deploy(ONE_STEP)
    url = eng.db.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    for _ in range(3):
        inst = eng.start("p", starter="alice")
        task_id = inst.tasks[0].id
        barrier = ctx.Barrier(2)
        out = ctx.Queue()
        procs = [
            ctx.Process(target=_act_in_process, args=(url, task_id, a, barrier, out))
            for a in ("approve", "reject")
        ]
        for p in procs:
            p.start()
        results = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert sorted(kind for kind, _ in results) == ["conflict", "won"], results
        assert any(task_id in text for kind, text in results if kind == "conflict")
        assert eng.instance(inst.id).status in ("completed", "rejected")
