"""Safe loading of BPMN XML: size limit, no DTDs or entities, one normalized text form."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_tree
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from engine.bpmn.problems import refuse

MAX_BYTES = 5 * 1024 * 1024
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

_DECLARATION = re.compile(r"\A\s*<\?xml\b.*?\?>", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"\A<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][\w.\-]*)[\"']")
# In well-formed XML a literal "<?" can only start a processing instruction, or sit inside a
# comment or a CDATA section; matching those two first keeps their content untouched.
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Document:
    root: Element
    text: str  # what is stored and exported: see ``normalize``


def load(source: bytes | str) -> Document:
    """Parse ``source`` safely; every failure is a one-line ``BpmnError``."""
    data = _as_bytes(source)
    if not data.strip():
        refuse("the file is empty")
    root = _parse(data)
    return Document(root=root, text=normalize(_decode(data)))


def normalize(text: str) -> str:
    """One UTF-8 declaration, then the original content without processing instructions.

    Idempotent, so deploy → export → deploy gives the same text.
    """
    body = _DECLARATION.sub("", text.lstrip("\ufeff"), count=1)
    body = _MARKUP.sub(_drop_instruction, body)
    return DECLARATION + "\n" + body.strip() + "\n"


def _drop_instruction(match: re.Match[str]) -> str:
    token = match.group(0)
    return "" if token.startswith("<?") else token


def _as_bytes(source: bytes | str) -> bytes:
    if isinstance(source, str):
        if len(source) > MAX_BYTES:
            _too_large(len(source))
        if not source.strip(" \t\r\n\ufeff"):
            refuse("the file is empty")
        # A str is already decoded: its declared encoding no longer applies, so re-declare UTF-8.
        body = _DECLARATION.sub("", source.lstrip("\ufeff"), count=1)
        try:
            data = (DECLARATION + "\n" + body.lstrip()).encode("utf-8")
        except UnicodeEncodeError:
            refuse("the text holds characters that cannot be encoded (lone surrogates)")
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        refuse(f"expected the XML as bytes or str, got {type(source).__name__}")
    if len(data) > MAX_BYTES:
        _too_large(len(data))
    return data


def _too_large(size: int) -> None:
    refuse(f"the file is {size / 1048576:.1f} MiB; the limit is {MAX_BYTES // 1048576} MiB")


def _parse(data: bytes) -> Element:
    try:
        root: Element = safe_tree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        refuse("DTDs and entity declarations are not allowed")
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(": line ")[0]
        refuse(f"the file is not well-formed XML: {reason} at line {line}, column {column + 1}")
    except LookupError as error:  # an encoding name Python does not know
        refuse(f"the file's encoding is not supported: {error}")
    except (ValueError, UnicodeError) as error:
        refuse(f"the file could not be read as XML: {error}")
    return root


def _decode(data: bytes) -> str:
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    else:
        declared = _DECLARED_ENCODING.match(data)
        if declared:
            encoding = declared.group(1).decode("ascii")
        elif data.startswith(b"<\x00"):  # UTF-16 without a BOM: expat detects it from the first "<"
            encoding = "utf-16-le"
        elif data.startswith(b"\x00<"):
            encoding = "utf-16-be"
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeError) as error:
        refuse(f"the file does not match its declared encoding {encoding!r}: {error}")


__all__ = ["DECLARATION", "MAX_BYTES", "Document", "load", "normalize"]
