"""The chat command grammar: ``/apply 请假 days=3 reason="家里有事"`` and friends.

Tolerates Chinese input habits: full-width slash, equals sign, colon, spaces and quotes;
``key=value`` or ``key：value``; values with spaces in ASCII or Chinese quotes. Numbers
become numbers so conditions such as ``amount > 10000`` work on chat input.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

FULL_WIDTH = str.maketrans(
    {"／": "/", "＝": "=", "：": ":", "　": " ", "“": '"', "”": '"', "‘": "'", "’": "'"}
)
_TOKEN = re.compile(r'([\w.\u4e00-\u9fff-]+[=:])?(?:"([^"]*)"|\'([^\']*)\')|(\S+)')
_PAIR = re.compile(r"^([\w.\u4e00-\u9fff-]+)[=:](.*)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class GrammarError(ValueError):
    """The text could not be read as a command; the message says what to type instead."""


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str  # as typed, lower-cased, without the slash
    args: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # everything after the command word, as typed

    def rest(self) -> str:
        return " ".join(self.args)


def _value(raw: str, quoted: bool) -> Any:
    if quoted:
        return raw
    if _NUMBER.match(raw):
        if "." not in raw:
            return int(raw)
        try:
            return float(Decimal(raw))
        except InvalidOperation:
            return raw
    return raw


def parse(text: str) -> ParsedCommand:
    """Split ``text`` into a command word, positional args and ``key=value`` options."""
    normalized = text.translate(FULL_WIDTH).strip()
    if not normalized:
        raise GrammarError("empty message: type /help to see what I can do")
    head, _, tail = normalized.partition(" ")
    name = head.lstrip("/").lower()
    args: list[str] = []
    options: dict[str, Any] = {}
    for match in _TOKEN.finditer(tail):
        key_part, double, single, bare = match.groups()
        quoted = double if double is not None else single
        if quoted is not None:
            if key_part:
                options[key_part[:-1]] = quoted  # key="value with spaces"
            else:
                args.append(quoted)
            continue
        pair = _PAIR.match(bare)
        if pair and pair.group(2):
            options[pair.group(1)] = _value(pair.group(2), False)
        else:
            args.append(bare)
    return ParsedCommand(name=name, args=tuple(args), options=options, text=tail.strip())


def suggest(word: str, known: list[str], limit: int = 3) -> list[str]:
    """The closest known command names to a mistyped ``word``."""
    return difflib.get_close_matches(word.lower(), known, n=limit, cutoff=0.5)


__all__ = ["GrammarError", "ParsedCommand", "parse", "suggest"]
