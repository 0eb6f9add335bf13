"""The service's commands: ``jingwei serve``, ``jingwei config show``, ``jingwei token …``.

They read the same settings as the service (``--config FILE``, ``JINGWEI_*``); ``--db``
given on the command line wins over both.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from admin_web.settings import Settings, load_settings
from engine import ApiTokens, Database, TokenInfo

COMMANDS = ("serve", "config", "token")
Emit = Callable[[Any, str], None]


def add_service_commands(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``serve``, ``config`` and ``token`` to the ``jingwei`` subcommand parser ``sub``."""
    s = sub.add_parser("serve", help="run the web service (REST API, health, metrics)")
    s.add_argument(
        "--demo", action="store_true", help="load the example company and processes, print a token"
    )
    s.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port to listen on (default 8000)")
    s.add_argument("--config", help="TOML settings file (default: $JINGWEI_CONFIG)")
    s.add_argument("--no-worker", action="store_true", help="leave timers and webhooks to `jingwei worker`")
    c = sub.add_parser("config", help="settings")
    csub = c.add_subparsers(dest="config_command", required=True, parser_class=parser_class)
    cs = csub.add_parser("show", help="print the effective settings, secrets masked")
    cs.add_argument("--config", help="TOML settings file (default: $JINGWEI_CONFIG)")
    t = sub.add_parser("token", help="API tokens")
    tsub = t.add_subparsers(dest="token_command", required=True, parser_class=parser_class)
    tc = tsub.add_parser("create", help="issue a token for a user (printed once)")
    tc.add_argument("--user", required=True)
    tc.add_argument("--name", default="")
    tsub.add_parser("list", help="list tokens (never their secrets)")
    tr = tsub.add_parser("revoke", help="revoke a token by id")
    tr.add_argument("token_id")
    for p in (tc, tr, tsub.choices["list"]):
        p.add_argument("--config", help="TOML settings file (default: $JINGWEI_CONFIG)")


def _settings(args: argparse.Namespace, db_url: str | None, **overrides: Any) -> Settings:
    return load_settings(getattr(args, "config", None), db=db_url, **overrides)


def _token_text(info: TokenInfo) -> str:
    state = f"revoked {info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "active"
    used = f"last used {info.last_used_at:%Y-%m-%d %H:%M}" if info.last_used_at else "never used"
    return f"{info.id}  {info.user_id:<16} {info.name or '-':<16} {state}, {used}"


def run_service_command(
    args: argparse.Namespace, db_url: str | None, emit: Emit, *, examples: Path, as_json: bool
) -> None:
    if args.command == "serve":
        from admin_web.serve import serve

        settings = _settings(args, db_url, host=args.host, port=args.port)
        if args.no_worker:
            settings = settings.model_copy(update={"worker": False})
        serve(settings, demo=args.demo, examples=examples, as_json=as_json)
        return
    settings = _settings(args, db_url)
    if args.command == "config":
        shown = settings.masked()
        emit(shown, "\n".join(f"{k} = {v!r}" for k, v in shown.items()))
        return
    db = Database(settings.db)
    try:
        db.create_schema()
        tokens = ApiTokens(db)
        if args.token_command == "create":
            issued = tokens.create(args.user, name=args.name)
            emit(
                {"token": issued.token, **issued.info.to_dict()},
                f"{issued.token}\n(token {issued.info.id} for {args.user}; shown once, keep it safe)",
            )
        elif args.token_command == "list":
            infos = tokens.list()
            emit([i.to_dict() for i in infos], "\n".join(map(_token_text, infos)) or "no tokens")
        else:
            info = tokens.revoke(args.token_id)
            emit(info.to_dict(), f"revoked token {info.id} of {info.user_id}")
    finally:
        db.dispose()


__all__ = ["COMMANDS", "add_service_commands", "run_service_command"]
