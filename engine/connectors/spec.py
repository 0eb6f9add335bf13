"""What a serviceTask (or a rule's ``call``) asks of a connector."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectorCall:
    connector: str  # the connector's name (``jingwei connector add``)
    result_variable: str | None = None  # put the mapped response under this name instead of merging it


__all__ = ["ConnectorCall"]
