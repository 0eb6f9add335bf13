"""Process drafts: the designer's BPMN XML and form-js schema per process key, before deploy.

A draft is saved with its ``revision``; a save naming an older revision is a ``Conflict``
(someone else saved in between), so two designers never silently overwrite each other.
Deploying takes the draft's XML and form (``ProcessEngine.deploy(xml, form=...)``); the
form then belongs to that version and is the one the engine validates submissions against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from defusedxml import ElementTree as SafeTree

from engine.clock import Clock, utcnow
from engine.errors import Conflict, InvalidInput, NotFound
from engine.store import Database
from engine.store.console_tables import process_drafts

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_XML = 5 * 1024 * 1024
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,254}")
_UNCHANGED: Any = object()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise InvalidInput(
            f"{key[:64]!r} is not a usable process key: a letter or _, then letters, digits, _ . -",
            details={"field": "key"},
        )
    return key


def process_ids(xml: str) -> list[tuple[str, bool]]:
    """``(id, isExecutable)`` of each process in ``xml`` (entities and DTDs refused)."""
    try:
        root = SafeTree.fromstring(xml.encode("utf-8"), forbid_dtd=True)
    except SafeTree.ParseError as exc:
        raise InvalidInput(f"the diagram is not well-formed XML: {exc}") from exc
    except Exception as exc:  # defusedxml's DTD/entity refusals
        raise InvalidInput(f"the diagram was refused: {type(exc).__name__}") from exc
    return [
        (p.get("id") or "", p.get("isExecutable", "").lower() == "true")
        for p in root.iter(f"{{{BPMN_NS}}}process")
    ]


def check_draft_xml(key: str, xml: str) -> None:
    """The XML must be BPMN whose deployed process (the only one, or the executable one) is ``key``."""
    if len(xml.encode("utf-8")) > MAX_XML:
        raise InvalidInput(f"the diagram is larger than {MAX_XML // (1024 * 1024)} MiB")
    found = process_ids(xml)
    if not found:
        raise InvalidInput("the diagram holds no BPMN process")
    executable = [pid for pid, flag in found if flag]
    chosen = found[0][0] if len(found) == 1 else (executable[0] if len(executable) == 1 else None)
    if chosen != key:
        raise InvalidInput(
            f'the diagram\'s process id is "{chosen}", not "{key}"; the process id is the key of the draft',
            details={"field": "xml"},
        )


@dataclass(frozen=True, slots=True)
class Draft:
    key: str
    name: str
    xml: str
    form: dict[str, Any] | None
    revision: int
    base_version: int | None
    updated_at: datetime
    updated_by: str | None

    def to_dict(self, *, with_content: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "revision": self.revision,
            "base_version": self.base_version,
            "updated_at": _iso(self.updated_at),
            "updated_by": self.updated_by,
            "has_form": self.form is not None,
        }
        if with_content:
            out["xml"] = self.xml
            out["form"] = self.form
        return out


def _draft(m: Any) -> Draft:
    return Draft(
        m["key"],
        m["name"],
        m["xml"],
        m["form"],
        m["revision"],
        m["base_version"],
        m["updated_at"],
        m["updated_by"],
    )


class Drafts:
    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    def find(self, key: str) -> Draft | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(process_drafts).where(process_drafts.c.key == key)).first()
        return None if row is None else _draft(row._mapping)

    def get(self, key: str) -> Draft:
        found = self.find(key)
        if found is None:
            raise NotFound(f'no draft of process "{key}"')
        return found

    def list(self) -> list[Draft]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(process_drafts).order_by(process_drafts.c.key))
            return [_draft(r._mapping) for r in rows]

    def save(
        self,
        key: str,
        *,
        by: str | None,
        revision: int | None,
        xml: str | None = None,
        name: str | None = None,
        form: Any = _UNCHANGED,
        base_version: int | None = None,
    ) -> Draft:
        """Create (``revision`` None) or update (``revision`` = the one read) the draft of ``key``.

        ``xml``/``name`` None and ``form`` omitted keep what is saved; ``form=None`` removes the form.
        """
        check_key(key)
        if xml is not None:
            check_draft_xml(key, xml)
        if form is not _UNCHANGED and form is not None and not isinstance(form, dict):
            raise InvalidInput("a form is a form-js schema (a JSON object)", details={"field": "form"})
        now = self.clock()
        with self.db.write() as conn:
            row = conn.execute(sa.select(process_drafts).where(process_drafts.c.key == key)).first()
            if row is None:
                if revision is not None:
                    raise Conflict(f'the draft of "{key}" was deleted; save it as a new draft')
                if xml is None:
                    raise InvalidInput("a new draft needs its BPMN XML", details={"field": "xml"})
                conn.execute(
                    process_drafts.insert().values(
                        key=key,
                        name=(name or "")[:255],
                        xml=xml,
                        form=None if form is _UNCHANGED else form,
                        revision=1,
                        base_version=base_version,
                        updated_at=now,
                        updated_by=by,
                    )
                )
            else:
                current = _draft(row._mapping)
                if revision is None or revision != current.revision:
                    raise Conflict(
                        f'the draft of "{key}" was saved by {current.updated_by or "someone"} '
                        f"(revision {current.revision}); reload it before saving",
                        details={"revision": current.revision},
                    )
                values: dict[str, Any] = {
                    "revision": current.revision + 1,
                    "updated_at": now,
                    "updated_by": by,
                }
                if xml is not None:
                    values["xml"] = xml
                if name is not None:
                    values["name"] = name[:255]
                if form is not _UNCHANGED:
                    values["form"] = form
                if base_version is not None:
                    values["base_version"] = base_version
                updated = conn.execute(
                    process_drafts.update()
                    .where(process_drafts.c.key == key, process_drafts.c.revision == current.revision)
                    .values(**values)
                )
                if updated.rowcount != 1:
                    raise Conflict(f'the draft of "{key}" changed while saving; reload it')
            saved = conn.execute(sa.select(process_drafts).where(process_drafts.c.key == key)).one()
            return _draft(saved._mapping)

    def delete(self, key: str) -> None:
        with self.db.write() as conn:
            deleted = conn.execute(process_drafts.delete().where(process_drafts.c.key == key))
        if not deleted.rowcount:
            raise NotFound(f'no draft of process "{key}"')


__all__ = ["Draft", "Drafts", "check_draft_xml", "check_key", "process_ids"]
