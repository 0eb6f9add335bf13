"""Approval commands of the ``jingwei`` CLI: admin operations, the CC inbox, form-data versions.

``act`` itself (approve, reject, return, transfer, delegate, add-signer, remove-signer, cc,
comment, take-back, resubmit) lives in ``cli.py`` with the other task commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from admin_web import cli_output as out
from engine import ProcessEngine

COMMANDS = frozenset({"admin", "copied", "versions"})


def add_approval_commands(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    adm = sub.add_parser("admin", help="admin operations: terminate, reassign, jump (reason required)")
    asub = adm.add_subparsers(dest="admin_command", required=True, parser_class=parser_class)
    t = asub.add_parser("terminate", help="end a running instance as terminated")
    t.add_argument("instance_id")
    r = asub.add_parser("reassign", help="give an open task to someone else")
    r.add_argument("task_id")
    r.add_argument("--to", required=True)
    j = asub.add_parser("jump", help="cancel the open steps and continue from a node")
    j.add_argument("instance_id")
    j.add_argument("--node", required=True)
    for p in (t, r, j):
        p.add_argument("--as", dest="actor", required=True)
        p.add_argument("--reason", required=True)
    c = sub.add_parser("copied", help="instances copied (CC'd) to a user")
    c.add_argument("--as", dest="actor", required=True)
    v = sub.add_parser("versions", help="the versions of an instance's form data, with diffs")
    v.add_argument("instance_id")


def run_approval_command(
    args: argparse.Namespace, engine: ProcessEngine, emit: Callable[[Any, str], None]
) -> None:
    if args.command == "admin":
        sub = args.admin_command
        if sub == "terminate":
            inst = engine.terminate(args.instance_id, actor=args.actor, reason=args.reason, channel="cli")
        elif sub == "reassign":
            inst = engine.reassign(
                args.task_id, actor=args.actor, to=args.to, reason=args.reason, channel="cli"
            )
        else:
            inst = engine.jump(
                args.instance_id, actor=args.actor, node=args.node, reason=args.reason, channel="cli"
            )
        emit(inst.to_dict(), out.instance_text(inst))
    elif args.command == "copied":
        found = engine.instances_cc_to(args.actor)
        lines = [f"{i.id}  {i.process_key} v{i.version} by {i.starter} ({i.status})" for i in found]
        emit([i.to_dict() for i in found], "\n".join(lines) or "nothing copied to you")
    else:
        versions = engine.data_versions(args.instance_id)
        lines = []
        for v in versions:
            lines.append(f"v{v.version} {v.at:%Y-%m-%d %H:%M:%S} {v.actor or 'engine'}")
            for c in v.changes:
                lines.append(f"    {c['field']}: {c['before']!r} -> {c['after']!r}")
        emit([v.to_dict() for v in versions], "\n".join(lines) or "no form data")


__all__ = ["COMMANDS", "add_approval_commands", "run_approval_command"]
