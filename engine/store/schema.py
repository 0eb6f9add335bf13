"""The database schema, as SQLAlchemy Core tables.

One ``MetaData`` for the whole product. Instances keep their tokens and variables as
JSON in the instance row (one read, one write per command); tasks are always indexed
rows because to-do queries must stay fast at millions of rows; history is append-only
and hash-chained per instance.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = sa.String(32)
USER = sa.String(64)
# Naive UTC everywhere; microseconds kept on MariaDB too (the history hash covers them).
WHEN = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

definitions = sa.Table(
    "definitions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    sa.Column("xml", sa.Text, nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("deployed_at", WHEN, nullable=False),
    sa.Column("deployed_by", USER, nullable=True),
    sa.UniqueConstraint("key", "version"),
)

instances = sa.Table(
    "instances",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("definition_id", ID, sa.ForeignKey("definitions.id"), nullable=False),
    sa.Column("process_key", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # the definition version it is pinned to
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("starter", USER, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),  # form data and process variables
    sa.Column("state", sa.JSON, nullable=False),  # tokens, joins, multi-instance bookkeeping
    sa.Column("rev", sa.Integer, nullable=False),  # optimistic concurrency
    sa.Column("history_seq", sa.Integer, nullable=False),
    sa.Column("history_hash", sa.String(64), nullable=False),
    sa.Column("started_at", WHEN, nullable=False),
    sa.Column("updated_at", WHEN, nullable=False),
    sa.Column("ended_at", WHEN, nullable=True),
    sa.Index(None, "starter", "status"),
    sa.Index(None, "process_key", "status"),
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("instance_id", ID, sa.ForeignKey("instances.id"), nullable=False),
    sa.Column("node_id", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("token_id", sa.String(32), nullable=False),
    sa.Column("mi_index", sa.Integer, nullable=True),
    sa.Column("assignee", USER, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # open, completed, cancelled
    sa.Column("outcome", sa.String(16), nullable=True),  # approved, rejected, ...
    sa.Column("completed_by", USER, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("completed_at", WHEN, nullable=True),
    sa.Index(None, "assignee", "status"),
    sa.Index(None, "instance_id", "status"),
)

task_candidates = sa.Table(
    "task_candidates",
    metadata,
    sa.Column("task_id", ID, sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("user_id", USER, primary_key=True),
    sa.Index(None, "user_id"),
)

history = sa.Table(
    "history",
    metadata,
    sa.Column("instance_id", ID, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", WHEN, nullable=False),
    sa.Column("actor", USER, nullable=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("node_id", sa.String(255), nullable=True),
    sa.Column("task_id", ID, nullable=True),
    sa.Column("channel", sa.String(16), nullable=True),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("topic", sa.String(64), nullable=False),
    sa.Column("instance_id", ID, nullable=True),
    sa.Column("task_id", ID, nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("available_at", WHEN, nullable=False),
    sa.Index(None, "status", "available_at"),
)

# --- organisation ---------------------------------------------------------

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("parent_id", sa.String(64), nullable=True),
    sa.Column("head_id", USER, nullable=True),
    sa.Index(None, "parent_id"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", USER, primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("email", sa.String(255), nullable=True),
    sa.Column("mobile", sa.String(32), nullable=True),
    sa.Column("title", sa.String(255), nullable=True),
    sa.Column("department_id", sa.String(64), nullable=True),
    sa.Column("manager_id", USER, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("wecom_userid", sa.String(64), nullable=True, unique=True),
    sa.Column("dingtalk_userid", sa.String(64), nullable=True, unique=True),
    sa.Index(None, "department_id"),
    sa.Index(None, "manager_id"),
)

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
)

role_members = sa.Table(
    "role_members",
    metadata,
    sa.Column("role_id", sa.String(64), primary_key=True),
    sa.Column("user_id", USER, primary_key=True),
    sa.Index(None, "user_id"),
)

# --- access and files -------------------------------------------------------

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("user_id", USER, nullable=False),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    sa.Column("token_hash", sa.String(64), nullable=False),  # sha256 of the secret; the secret is never kept
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("last_used_at", WHEN, nullable=True),
    sa.Column("revoked_at", WHEN, nullable=True),
    sa.Index(None, "user_id"),
)

attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("instance_id", ID, sa.ForeignKey("instances.id"), nullable=False),
    sa.Column("comment_seq", sa.Integer, nullable=True),  # the ``commented`` history row it belongs to
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(127), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_key", sa.String(255), nullable=False),  # path under the attachments directory
    sa.Column("uploaded_by", USER, nullable=False),
    sa.Column("uploaded_at", WHEN, nullable=False),
    sa.Index(None, "instance_id"),
    sa.Index(None, "sha256"),
)

# --- automation: jobs, connectors, decisions, calendars, webhooks ---------------

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),  # timer, task-timeout, connector, webhook, start, ...
    sa.Column("instance_id", ID, nullable=True),
    sa.Column("token_id", sa.String(32), nullable=True),
    sa.Column("node_id", sa.String(255), nullable=True),
    sa.Column("task_id", ID, nullable=True),
    sa.Column("order_key", sa.String(128), nullable=True),  # jobs sharing a key run one at a time, by seq
    sa.Column("seq", sa.BigInteger, nullable=True),
    sa.Column("due_at", WHEN, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),  # carries schema_version
    sa.Column("status", sa.String(16), nullable=False),  # pending, running, done, dead, cancelled
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("lock_owner", sa.String(64), nullable=True),
    sa.Column("locked_until", WHEN, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", WHEN, nullable=False),
    sa.Column("finished_at", WHEN, nullable=True),
    sa.Index(None, "status", "due_at"),
    sa.Index(None, "instance_id", "status"),
    sa.Index(None, "order_key", "status"),
)

connectors = sa.Table(
    "connectors",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("config", sa.JSON, nullable=False),  # carries schema_version
    sa.Column("updated_at", WHEN, nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False, default=""),
    sa.Column("body", sa.JSON, nullable=False),  # the table as JSON; carries schema_version
    sa.Column("deployed_at", WHEN, nullable=False),
    sa.UniqueConstraint("key", "version"),
)

calendars = sa.Table(
    "calendars",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("config", sa.JSON, nullable=False),  # carries schema_version
    sa.Column("updated_at", WHEN, nullable=False),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("url", sa.String(1024), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),  # topics, or ["*"]
    sa.Column("secret", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", WHEN, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("webhook_id", ID, nullable=False),
    sa.Column("job_id", ID, nullable=False),
    sa.Column("outbox_id", sa.BigInteger, nullable=False),
    sa.Column("topic", sa.String(64), nullable=False),
    sa.Column("instance_id", ID, nullable=True),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # delivered, failed
    sa.Column("http_status", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("at", WHEN, nullable=False),
    sa.Index(None, "webhook_id", "at"),
    sa.Index(None, "job_id"),
)

# --- approvals: CC and forms ---------------------------------------------------

instance_cc = sa.Table(
    "instance_cc",
    metadata,
    sa.Column("instance_id", ID, primary_key=True),
    sa.Column("user_id", USER, primary_key=True),
    sa.Column("node_id", sa.String(255), nullable=True),
    sa.Column("by", USER, nullable=True),  # None: the node's configured CC
    sa.Column("at", WHEN, nullable=False),
    sa.Index(None, "user_id", "at"),
)

forms = sa.Table(
    "forms",
    metadata,
    sa.Column("definition_id", ID, primary_key=True),  # a form belongs to one process version
    sa.Column("schema", sa.JSON, nullable=False),  # form-js JSON as deployed
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("created_at", WHEN, nullable=False),
)

__all__ = [
    "api_tokens",
    "attachments",
    "calendars",
    "connectors",
    "decisions",
    "definitions",
    "departments",
    "forms",
    "history",
    "instance_cc",
    "instances",
    "jobs",
    "metadata",
    "outbox",
    "role_members",
    "roles",
    "task_candidates",
    "tasks",
    "users",
    "webhook_deliveries",
    "webhooks",
]
