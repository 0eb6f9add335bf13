"""HTTP/JSON connectors for service tasks and rules (docs/automation.md, "Connectors")."""

from engine.connectors.calls import ConnectorError, build_request, call, map_response
from engine.connectors.config import ConnectorConfig, parse_connector
from engine.connectors.http import HttpFailure, HttpRequest, HttpResponse, send, signature, verify_signature
from engine.connectors.spec import ConnectorCall
from engine.connectors.store import list_connectors, load_connector, remove_connector, save_connector

__all__ = [
    "ConnectorCall",
    "ConnectorConfig",
    "ConnectorError",
    "HttpFailure",
    "HttpRequest",
    "HttpResponse",
    "build_request",
    "call",
    "list_connectors",
    "load_connector",
    "map_response",
    "parse_connector",
    "remove_connector",
    "save_connector",
    "send",
    "signature",
    "verify_signature",
]
