"""Collecting every problem in a document and turning them into one ``BpmnError``."""

from __future__ import annotations

from typing import NoReturn

from engine.errors import BpmnError

PREFIX = "BPMN refused: "
UNSUPPORTED = "not supported yet"
# A message is one line a person reads in a chat reply or a console toast.
_MAX_MESSAGE = 400


def one_line(text: str) -> str:
    """Collapse whitespace (expression errors may span lines) and cap the length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_MESSAGE else flat[: _MAX_MESSAGE - 1] + "…"


def quoted(element_id: str | None) -> str:
    return f'"{element_id}"' if element_id else "(no id)"


def refuse(message: str, *, element_type: str = "document", element_id: str | None = None) -> NoReturn:
    """Raise for a problem that stops reading the document at once."""
    text = one_line(message)
    detail = {"element_id": element_id, "element_type": element_type, "message": text}
    raise BpmnError(PREFIX + text, details=[detail])


class Problems:
    """Every problem found, in document order, each naming its element."""

    def __init__(self) -> None:
        self.details: list[dict[str, str | None]] = []
        self._seen: set[tuple[str | None, str]] = set()

    def add(self, element_id: str | None, element_type: str, message: str) -> None:
        text = one_line(message)
        key = (element_id, text)
        if key in self._seen:  # the same fact found by two checks is reported once
            return
        self._seen.add(key)
        self.details.append({"element_id": element_id, "element_type": element_type, "message": text})

    def __bool__(self) -> bool:
        return bool(self.details)

    def __len__(self) -> int:
        return len(self.details)

    def raise_if_any(self) -> None:
        if not self.details:
            return
        # Unsupported elements lead: they mean remodeling, while the rest are often one-attribute fixes.
        details = sorted(self.details, key=lambda d: UNSUPPORTED not in (d["message"] or ""))
        first = details[0]["message"] or ""
        more = len(details) - 1
        if more:
            first += f" ({more} more problem{'s' if more > 1 else ''} in details)"
        raise BpmnError(PREFIX + first, details=details)


__all__ = ["PREFIX", "UNSUPPORTED", "Problems", "one_line", "quoted", "refuse"]
