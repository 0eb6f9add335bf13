"""Tables of the admin console, on the product's one ``MetaData``.

- ``console_accounts``: people who log in to the console, with a scrypt password hash and
  console roles (admin, designer, auditor). The account id is also their org user id, so
  what they do in the engine (start, terminate, ...) is done as that user.
- ``console_sessions``: server-side sessions; the cookie holds a random secret and only its
  sha256 is kept here, next to the session's CSRF token.
- ``process_drafts``: the designer's work in progress per process key (BPMN XML and the
  form-js schema), saved with a revision number so two designers never overwrite each other.
"""

from __future__ import annotations

import sqlalchemy as sa

from engine.store.schema import USER, WHEN, metadata

console_accounts = sa.Table(
    "console_accounts",
    metadata,
    sa.Column("id", USER, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),  # a list of admin, designer, auditor
    sa.Column("locale", sa.String(8), nullable=False, default="zh"),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("updated_at", WHEN, nullable=False),
    sa.Column("last_login_at", WHEN, nullable=True),
)

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha256 of the cookie's secret
    sa.Column("account_id", USER, nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("last_seen_at", WHEN, nullable=False),
    sa.Column("expires_at", WHEN, nullable=False),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(255), nullable=True),
    sa.Index(None, "account_id"),
    sa.Index(None, "expires_at"),
)

process_drafts = sa.Table(
    "process_drafts",
    metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    sa.Column("xml", sa.Text, nullable=False),
    sa.Column("form", sa.JSON, nullable=True),  # form-js schema, attached to the version at deploy
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=True),  # the deployed version it started from
    sa.Column("updated_at", WHEN, nullable=False),
    sa.Column("updated_by", USER, nullable=True),
)

__all__ = ["console_accounts", "console_sessions", "process_drafts"]
