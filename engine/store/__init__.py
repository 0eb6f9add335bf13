"""Persistence: the schema and the transaction discipline."""

from engine.store import chat_tables as _chat_tables  # noqa: F401  (registers its tables)
from engine.store import console_tables as _console_tables  # noqa: F401  (registers its tables)
from engine.store.database import DEFAULT_URL, Database, default_url
from engine.store.schema import metadata

__all__ = ["DEFAULT_URL", "Database", "default_url", "metadata"]
