"""What changed between two versions of a process: element by element, and line by line.

Elements are matched by id. An element counts as changed when its tag, its attributes or
its own content (names, conditions, timer and loop settings; not its diagram position and
not the elements nested in it, which are compared on their own) differ.
"""

from __future__ import annotations

import difflib
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeTree

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
# children that only repeat what the sequence flows say
_DERIVED = frozenset({BPMN + "incoming", BPMN + "outgoing"})
MAX_DIFF_LINES = 4000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _content(element: Element) -> str:
    """The element's own settings as text: attributes and id-less children, recursively."""
    parts = [_local(element.tag)]
    parts += [f"@{k}={v}" for k, v in sorted(element.attrib.items())]
    if element.text and element.text.strip():
        parts.append("text=" + element.text.strip())
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _DERIVED or child.get("id") is not None:
            continue
        parts.append("{" + _content(child) + "}")
    return " ".join(parts)


def semantic_elements(xml: str) -> dict[str, tuple[str, str, str]]:
    """``id -> (type, name, content)`` of every BPMN model element with an id (diagram left out)."""
    root = SafeTree.fromstring(xml.encode("utf-8"), forbid_dtd=True)
    found: dict[str, tuple[str, str, str]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(BPMN):
            continue
        element_id = element.get("id")
        if element_id is None or _local(element.tag) in ("definitions",):
            continue
        found[element_id] = (_local(element.tag), element.get("name") or "", _content(element))
    return found


def diff_xml(old: str, new: str, *, old_label: str, new_label: str) -> dict[str, Any]:
    before = semantic_elements(old)
    after = semantic_elements(new)

    def describe(element_id: str, entry: tuple[str, str, str]) -> dict[str, str]:
        return {"id": element_id, "type": entry[0], "name": entry[1]}

    added = [describe(i, after[i]) for i in after if i not in before]
    removed = [describe(i, before[i]) for i in before if i not in after]
    changed = [describe(i, after[i]) for i in after if i in before and before[i][2] != after[i][2]]
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm=""
        )
    )
    truncated = len(lines) > MAX_DIFF_LINES
    return {
        "added": added,
        "removed": removed,
        "changed": changed,
        "unified": "\n".join(lines[:MAX_DIFF_LINES]),
        "truncated": truncated,
        "identical": old == new,
    }


__all__ = ["diff_xml", "semantic_elements"]
