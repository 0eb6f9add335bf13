"""Automation on the CLI: ``worker``, ``jobs``, ``webhook``, ``connector``, ``decision``, ``calendar``."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import InvalidInput, ProcessEngine
from engine.automation import build_worker
from engine.connectors import list_connectors, remove_connector, save_connector
from engine.decisions import deploy_decisions, latest_table, list_decisions
from engine.jobs import DEAD, list_jobs, retry_job
from engine.timers import BusinessCalendar
from engine.timers.calendar_store import list_calendars, save_calendar
from engine.webhooks import add_webhook, list_deliveries, list_webhooks, remove_webhook

AUTOMATION_COMMANDS = frozenset(
    {"worker", "jobs", "webhook", "connector", "decision", "decisions", "calendar"}
)
Emit = Callable[[Any, str], None]


def add_automation_commands(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    w = sub.add_parser("worker", help="run the job loop (timers, connectors, webhooks) and the outbox relay")
    w.add_argument("--poll", type=float, default=1.0, help="seconds between polls (default 1)")
    w.add_argument("--once", action="store_true", help="run what is due now, then exit")
    j = sub.add_parser("jobs", help="list jobs (--dead: the dead-letter queue); jobs retry ID")
    j.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    j.add_argument("job_id", nargs="?")
    j.add_argument("--dead", action="store_true")
    j.add_argument("--status")
    j.add_argument("--instance")
    h = sub.add_parser(
        "webhook", help="webhook subscriptions: add URL --events E,.. --secret S | list | remove ID"
    )
    h.add_argument("action", choices=["add", "list", "remove", "deliveries"])
    h.add_argument("target", nargs="?")
    h.add_argument("--events", nargs="+", default=[])
    h.add_argument("--secret")
    c = sub.add_parser("connector", help="connectors: add FILE.json [--base-url URL] | list | remove NAME")
    c.add_argument("action", choices=["add", "list", "remove"])
    c.add_argument("target", nargs="?")
    c.add_argument("--base-url")
    d = sub.add_parser(
        "decision", help="decision tables: deploy FILE.(dmn|json) | list | eval KEY --data JSON"
    )
    d.add_argument("action", choices=["deploy", "list", "eval"])
    d.add_argument("target", nargs="?")
    d.add_argument("--data")
    sub.add_parser("decisions", help="list decision tables")
    k = sub.add_parser(
        "calendar", help="business calendars: set NAME --holidays D,.. [--workdays D,..] | list"
    )
    k.add_argument("action", choices=["set", "list"])
    k.add_argument("name", nargs="?")
    k.add_argument("--holidays", default="")
    k.add_argument("--workdays", default="")
    k.add_argument("--timezone", default="Asia/Shanghai")


def _need(value: str | None, what: str) -> str:
    if not value:
        raise InvalidInput(f"missing {what}")
    return value


def run_automation_command(args: argparse.Namespace, engine: ProcessEngine, emit: Emit) -> None:
    cmd = args.command
    now = engine.clock()
    if cmd == "worker":
        _run_worker(engine, args, emit)
    elif cmd == "jobs":
        if args.action == "retry":
            with engine.db.write() as conn:
                job = retry_job(conn, _need(args.job_id, "the job id: jingwei jobs retry ID"), now)
            emit(job.to_dict(), f"job {job.id} will run again now")
            return
        status = DEAD if args.dead else args.status
        with engine.db.read() as conn:
            found = list_jobs(conn, status=status, instance_id=args.instance)
        lines = [
            f"{j.id}  {j.kind:<14} {j.status:<9} due {j.due_at:%Y-%m-%d %H:%M:%S}  tries {j.attempts}/"
            f"{j.max_attempts}  {j.instance_id or '-'} {j.node_id or ''} {j.last_error or ''}".rstrip()
            for j in found
        ]
        emit([j.to_dict() for j in found], "\n".join(lines) or "no jobs")
    elif cmd == "webhook":
        _webhook(args, engine, emit)
    elif cmd == "connector":
        _connector(args, engine, emit)
    elif cmd in ("decision", "decisions"):
        _decision(args, engine, emit)
    elif cmd == "calendar":
        _calendar(args, engine, emit)


def _run_worker(engine: ProcessEngine, args: argparse.Namespace, emit: Emit) -> None:
    worker = build_worker(engine, poll_seconds=args.poll)
    if args.once:
        relayed = worker.loops[0].drain()
        ran = worker.drain()
        emit({"relayed": relayed, "jobs": ran}, f"relayed {relayed} outbox rows, ran {ran} jobs")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    worker.start()
    emit({"worker": worker.owner, "started": True}, f"worker {worker.owner} running; Ctrl-C stops it")
    try:
        stop.wait()
    finally:
        worker.stop()


def _webhook(args: argparse.Namespace, engine: ProcessEngine, emit: Emit) -> None:
    if args.action == "add":
        with engine.db.write() as conn:
            hook = add_webhook(
                conn,
                _need(args.target, "the URL"),
                args.events,
                _need(args.secret, "--secret"),
                now=engine.clock(),
                ids=engine.ids,
            )
        emit(hook, f"webhook {hook['id']} -> {hook['url']} for {', '.join(hook['events'])}")
    elif args.action == "remove":
        with engine.db.write() as conn:
            remove_webhook(conn, _need(args.target, "the webhook id"))
        emit({"removed": args.target}, f"removed webhook {args.target}")
    elif args.action == "deliveries":
        with engine.db.read() as conn:
            log = list_deliveries(conn, webhook_id=args.target)
        emit(
            log,
            "\n".join(f"{e['at']} {e['topic']} {e['status']} {e['http_status'] or e['error']}" for e in log)
            or "no deliveries",
        )
    else:
        with engine.db.read() as conn:
            hooks = list_webhooks(conn)
        emit(
            hooks,
            "\n".join(f"{h['id']}  {h['url']}  {','.join(h['events'])}" for h in hooks) or "no webhooks",
        )


def _connector(args: argparse.Namespace, engine: ProcessEngine, emit: Emit) -> None:
    if args.action == "add":
        path = Path(_need(args.target, "the connector file"))
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"cannot read {path}: {exc}") from exc
        if args.base_url:
            raw["base_url"] = args.base_url
        with engine.db.write() as conn:
            config = save_connector(conn, raw, engine.clock())
        emit(
            {"name": config.name, "base_url": config.base_url},
            f"connector {config.name} -> {config.base_url}",
        )
    elif args.action == "remove":
        with engine.db.write() as conn:
            remove_connector(conn, _need(args.target, "the connector name"))
        emit({"removed": args.target}, f"removed connector {args.target}")
    else:
        with engine.db.read() as conn:
            found = list_connectors(conn)
        emit(found, "\n".join(f"{c['name']:<24} {c['base_url']}" for c in found) or "no connectors")


def _decision(args: argparse.Namespace, engine: ProcessEngine, emit: Emit) -> None:
    action = "list" if args.command == "decisions" else args.action
    if action == "deploy":
        path = Path(_need(args.target, "the DMN or JSON file"))
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc
        with engine.db.write() as conn:
            tables = deploy_decisions(conn, source, now=engine.clock(), ids=engine.ids, filename=path.name)
        out = [{"key": t.key, "version": t.version, "rules": len(t.rules)} for t in tables]
        emit(out, "\n".join(f"deployed decision {t['key']} version {t['version']}" for t in out))
    elif action == "eval":
        data = json.loads(args.data or "{}")
        with engine.db.read() as conn:
            result = latest_table(conn, _need(args.target, "the decision key")).evaluate(data)
        emit(result, json.dumps(result, ensure_ascii=False))
    else:
        with engine.db.read() as conn:
            found = list_decisions(conn)
        emit(
            found, "\n".join(f"{d['key']:<24} v{d['version']}  {d['name']}" for d in found) or "no decisions"
        )


def _calendar(args: argparse.Namespace, engine: ProcessEngine, emit: Emit) -> None:
    if args.action == "set":
        name = _need(args.name, "the calendar name")
        split = [d.strip() for d in args.holidays.split(",") if d.strip()]
        work = [d.strip() for d in args.workdays.split(",") if d.strip()]
        calendar = BusinessCalendar.from_json(
            {"name": name, "timezone": args.timezone, "holidays": split, "workdays": work}
        )
        with engine.db.write() as conn:
            save_calendar(conn, calendar, engine.clock())
        emit(calendar.to_json(), f"calendar {name}: {len(split)} holidays, {len(work)} make-up workdays")
    else:
        with engine.db.read() as conn:
            rows = list_calendars(conn)
        emit(
            rows,
            "\n".join(f"{r['name']}  {r['timezone']}  {len(r['holidays'])} holidays" for r in rows)
            or "no calendars (the default is Monday to Friday, Asia/Shanghai)",
        )


__all__ = ["AUTOMATION_COMMANDS", "add_automation_commands", "run_automation_command"]
