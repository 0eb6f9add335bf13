"""Forms attached to a process version (the ``forms`` table) and their compiled models, cached.

A form belongs to one definition version (``jingwei deploy FILE.bpmn --form FORM.json``) and
never changes afterwards, so the compiled model is cached per definition id, absence included:
starting an instance of a process without a form costs no query after the first.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.forms.schema import parse_form
from engine.forms.validation import CompiledForm
from engine.store.schema import forms

_MISSING = object()


def compile_form(raw: Any) -> CompiledForm:
    return CompiledForm(parse_form(raw))


def save_form(conn: sa.Connection, definition_id: str, form: CompiledForm, now: datetime) -> None:
    body = json.dumps(form.schema.raw, sort_keys=True, ensure_ascii=False)
    conn.execute(
        forms.insert(),
        {
            "definition_id": definition_id,
            "schema": form.schema.raw,
            "checksum": hashlib.sha256(body.encode()).hexdigest(),
            "created_at": now,
        },
    )


class FormCache:
    def __init__(self) -> None:
        self._forms: dict[str, CompiledForm | None] = {}
        self._lock = threading.Lock()

    def get(self, conn: sa.Connection, definition_id: str) -> CompiledForm | None:
        found = self._forms.get(definition_id, _MISSING)
        if found is _MISSING:
            raw = conn.execute(
                sa.select(forms.c.schema).where(forms.c.definition_id == definition_id)
            ).scalar()
            found = None if raw is None else compile_form(raw)
            with self._lock:
                self._forms[definition_id] = found
        assert found is None or isinstance(found, CompiledForm)
        return found

    def put(self, definition_id: str, form: CompiledForm | None) -> None:
        with self._lock:
            self._forms[definition_id] = form


__all__ = ["FormCache", "compile_form", "save_form"]
