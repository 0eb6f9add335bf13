"""Namespace URIs the parser understands and helpers to name tags and attributes."""

from __future__ import annotations

from xml.etree.ElementTree import Element

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMN_DI = "http://www.omg.org/spec/BPMN/20100524/DI"
JINGWEI = "https://jingwei.dev/schema/bpmn/1.0"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE = "http://flowable.org/bpmn"
ACTIVITI = "http://activiti.org/bpmn"

# Canonical prefixes: messages and Node.extensions keys use these whatever a file declares.
PREFIXES: dict[str, str] = {
    JINGWEI: "jw",
    CAMUNDA: "camunda",
    FLOWABLE: "flowable",
    ACTIVITI: "activiti",
}
# Vendor dialects in the order their attributes win when a file carries several.
VENDORS: tuple[str, ...] = (CAMUNDA, FLOWABLE, ACTIVITI)


def split(name: str) -> tuple[str, str]:
    """``"{uri}local"`` → ``(uri, local)``; an unqualified name has the empty URI."""
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        return uri, local
    return "", name


def local_name(element: Element) -> str:
    """The tag without its namespace; comments and processing instructions give ``""``."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return split(tag)[1]


def is_bpmn(element: Element) -> bool:
    tag = element.tag
    return isinstance(tag, str) and tag.startswith("{" + BPMN + "}")


def bpmn_children(element: Element) -> list[Element]:
    """Direct children in the BPMN model namespace."""
    return [child for child in element if is_bpmn(child)]


def display_name(name: str) -> str:
    """``"{camunda-uri}assignee"`` → ``"camunda:assignee"`` (foreign URIs stay in braces)."""
    uri, local = split(name)
    if not uri:
        return local
    prefix = PREFIXES.get(uri)
    return f"{prefix}:{local}" if prefix else name


def attribute(element: Element, uri: str, local: str) -> str | None:
    return element.get("{" + uri + "}" + local)


def vendor_attribute(element: Element, local: str) -> tuple[str, str] | None:
    """The first of ``camunda:/flowable:/activiti:<local>`` present, as ``(display name, value)``."""
    for uri in VENDORS:
        value = attribute(element, uri, local)
        if value is not None:
            return f"{PREFIXES[uri]}:{local}", value
    return None


def qualified_attributes(element: Element, uris: tuple[str, ...]) -> dict[str, str]:
    """Attributes of ``element`` in the given namespaces, keyed by display name."""
    found: dict[str, str] = {}
    for name, value in element.attrib.items():
        if split(name)[0] in uris:
            found[display_name(name)] = value
    return found


__all__ = [
    "ACTIVITI",
    "BPMN",
    "BPMN_DI",
    "CAMUNDA",
    "FLOWABLE",
    "JINGWEI",
    "PREFIXES",
    "VENDORS",
    "attribute",
    "bpmn_children",
    "display_name",
    "is_bpmn",
    "local_name",
    "qualified_attributes",
    "split",
    "vendor_attribute",
]
