"""Reads a command may need besides its instance: decision tables, calendars, managers.

``Execution.lookups`` is one of these, bound to the command's connection; behaviours call it
only when a node needs it, so a process without timers or decisions never queries for them.
"""

from __future__ import annotations

import sqlalchemy as sa

from engine.decisions.store import latest_table
from engine.decisions.table import DecisionTable
from engine.errors import NotFound
from engine.org.directory import Directory
from engine.store.schema import calendars
from engine.timers.calendar import DEFAULT_CALENDAR, BusinessCalendar


class CommandLookups:
    def __init__(self, conn: sa.Connection, directory: Directory | None = None) -> None:
        self.conn = conn
        self.directory = directory or Directory(conn)
        self._calendars: dict[str, BusinessCalendar] = {}

    def decision(self, key: str) -> DecisionTable:
        return latest_table(self.conn, key)

    def calendar(self, name: str) -> BusinessCalendar:
        found = self._calendars.get(name)
        if found is None:
            raw = self.conn.execute(sa.select(calendars.c.config).where(calendars.c.name == name)).scalar()
            if raw is None:
                if name != "default":
                    raise NotFound(f'unknown calendar "{name}" (jingwei calendar set {name} ...)')
                found = DEFAULT_CALENDAR
            else:
                found = BusinessCalendar.from_json(raw)
            self._calendars[name] = found
        return found

    def manager_of(self, user_id: str) -> str | None:
        chain = self.directory.manager_chain(user_id, 1)
        return chain[0] if chain else None


__all__ = ["CommandLookups"]
