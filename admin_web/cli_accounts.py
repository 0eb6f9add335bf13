"""``jingwei user …``: console accounts from the command line (the first admin, lost passwords).

``jingwei user create ID --admin`` prints a one-time password (or reads one with
``--password-stdin``); the account must choose its own at the first login.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable
from typing import Any

from engine import ProcessEngine
from engine.accounts import ROLES, Account, Accounts

COMMANDS = ("user",)
Emit = Callable[[Any, str], None]


def add_account_commands(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    u = sub.add_parser("user", help="console accounts (log in at /login)")
    usub = u.add_subparsers(dest="user_command", required=True, parser_class=parser_class)
    c = usub.add_parser("create", help="create an account; prints a one-time password")
    c.add_argument("id")
    c.add_argument("--name", default="")
    for role in ROLES:
        c.add_argument(
            f"--{role}", action="append_const", const=role, dest="roles", help=f"give the {role} role"
        )
    c.add_argument("--locale", choices=["zh", "en"], default="zh")
    c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    usub.add_parser("list", help="list accounts")
    p = usub.add_parser("password", help="set a new one-time password for an account")
    p.add_argument("id")
    r = usub.add_parser("roles", help="replace an account's roles")
    r.add_argument("id")
    r.add_argument("roles", nargs="*", choices=list(ROLES))


def _line(account: Account) -> str:
    state = "active" if account.active else "inactive"
    return f"{account.id:<16} {','.join(account.roles) or '-':<24} {state}  {account.name}"


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n"), False
    return secrets.token_urlsafe(12), True


def run_account_command(args: argparse.Namespace, engine: ProcessEngine, emit: Emit) -> None:
    accounts = Accounts(engine.db)
    if args.user_command == "create":
        password, generated = _password(args)
        account = accounts.create(
            args.id,
            password=password,
            roles=args.roles or [],
            name=args.name,
            locale=args.locale,
            must_change_password=generated,
        )
        shown = password if generated else None
        text = f"created {account.id} ({', '.join(account.roles) or 'no roles'})"
        if shown:
            text += f"\none-time password: {shown}\n(log in at /login; it must be changed at the first login)"
        emit({"account": account.to_dict(), "password": shown}, text)
    elif args.user_command == "list":
        found = accounts.list()
        emit([a.to_dict() for a in found], "\n".join(map(_line, found)) or "no accounts")
    elif args.user_command == "password":
        password = secrets.token_urlsafe(12)
        account = accounts.set_password(args.id, password, must_change=True)
        emit(
            {"account": account.to_dict(), "password": password},
            f"one-time password for {account.id}: {password}",
        )
    else:
        account = accounts.update(args.id, roles=args.roles)
        emit(account.to_dict(), _line(account))


__all__ = ["COMMANDS", "add_account_commands", "run_account_command"]
