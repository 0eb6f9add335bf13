"""Engine throughput: expense lifecycles through the public Python API, one commit per command.

Each lifecycle: start (amount over 10000, so it routes to the finance director),
the manager approves, the director approves: three commands, three commits.
Prints one JSON object per line: {"metric", "value", "unit", "db", "n"}.

    python benchmarks/engine_throughput.py --n 2000
    python benchmarks/engine_throughput.py --n 2000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Database, ProcessEngine  # noqa: E402
from engine.org import import_org, parse_org_json  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from storage_floor import run_floor  # noqa: E402


def _emit(metric: str, value: float, unit: str, db: str, n: int) -> None:
    print(
        json.dumps({"metric": metric, "value": round(value, 3), "unit": unit, "db": db, "n": n}), flush=True
    )


def run(url: str, n: int, with_floor: bool = True) -> None:
    db = Database(url)
    db.drop_schema()
    db.create_schema()
    with db.write() as conn:
        import_org(conn, parse_org_json((ROOT / "examples" / "org.json").read_text(encoding="utf-8")))
    engine = ProcessEngine(db)
    engine.deploy((ROOT / "examples" / "expense.bpmn").read_bytes())
    starters = [u.id for u in _users_with_manager(engine)]
    latencies: list[float] = []
    name = db.dialect

    def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        latencies.append(time.perf_counter() - t0)
        return out

    t_start = time.perf_counter()
    tasks = []
    for i in range(n):
        inst = timed(
            engine.start,
            "expense",
            starter=starters[i % len(starters)],
            data={"amount": 12800, "reason": "bench"},
        )
        tasks.append(inst.tasks[0])
    t_started = time.perf_counter()
    second = []
    for task in tasks:
        inst = timed(engine.act, task.id, "approve", actor=task.assignee)
        second.append(inst.tasks[0])
    for task in second:
        inst = timed(engine.act, task.id, "approve", actor=task.assignee or task.candidates[0])
        assert inst.status == "completed"
    t_end = time.perf_counter()

    latencies.sort()
    _emit("starts_per_s", n / (t_started - t_start), "1/s", name, n)
    _emit("completions_per_s", 2 * n / (t_end - t_started), "1/s", name, n)
    _emit("lifecycles_per_s", n / (t_end - t_start), "1/s", name, n)
    _emit("command_p50_ms", statistics.median(latencies) * 1000, "ms", name, n)
    _emit("command_p99_ms", latencies[int(len(latencies) * 0.99) - 1] * 1000, "ms", name, n)
    _emit("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB", name, n)
    if with_floor:
        lifecycles = n / (t_end - t_start)
        floor = run_floor(db, n)
        _emit("floor_lifecycles_per_s", floor, "1/s", name, n)
        _emit("engine_vs_floor", lifecycles / floor, "ratio", name, n)
    db.dispose()


def _users_with_manager(engine: ProcessEngine):  # type: ignore[no-untyped-def]
    from engine.org import Directory

    with engine.db.read() as conn:
        directory = Directory(conn)
        return [u for u in directory.list_users() if u.active and directory.manager_chain(u.id, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="lifecycles to run")
    parser.add_argument(
        "--db", action="append", help="database URL (repeatable); default a fresh SQLite file"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for url in args.db or [f"sqlite:///{tmp}/bench.db"]:
            run(url, args.n)


if __name__ == "__main__":
    main()
