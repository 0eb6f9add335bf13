"""Server-side validation of a submission: the form schema becomes a pydantic model.

Every submission (start, approve/reject with data, resubmit) is checked; errors come back
per field in ``InvalidInput.details`` as ``{"field": "lines[2].amount", "message": ...}`` and
the message is one line naming the first. Values are checked, not rewritten: what is stored
is what was submitted, so conditions see the same numbers the requester typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from engine.errors import InvalidInput
from engine.forms.schema import FormField, FormSchema
from engine.org import Directory


class _Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.end < self.start:
            raise ValueError("the end date is before the start date")
        return self


def _file_ref(value: Any) -> Any:
    """An attachment is its id, or an object with one (``{"id", "name", ...}`` from the uploader)."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str) and value["id"]:
        return value
    raise ValueError('an attachment is an id or an object like {"id": "..."}')


_FileRef = Annotated[Any, AfterValidator(_file_ref)]


def _annotation(f: FormField, *, partial: bool) -> Any:
    kind = f.kind
    required = f.required and not partial
    constraints: dict[str, Any] = {}
    base: Any
    if kind in ("text", "textarea"):
        base = str
        constraints = {"min_length": f.min_length or (1 if required else None), "max_length": f.max_length}
        if f.pattern:
            constraints["pattern"] = f.pattern
    elif kind in ("number", "money"):
        base = Decimal
        constraints = {"ge": f.minimum, "le": f.maximum, "decimal_places": f.decimals, "allow_inf_nan": False}
    elif kind in ("date", "datetime", "time"):
        base = {"date": dt.date, "datetime": dt.datetime, "time": dt.time}[kind]
    elif kind == "daterange":
        base = _Range
    elif kind in ("choice", "choices"):
        item: Any = Literal[f.options] if f.options else Any
        base = list[item] if kind == "choices" else item
        if kind == "choices" and required:
            constraints = {"min_length": 1}
    elif kind == "boolean":
        base = bool
    elif kind in ("user", "department"):
        base = list[str] if f.multiple else str
        constraints = {"min_length": 1} if required else {}
    elif kind == "attachment":
        base = list[_FileRef]
        constraints = {"min_length": 1} if required else {}
    elif kind == "group":  # a nested object; an edit may send only some of its fields
        base = _model(f"Group_{f.key}", f.columns, partial=partial)
    else:  # table
        row = _model(f"Row_{f.key}", f.columns, partial=False)
        base = list[row]  # type: ignore[valid-type]
        constraints = {"min_length": f.min_rows or (1 if required else None), "max_length": f.max_rows}
    constraints = {k: v for k, v in constraints.items() if v is not None}
    annotated = Annotated[base, Field(**constraints)] if constraints else base
    return annotated if required else annotated | None


def _model(name: str, fields: tuple[FormField, ...], *, partial: bool) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for f in fields:
        required = f.required and not partial
        definitions[f.key] = (_annotation(f, partial=partial), ... if required else None)
    return create_model(name, __config__=ConfigDict(extra="forbid", strict=False), **definitions)


class CompiledForm:
    """A form schema with its two models: the full one (start, resubmit) and the partial one (edits)."""

    def __init__(self, schema: FormSchema) -> None:
        self.schema = schema
        self.full = _model("Form", schema.fields, partial=False)
        self.partial = _model("FormEdit", schema.fields, partial=True)
        self.keys = frozenset(f.key for f in schema.fields)

    def validate(
        self, values: Mapping[str, Any], *, merged: Mapping[str, Any], partial: bool, directory: Directory
    ) -> None:
        """Check ``values`` (what was submitted); cross-field checks run on ``merged`` (all data after it)."""
        problems: list[dict[str, str]] = []
        model = self.partial if partial else self.full
        payload = dict(values) if partial else {k: merged[k] for k in merged if k in self.keys or k in values}
        try:
            model.model_validate(payload)
        except ValidationError as exc:
            problems.extend(_problem(e) for e in exc.errors(include_url=False))
        if not problems:
            problems.extend(self._sums(merged))
            problems.extend(self._people(merged, directory))
        if problems:
            first = problems[0]
            more = len(problems) - 1
            suffix = f" ({more} more problems in details)" if more else ""
            raise InvalidInput(
                f"form data refused: {first['field']}: {first['message']}{suffix}", details=problems
            )

    def _fields_in(
        self, data: Mapping[str, Any], fields: tuple[FormField, ...] | None = None, where: str = ""
    ) -> Iterator[tuple[FormField, Mapping[str, Any], str]]:
        """Every field with the object holding its value and its path; a group's fields are inside it."""
        for f in self.schema.fields if fields is None else fields:
            if f.kind != "group":
                yield f, data, f"{where}{f.key}"
            elif isinstance(data.get(f.key), Mapping):
                yield from self._fields_in(data[f.key], f.columns, f"{where}{f.key}.")

    def _sums(self, data: Mapping[str, Any]) -> list[dict[str, str]]:
        out = []
        for f, level, path in self._fields_in(data):
            if f.sum_of is None or level.get(f.key) is None:
                continue
            table, column = f.sum_of
            rows = level.get(table) or []
            total = sum((Decimal(str(r[column])) for r in rows if r.get(column) is not None), Decimal(0))
            if Decimal(str(level[f.key])) != total:
                out.append({"field": path, "message": f"must equal the sum of {table}[].{column} ({total})"})
        return out

    def _people(self, data: Mapping[str, Any], directory: Directory) -> list[dict[str, str]]:
        out = []
        for f, level, path in self._fields_in(data):
            value = level.get(f.key)
            if f.kind not in ("user", "department") or value is None:
                continue
            ids = value if isinstance(value, list) else [value]
            if f.kind == "user":
                active = directory.active_users(ids)
                missing = [i for i in ids if i not in active]
                what = "not an active user"
            else:
                missing = [i for i in ids if directory.department(i) is None]
                what = "not a department"
            if missing:
                out.append({"field": path, "message": f"{', '.join(missing)}: {what}"})
        return out


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_ordered()]",) or "[" in str(part):
            continue  # pydantic's internal step names, not fields
        else:
            out += ("." if out else "") + str(part)
    return out


def _problem(error: Any) -> dict[str, str]:
    field = _path(tuple(error["loc"]))
    kind = error["type"]
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        message = "is not a field of this form"
    else:
        message = " ".join(str(error["msg"]).split())
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
    return {"field": field or "(form)", "message": message}


__all__ = ["CompiledForm"]
