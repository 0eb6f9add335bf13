"""Reading a form-js schema into typed fields.

The console designs forms with form-js, so a form is stored as form-js JSON
(``{"type": "default", "components": [...]}``). Standard components map to field kinds;
what form-js lacks is added as custom component types the console registers:
``money``, ``daterange``, ``userpicker``, ``deptpicker`` (and ``attachment`` as another name
for form-js' ``filepicker``). Custom checks sit in a component's ``properties`` (form-js'
free-form "custom properties"): ``jw:sumOf`` (``lines.amount``: this field must equal the
sum of that column), ``jw:minRows`` / ``jw:maxRows`` on a ``dynamiclist``, ``jw:multiple``
on a picker. Display-only components (text, html, image, spacer, button …) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput

# form-js (or our custom) component type -> field kind
KINDS = {
    "textfield": "text",
    "textarea": "textarea",
    "number": "number",
    "money": "money",
    "datetime": "date",  # refined by "subtype"
    "daterange": "daterange",
    "select": "choice",
    "radio": "choice",
    "checklist": "choices",
    "taglist": "choices",
    "checkbox": "boolean",
    "userpicker": "user",
    "deptpicker": "department",
    "filepicker": "attachment",
    "attachment": "attachment",
    "dynamiclist": "table",
}
DISPLAY_ONLY = frozenset(
    {
        "text",
        "html",
        "image",
        "separator",
        "spacer",
        "button",
        "iframe",
        "table",
        "expression",
        "documentPreview",
    }
)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_FIELDS = 500


@dataclass(frozen=True, slots=True)
class FormField:
    key: str
    kind: str
    label: str
    required: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    options: tuple[Any, ...] | None = None
    multiple: bool = False
    decimals: int | None = None
    sum_of: tuple[str, str] | None = None  # (table key, column key)
    columns: tuple[FormField, ...] = ()  # a table's columns, or a group's fields
    min_rows: int | None = None
    max_rows: int | None = None


@dataclass(frozen=True, slots=True)
class FormSchema:
    id: str | None
    fields: tuple[FormField, ...]
    raw: dict[str, Any]

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[dict[str, str]] = []
        self.count = 0

    def bad(self, where: str, message: str) -> None:
        self.problems.append({"field": where, "message": message})

    def components(self, items: Any, where: str) -> list[FormField]:
        if not isinstance(items, list):
            self.bad(where, "components must be a list")
            return []
        out: list[FormField] = []
        seen: set[str] = set()
        for index, raw in enumerate(items):
            label = f"{where}[{index}]"
            if not isinstance(raw, Mapping):
                self.bad(label, "a component must be an object")
                continue
            kind = raw.get("type")
            if kind in DISPLAY_ONLY:
                continue
            if kind == "group":
                inner = self.components(raw.get("components", []), f"{label}.components")
                path = raw.get("path")
                if not path:  # a visual group: its fields belong to the form itself
                    for field in inner:
                        out.append(self._unique(field, seen, label))
                elif not isinstance(path, str) or not _KEY.fullmatch(path):
                    self.bad(label, 'a group\'s path names its object, like "applicant"')
                else:  # its fields are one object under ``path``: {"applicant": {"name": …}}
                    group = FormField(
                        key=path,
                        kind="group",
                        label=str(raw.get("label") or path),
                        required=any(f.required for f in inner),
                        columns=tuple(inner),
                    )
                    out.append(self._unique(group, seen, label))
                continue
            built = self.component(raw, label)
            if built is not None:
                out.append(self._unique(built, seen, label))
        return out

    def _unique(self, built: FormField, seen: set[str], label: str) -> FormField:
        if built.key in seen:
            self.bad(label, f'key "{built.key}" is used by two fields')
        seen.add(built.key)
        return built

    def component(self, raw: Mapping[str, Any], label: str) -> FormField | None:
        self.count += 1
        kind_name = raw.get("type")
        kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            self.bad(label, f"component type {kind_name!r} is not supported; use one of {', '.join(KINDS)}")
            return None
        key = raw.get("path") if kind == "table" else raw.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            self.bad(
                label, f"{kind_name} needs a {'path' if kind == 'table' else 'key'} like amount or lines"
            )
            return None
        if kind == "date":
            kind = {"date": "date", "datetime": "datetime", "time": "time"}.get(
                raw.get("subtype") or "date", "date"
            )
        validate = raw.get("validate") or {}
        props = raw.get("properties") or {}
        if not isinstance(validate, Mapping) or not isinstance(props, Mapping):
            self.bad(label, "validate and properties must be objects")
            return None
        where = f"{label} ({key})"
        options: tuple[Any, ...] | None = None
        if kind in ("choice", "choices") and isinstance(raw.get("values"), list):
            options = tuple(v.get("value") for v in raw["values"] if isinstance(v, Mapping))
        sum_of: tuple[str, str] | None = None
        if props.get("jw:sumOf"):
            table, _, column = str(props["jw:sumOf"]).replace("[]", "").partition(".")
            if not (table and column):
                self.bad(where, 'jw:sumOf names a table column like "lines.amount"')
            sum_of = (table, column)
        columns: tuple[FormField, ...] = ()
        if kind == "table":
            columns = tuple(self.components(raw.get("components", []), f"{label}.components"))
        decimals = raw.get("decimalDigits")
        return FormField(
            key=key,
            kind=kind,
            label=str(raw.get("label") or key),
            required=bool(validate.get("required")),
            minimum=self._number(validate.get("min"), where, "min"),
            maximum=self._number(validate.get("max"), where, "max"),
            min_length=self._int(validate.get("minLength"), where, "minLength"),
            max_length=self._int(validate.get("maxLength"), where, "maxLength"),
            pattern=self._pattern(validate.get("pattern"), where),
            options=options,
            multiple=str(props.get("jw:multiple", "")).lower() == "true",
            decimals=2 if kind == "money" else (decimals if isinstance(decimals, int) else None),
            sum_of=sum_of,
            columns=columns,
            min_rows=self._int(props.get("jw:minRows"), where, "jw:minRows"),
            max_rows=self._int(props.get("jw:maxRows"), where, "jw:maxRows"),
        )

    def _number(self, value: Any, where: str, name: str) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.bad(where, f"{name} must be a number, not {value!r}")
            return None

    def _int(self, value: Any, where: str, name: str) -> int | None:
        if value is None or value == "":
            return None
        try:
            return int(str(value))
        except ValueError:
            self.bad(where, f"{name} must be a whole number, not {value!r}")
            return None

    def _pattern(self, value: Any, where: str) -> str | None:
        if not value:
            return None
        try:
            re.compile(str(value))
        except re.error as exc:
            self.bad(where, f"pattern does not compile: {exc}")
            return None
        return str(value)


def parse_form(raw: Any) -> FormSchema:
    """A form-js schema (dict) as ``FormSchema``; ``InvalidInput`` lists every problem per component."""
    if not isinstance(raw, Mapping) or "components" not in raw:
        raise InvalidInput('a form is a form-js JSON object with "components"')
    reader = _Reader()
    fields = tuple(reader.components(raw["components"], "components"))
    if reader.count > MAX_FIELDS:
        reader.bad("components", f"a form has at most {MAX_FIELDS} fields")
    keys = {f.key: f for f in fields}
    for f in fields:
        if f.sum_of is None:
            continue
        table = keys.get(f.sum_of[0])
        if table is None or table.kind != "table" or not any(c.key == f.sum_of[1] for c in table.columns):
            reader.bad(f.key, f'jw:sumOf "{".".join(f.sum_of)}" does not name a column of a dynamiclist')
    if reader.problems:
        first = reader.problems[0]
        more = len(reader.problems) - 1
        suffix = f" ({more} more problems in details)" if more else ""
        raise InvalidInput(
            f"form refused: {first['field']}: {first['message']}{suffix}", details=reader.problems
        )
    form_id = raw.get("id")
    return FormSchema(id=str(form_id) if form_id else None, fields=fields, raw=dict(raw))


__all__ = ["DISPLAY_ONLY", "KINDS", "FormField", "FormSchema", "parse_form"]
