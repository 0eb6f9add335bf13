"""Tokenizer: strips an optional ``${...}``/``#{...}`` wrapper and splits the text into tokens.

Positions are 0-based indexes into the original source so errors point at what the
user wrote, wrapper included.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from .messages import quote, syntax_error

MAX_SOURCE_LENGTH: Final = 2000

# token kinds
NUMBER: Final = "number"
STRING: Final = "string"
CONSTANT: Final = "constant"  # true/false/null and their Python spellings
NAME: Final = "name"
OP: Final = "op"  # symbols and word operators, with a canonical ``value``
END: Final = "end"

# word operators -> canonical operator (JUEL spellings map onto the symbols)
WORD_OPERATORS: Final[dict[str, str]] = {
    "and": "and",
    "or": "or",
    "not": "not",
    "in": "in",
    "empty": "empty",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
}
CONSTANTS: Final[dict[str, Any]] = {
    "true": True,
    "false": False,
    "null": None,
    "True": True,
    "False": False,
    "None": None,
}
_TWO_CHAR: Final[dict[str, str]] = {
    "==": "==",
    "!=": "!=",
    "<=": "<=",
    ">=": ">=",
    "&&": "and",
    "||": "or",
}
_ONE_CHAR: Final[dict[str, str]] = {c: c for c in "<>+-*/%()[],.?:"} | {"!": "not"}
_ESCAPES: Final[dict[str, str]] = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "t": "\t",
    "r": "\r",
}
_XML_ENTITIES: Final = ("&lt;", "&gt;", "&amp;", "&quot;", "&apos;")
# characters an IME commonly produces instead of the ASCII ones
_LOOKALIKES: Final[dict[str, str]] = {"“": '"', "”": '"', "‘": "'", "’": "'", "、": ","}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: Any  # canonical operator, literal value or name
    text: str  # as written
    pos: int  # 0-based index of the first character in the original source

    @property
    def end(self) -> int:
        return self.pos + len(self.text)

    @property
    def is_word(self) -> bool:
        """Whether the token is spelled like an identifier (usable as a field name)."""
        return self.kind in (NAME, CONSTANT) or (self.kind == OP and self.text in WORD_OPERATORS)


def strip_wrapper(source: str) -> tuple[str, int]:
    """Return the expression body and its offset in ``source``, without ``${ }``/``#{ }``."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise syntax_error(
            f"expression is too long ({len(source)} characters; the limit is {MAX_SOURCE_LENGTH})",
            source,
            None,
        )
    start = len(source) - len(source.lstrip())
    body = source.strip()
    if not body:
        raise syntax_error("empty expression", source, None)
    if body.startswith("="):
        raise syntax_error("FEEL expressions are not supported", source, start, 'write "${...}" instead')
    if body[:2] in ("${", "#{"):
        if not body.endswith("}"):
            raise syntax_error(f'missing closing "}}" for "{body[:2]}"', source, start)
        inner = body[2:-1]
        if not inner.strip():
            raise syntax_error("empty expression", source, None)
        return inner, start + 2
    return body, start


def tokenize(source: str) -> list[Token]:
    """Split ``source`` (the full original text) into tokens, ending with an END token."""
    body, offset = strip_wrapper(source)
    return _Lexer(source, body, offset).run()


class _Lexer:
    def __init__(self, source: str, body: str, offset: int) -> None:
        self.source = source
        self.body = body
        self.offset = offset
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        body, i, n = self.body, 0, len(self.body)
        while i < n:
            ch = body[i]
            if ch.isspace():
                i += 1
            elif "0" <= ch <= "9":
                i = self._number(i)
            elif ch == "_" or ch.isalpha():
                i = self._word(i)
            elif ch in "'\"":
                i = self._string(i)
            elif body[i : i + 2] in _TWO_CHAR:
                self._add(OP, _TWO_CHAR[body[i : i + 2]], body[i : i + 2], i)
                i += 2
            elif ch == "*" and body[i : i + 2] == "**":
                raise self._error('"**" is not an operator', i, "there is no power operator")
            elif ch in _ONE_CHAR:
                self._add(OP, _ONE_CHAR[ch], ch, i)
                i += 1
            else:
                raise self._bad_character(i)
        self.tokens.append(Token(END, None, "", self.offset + n))
        return self.tokens

    def _add(self, kind: str, value: Any, text: str, i: int) -> None:
        self.tokens.append(Token(kind, value, text, self.offset + i))

    def _error(self, problem: str, i: int, hint: str = "") -> Exception:
        return syntax_error(problem, self.source, self.offset + i, hint)

    def _number(self, i: int) -> int:
        body, start = self.body, i
        i = _skip_digits(body, i)
        is_decimal = False
        if body[i : i + 1] == "." and _is_digit(body[i + 1 : i + 2]):
            is_decimal = True
            i = _skip_digits(body, i + 1)
        if body[i : i + 1] in ("e", "E"):
            j = i + 1
            if body[j : j + 1] in ("+", "-"):
                j += 1
            if _is_digit(body[j : j + 1]):
                is_decimal = True
                i = _skip_digits(body, j)
        if i < len(body) and (body[i] == "_" or body[i].isalnum()):
            end = i
            while end < len(body) and (body[end] == "_" or body[end].isalnum()):
                end += 1
            raise self._error(f"invalid number {quote(body[start:end])}", start)
        text = body[start:i]
        if not is_decimal:
            self._add(NUMBER, int(text), text, start)
            return i
        try:
            value = Decimal(text)  # exact: no context rounding of literals
        except InvalidOperation:  # an exponent beyond what decimal can even hold
            raise self._error(f"number {quote(text, 40)} is out of range", start) from None
        if abs(value.adjusted()) > 999_999:
            raise self._error(f"number {quote(text, 40)} is out of range", start)
        self._add(NUMBER, value, text, start)
        return i

    def _word(self, i: int) -> int:
        body, start = self.body, i
        while i < len(body) and (body[i] == "_" or body[i].isalnum()):
            i += 1
        text = body[start:i]
        if text in CONSTANTS:
            self._add(CONSTANT, CONSTANTS[text], text, start)
        elif text in WORD_OPERATORS:
            self._add(OP, WORD_OPERATORS[text], text, start)
        else:
            self._add(NAME, text, text, start)
        return i

    def _string(self, i: int) -> int:
        body, start, quote_char = self.body, i, self.body[i]
        parts: list[str] = []
        i += 1
        while i < len(body):
            ch = body[i]
            if ch == quote_char:
                self._add(STRING, "".join(parts), body[start : i + 1], start)
                return i + 1
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in _ESCAPES:
                    parts.append(_ESCAPES[nxt])
                    i += 2
                    continue
                if nxt == "u":
                    digits = body[i + 2 : i + 6]
                    if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                        parts.append(chr(int(digits, 16)))
                        i += 6
                        continue
                    raise self._error("invalid \\u escape (expected 4 hex digits)", i)
                # any other backslash stays as written, so regex patterns like '\d+' work
            parts.append(ch)
            i += 1
        raise self._error("unterminated string", start, f"close it with {quote_char}")

    def _bad_character(self, i: int) -> Exception:
        body, ch = self.body, self.body[i]
        for entity in _XML_ENTITIES:
            if body.startswith(entity, i):
                return self._error(
                    f"XML entity {quote(entity)} found",
                    i,
                    "unescape the BPMN text first (for example &lt; is <)",
                )
        if ch == "=":
            return self._error('"=" is not an operator', i, 'use "==" to compare')
        if ch in "&|":
            return self._error(f"{quote(ch)} is not an operator", i, f'use "{ch * 2}"')
        if ch in "${}#":
            return self._error(
                f"unexpected {quote(ch)}",
                i,
                'only one "${...}" wrapper is allowed around the whole expression',
            )
        ascii_twin = _LOOKALIKES.get(ch)
        if ascii_twin is None and "\uff01" <= ch <= "\uff5e":  # full-width ASCII forms
            ascii_twin = chr(ord(ch) - 0xFEE0)
        if ascii_twin is not None:
            return self._error(f"unexpected character {quote(ch)}", i, f"use the ASCII {quote(ascii_twin)}")
        return self._error(f"unexpected character {quote(ch)}", i)


def _is_digit(char: str) -> bool:
    return char != "" and "0" <= char <= "9"


def _skip_digits(text: str, i: int) -> int:
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    return i
