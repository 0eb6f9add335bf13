"""Forms (F1–F3): form-js schemas per process version, server-side validation, field permissions."""

from engine.forms.permissions import EDITABLE, HIDDEN, READONLY, check_writable, permission, visible_data
from engine.forms.schema import FormField, FormSchema, parse_form
from engine.forms.store import FormCache, compile_form, save_form
from engine.forms.validation import CompiledForm

__all__ = [
    "EDITABLE",
    "HIDDEN",
    "READONLY",
    "CompiledForm",
    "FormCache",
    "FormField",
    "FormSchema",
    "check_writable",
    "compile_form",
    "parse_form",
    "permission",
    "save_form",
    "visible_data",
]
