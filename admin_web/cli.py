"""The ``jingwei`` command line.

Global options ``--db URL`` and ``--json`` are accepted anywhere on the line. Errors
print one line (``error: ...``; with ``--json`` the error object) and exit non-zero:
2 invalid input, 3 not found, 4 conflict, 5 not allowed, 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from admin_web import cli_output as out
from admin_web.cli_accounts import COMMANDS as ACCOUNT_COMMANDS
from admin_web.cli_accounts import add_account_commands, run_account_command
from admin_web.cli_approvals import COMMANDS as APPROVAL_COMMANDS
from admin_web.cli_approvals import add_approval_commands, run_approval_command
from admin_web.cli_automation import AUTOMATION_COMMANDS, add_automation_commands, run_automation_command
from admin_web.cli_service import COMMANDS as SERVICE_COMMANDS
from admin_web.cli_service import add_service_commands, run_service_command
from engine import (
    Conflict,
    Database,
    InvalidInput,
    JingweiError,
    NotAllowed,
    NotFound,
    ProcessEngine,
    default_url,
)
from engine.org import import_org, parse_org_csv, parse_org_json

EXIT_CODES: dict[type[JingweiError], int] = {InvalidInput: 2, NotFound: 3, Conflict: 4, NotAllowed: 5}
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class UsageError(InvalidInput):
    code = "usage"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, our error path, not argparse's usage dump
        raise UsageError(f"{message} (see: jingwei --help)")


def _global_options(argv: Sequence[str]) -> tuple[list[str], str | None, bool]:
    rest: list[str] = []
    db: str | None = None
    as_json = False
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--json":
            as_json = True
        elif arg == "--db":
            if i + 1 >= len(items):
                raise UsageError("--db needs a database URL")
            db = items[i + 1]
            i += 1
        elif arg.startswith("--db="):
            db = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return rest, db, as_json


def _json_arg(text: str | None, what: str) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a JSON object like '{{\"amount\": 100}}'")
    return value


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="jingwei", description="Jingwei BPM: approvals and process automation")
    p.add_argument("--db", help="database URL (default: $JINGWEI_DB or sqlite:///var/jingwei.db)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("init-db", help="create the database schema (an empty database) and show its revision")
    sub.add_parser("migrate", help="bring the database schema to this version's revision")
    d = sub.add_parser("deploy", help="deploy a BPMN file as a new version")
    d.add_argument("file")
    d.add_argument("--form", help="a form-js JSON file attached to this version")
    sub.add_parser("definitions", help="list deployed definitions")
    e = sub.add_parser("export", help="print the BPMN XML of a definition")
    e.add_argument("key")
    e.add_argument("--version", type=int)
    s = sub.add_parser("start", help="start an instance")
    s.add_argument("key")
    s.add_argument("--as", dest="actor", required=True)
    s.add_argument("--data")
    s.add_argument("--version", type=int)
    t = sub.add_parser("tasks", help="list open tasks")
    t.add_argument("--assignee")
    t.add_argument("--instance")
    t.add_argument("--status", default="open", choices=["open", "completed", "cancelled", "all"])
    a = sub.add_parser(
        "act",
        help="act on a task: approve, reject, return, transfer, delegate, add-signer, remove-signer, "
        "cc, comment, take-back, resubmit",
    )
    a.add_argument("task_id")
    a.add_argument("action")
    a.add_argument("--as", dest="actor", required=True)
    a.add_argument("--comment")
    a.add_argument("--data")
    a.add_argument("--to", nargs="+")
    a.add_argument("--node", help="return: the step to return to (a node id, previous or starter)")
    a.add_argument("--position", help="add-signer: before, after (default) or parallel")
    for name in ("withdraw", "urge"):
        w = sub.add_parser(name, help=f"{name} an instance (starter only)")
        w.add_argument("instance_id")
        w.add_argument("--as", dest="actor", required=True)
    sh = sub.add_parser("show", help="an instance with its tasks and history")
    sh.add_argument("instance_id")
    v = sub.add_parser("verify", help="check an instance's hash-chained history")
    v.add_argument("instance_id")
    o = sub.add_parser("org", help="organisation")
    osub = o.add_subparsers(dest="org_command", required=True, parser_class=_Parser)
    oi = osub.add_parser("import", help="import users, departments and roles from JSON or CSV")
    oi.add_argument("file")
    osy = osub.add_parser("sync", help="bring departments and people from a chat platform into the org")
    osy.add_argument("source", choices=["dingtalk", "wecom"])
    osy.add_argument("--config", help="TOML settings file (default: $JINGWEI_CONFIG)")
    sub.add_parser("demo", help="deploy the examples and walk one expense request through, step by step")
    add_service_commands(sub, _Parser)
    add_approval_commands(sub, _Parser)
    add_automation_commands(sub, _Parser)
    add_account_commands(sub, _Parser)
    return p


def _engine(db_url: str | None) -> ProcessEngine:
    db = Database(db_url or default_url())
    db.create_schema()
    return ProcessEngine(db)


def run(args: argparse.Namespace, db_url: str | None, emit: Callable[[Any, str], None]) -> None:
    cmd = args.command
    if cmd in SERVICE_COMMANDS:
        run_service_command(args, db_url, emit, examples=EXAMPLES, as_json=getattr(args, "json", False))
        return
    if cmd == "demo":
        from admin_web.demo import run_demo

        run_demo(_engine(db_url), EXAMPLES, emit)
        return
    if cmd == "migrate":
        db = Database(db_url or default_url())
        before = db.schema_status().current
        after = db.upgrade_schema()
        db.dispose()
        emit(
            {"from": before, "to": after.current, "head": after.head, "ok": after.up_to_date},
            f"schema at revision {after.current} (was {before or 'none'})",
        )
        return
    engine = _engine(db_url)
    if cmd == "init-db":
        schema = engine.db.schema_status()
        emit(
            {
                "database": str(engine.db.url.render_as_string(hide_password=True)),
                "schema": schema.current,
                "ok": schema.up_to_date,
            },
            f"database ready, schema revision {schema.current}"
            if schema.up_to_date
            else f"schema at revision {schema.current}, this needs {schema.head}: run jingwei migrate",
        )
    elif cmd in APPROVAL_COMMANDS:
        run_approval_command(args, engine, emit)
    elif cmd in AUTOMATION_COMMANDS:
        run_automation_command(args, engine, emit)
    elif cmd in ACCOUNT_COMMANDS:
        run_account_command(args, engine, emit)
    elif cmd == "deploy":
        form = _read(args.form) if args.form else None
        view = engine.deploy(_read(args.file), form=form)
        emit(out.deployed(view), f"deployed {view.key} version {view.version} (id {view.id})")
    elif cmd == "definitions":
        views = engine.definitions()
        emit([v.to_dict() for v in views], out.definitions_text(views))
    elif cmd == "export":
        xml = engine.definition_xml(args.key, args.version)
        emit({"key": args.key, "xml": xml}, xml)
    elif cmd == "start":
        inst = engine.start(
            args.key, starter=args.actor, data=_json_arg(args.data, "--data"), version=args.version
        )
        emit(inst.to_dict(), out.instance_text(inst))
    elif cmd == "tasks":
        status = None if args.status == "all" else args.status
        tasks = engine.tasks(assignee=args.assignee, instance_id=args.instance, status=status)
        emit([t.to_dict() for t in tasks], out.tasks_text(tasks))
    elif cmd == "act":
        inst = engine.act(
            args.task_id,
            args.action,
            actor=args.actor,
            comment=args.comment,
            data=_json_arg(args.data, "--data"),
            to=args.to,
            node=args.node,
            position=args.position,
            channel="cli",
        )
        emit(inst.to_dict(), out.instance_text(inst))
    elif cmd in ("withdraw", "urge"):
        command = engine.withdraw if cmd == "withdraw" else engine.urge
        inst = command(args.instance_id, actor=args.actor)
        emit(inst.to_dict(), out.instance_text(inst))
    elif cmd == "show":
        inst = engine.instance(args.instance_id)
        emit(inst.to_dict(), out.instance_text(inst, history=True))
    elif cmd == "verify":
        check = engine.verify_history(args.instance_id)
        emit({"ok": check.ok, "rows": check.rows, "message": check.message}, check.message)
        if not check.ok:
            raise Conflict(check.message)
    elif cmd == "org" and args.org_command == "sync" and args.source == "wecom":
        from admin_web.settings import load_settings
        from admin_web.wecom_sync import run_sync_command

        outcome = run_sync_command(load_settings(args.config), engine.db)
        emit(outcome.to_dict(), outcome.text())
    elif cmd == "org" and args.org_command == "sync":
        from admin_web.dingtalk import sync_org
        from admin_web.settings import load_settings

        report = sync_org(load_settings(args.config), engine.db)
        emit(report.to_dict(), str(report))
    elif cmd == "org":
        raw = _read(args.file).decode("utf-8-sig", errors="replace")
        doc = parse_org_csv(raw) if args.file.lower().endswith(".csv") else parse_org_json(raw)
        with engine.db.write() as conn:
            result = import_org(conn, doc)
        emit(out.as_dict(result), out.import_text(result))


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in raw

    def emit(data: Any, text: str) -> None:
        if as_json:
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            print(text)

    try:
        rest, db_url, as_json = _global_options(raw)
        args = build_parser().parse_args(rest)
        args.json = as_json  # --json was taken off the line by _global_options
        run(args, db_url, emit)
        return 0
    except JingweiError as exc:
        code = next((c for cls, c in EXIT_CODES.items() if isinstance(exc, cls)), 1)
        _fail(exc.to_dict(), exc.message, as_json)
        return code
    except sa.exc.OperationalError as exc:
        message = f"database error: {str(exc.orig).strip().splitlines()[0] if exc.orig else exc}"
        _fail({"error": {"code": "database", "message": message, "details": None}}, message, as_json)
        return 1
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("JINGWEI_DEBUG"):
            raise
        message = f"internal error: {type(exc).__name__}: {exc} (set JINGWEI_DEBUG=1 for the traceback)"
        _fail({"error": {"code": "internal", "message": message, "details": None}}, message, as_json)
        return 1


def _fail(payload: dict[str, Any], message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(f"error: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
