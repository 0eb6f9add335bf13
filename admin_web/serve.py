"""``jingwei serve``: prepare the database (and the demo data), say where to look, run the app."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from admin_web.app import create_app
from admin_web.demo import load_examples
from admin_web.settings import Settings
from engine import ApiTokens, Database, InvalidInput, ProcessEngine
from engine.accounts import FIRST_ADMIN, Accounts

DEMO_USER = "zhangwei"
DEMO_TOKEN_NAME = "demo"


@dataclass(frozen=True, slots=True)
class Banner:
    """What ``serve`` prints before it starts listening."""

    urls: dict[str, str]
    token: str | None
    demo_lines: list[str]
    console_password: str | None = None  # the first admin's one-time password, on the first start only

    def to_dict(self) -> dict[str, Any]:
        return {
            "urls": self.urls,
            "token": self.token,
            "demo_user": DEMO_USER if self.token else None,
            "console_admin": {"user": FIRST_ADMIN, "password": self.console_password}
            if self.console_password
            else None,
        }

    def text(self) -> str:
        lines = ["Jingwei BPM is starting." + (" Demo data:" if self.demo_lines else "")]
        lines += [f"  {line}" for line in self.demo_lines]
        lines += [
            "",
            f"  Open            {self.urls['home']}",
            f"  Console         {self.urls['base']}/admin/",
            f"  API docs        {self.urls['docs']}",
            f"  OpenAPI         {self.urls['openapi']}",
        ]
        if "sandbox" in self.urls:
            sandbox = self.urls["sandbox"]
            lines.append(f"  Sandbox chat    {sandbox}?user=lilei  (try /apply 报销 amount=20000)")
        if self.token:
            lines += [
                f"  Token ({DEMO_USER}, admin in the demo): {self.token}",
                f"  Try             curl -H 'Authorization: Bearer {self.token}' '{self.urls['base']}"
                "/api/v1/tasks?assignee=me'",
            ]
        if self.console_password:
            lines += [
                f"  Console login   {FIRST_ADMIN} / {self.console_password}",
                "                  (one-time password, shown only now: change it at the first login)",
            ]
        lines.append("Press Ctrl+C to stop.")
        return "\n".join(lines)


def urls(settings: Settings) -> dict[str, str]:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base = (settings.public_url or f"http://{host}:{settings.port}").rstrip("/")
    found = {
        "base": base,
        "home": f"{base}/",
        "docs": f"{base}/api/docs",
        "openapi": f"{base}/api/v1/openapi.json",
    }
    if settings.sandbox:
        found["sandbox"] = f"{base}/sandbox"
    return found


def demo_settings(settings: Settings) -> Settings:
    """The demo opens the sandbox chat; the demo user may deploy and import unless admins were configured."""
    update: dict[str, object] = {"sandbox": True}
    if not settings.admins:
        update["admins"] = [DEMO_USER]
    return settings.model_copy(update=update)


def prepare(settings: Settings, *, demo: bool, examples: Path) -> Banner:
    """Create the schema when missing; with ``demo``, load the examples and issue a fresh demo token.

    A schema at an older revision is upgraded for the demo; otherwise serving is refused until
    ``jingwei migrate`` has run (once, not by every replica of a deployment at start-up).
    """
    db = Database(settings.db)
    try:
        schema = db.upgrade_schema() if demo else db.create_schema()
        if not schema.up_to_date:
            raise InvalidInput(
                f"the database schema is at revision {schema.current}, this version needs {schema.head}: "
                "run `jingwei migrate` first"
            )
        lines: list[str] = []
        token = None
        if demo:
            lines = load_examples(ProcessEngine(db), examples)
            tokens = ApiTokens(db)
            for old in tokens.list(user_id=DEMO_USER, include_revoked=False):
                if old.name == DEMO_TOKEN_NAME:  # one live demo token at a time
                    tokens.revoke(old.id)
            token = tokens.create(DEMO_USER, name=DEMO_TOKEN_NAME).token
        console_password = Accounts(db).ensure_first_admin()
    finally:
        db.dispose()
    return Banner(urls(settings), token, lines, console_password)


def serve(settings: Settings, *, demo: bool, examples: Path, as_json: bool = False) -> None:
    """Prepare, print the banner, and serve until interrupted."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if demo:
        settings = demo_settings(settings)
    banner = prepare(settings, demo=demo, examples=examples)
    print(json.dumps(banner.to_dict()) if as_json else banner.text(), flush=True)
    access_log = logging.getLogger("aiohttp.access") if settings.log_level == "DEBUG" else None
    try:
        web.run_app(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            print=None,
            access_log=access_log,
        )
    except OSError as exc:
        raise InvalidInput(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from exc


__all__ = ["DEMO_USER", "Banner", "demo_settings", "prepare", "serve", "urls"]
