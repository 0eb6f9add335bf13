"""One connector call: render the request from process data, authenticate, send, map the answer.

The idempotency key (``Idempotency-Key`` by default) is the job id: the same on every retry
of one call, different for every call, so the remote side can drop duplicates.
"""

from __future__ import annotations

import base64
import os
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

from engine.connectors.config import ConnectorConfig
from engine.connectors.http import (
    HttpFailure,
    HttpRequest,
    HttpResponse,
    Transport,
    json_body,
    send,
    signature,
)
from engine.errors import InvalidInput
from engine.jobs.worker import JobFailed
from engine.templates import plain, render_json, render_text

RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class ConnectorError(JobFailed):
    """A failed call; carries the connector's own retry policy for the worker."""

    code = "connector_failed"

    def __init__(self, message: str, config: ConnectorConfig, *, permanent: bool = False) -> None:
        super().__init__(message, permanent=permanent, details={"connector": config.name})
        self.max_attempts = config.max_attempts
        self.backoff_seconds = config.backoff_seconds
        self.max_backoff_seconds = config.max_backoff_seconds


def _secret(auth: Mapping[str, Any], name: str, config: ConnectorConfig) -> str:
    """``name`` from the config, or from the environment variable ``<name>_env`` names."""
    env = auth.get(f"{name}_env")
    value = os.environ.get(str(env), "") if env else auth.get(name, "")
    if not value:
        raise ConnectorError(f'connector "{config.name}": auth {name} is not set', config, permanent=True)
    return str(value)


def build_request(config: ConnectorConfig, variables: Mapping[str, Any], key: str) -> HttpRequest:
    where = f'connector "{config.name}"'
    try:
        url = render_text(config.base_url, variables, where=where) + render_text(
            config.path, variables, where=where
        )
        query = render_json(config.query, variables, where=f"{where} query")
        headers = {
            k: str(v) for k, v in render_json(config.headers, variables, where=f"{where} headers").items()
        }
        body = (
            None
            if config.body is None
            else json_body(render_json(config.body, variables, where=f"{where} body"))
        )
    except InvalidInput as exc:
        raise ConnectorError(exc.message, config, permanent=True) from exc
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({k: plain(v) for k, v in query.items()})
    headers.setdefault("Accept", "application/json")
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    headers[config.idempotency_header] = key
    auth = config.auth
    kind = auth.get("type", "none")
    if kind == "bearer":
        headers["Authorization"] = "Bearer " + _secret(auth, "token", config)
    elif kind == "basic":
        pair = f"{_secret(auth, 'username', config)}:{_secret(auth, 'password', config)}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    elif kind == "hmac":
        stamp = str(int(time.time()))
        headers[str(auth.get("timestamp_header") or "X-Jingwei-Timestamp")] = stamp
        headers[str(auth.get("header") or "X-Jingwei-Signature")] = signature(
            _secret(auth, "secret", config), stamp, body or b""
        )
    return HttpRequest(config.method, url, headers, body, config.timeout)


def map_response(config: ConnectorConfig, response: HttpResponse) -> dict[str, Any]:
    answer = {"status": response.status, "body": response.json(), "headers": response.headers}
    try:
        return {
            k: render_json(v, answer, where=f'connector "{config.name}" response "{k}"')
            for k, v in config.response_map.items()
        }
    except InvalidInput as exc:
        raise ConnectorError(exc.message, config, permanent=True) from exc


def call(
    config: ConnectorConfig, variables: Mapping[str, Any], key: str, transport: Transport = send
) -> tuple[dict[str, Any], HttpResponse]:
    """Make the call; ``ConnectorError`` (permanent for 4xx other than 408/425/429) when it fails."""
    request = build_request(config, variables, key)
    try:
        response = transport(request)
    except HttpFailure as exc:
        raise ConnectorError(f'connector "{config.name}": {exc}', config) from exc
    if response.status >= 300:
        snippet = response.body[:300].decode("utf-8", errors="replace")
        permanent = response.status not in RETRYABLE and response.status < 500
        raise ConnectorError(
            f'connector "{config.name}" got HTTP {response.status}: {snippet}', config, permanent=permanent
        )
    return map_response(config, response), response


__all__ = ["RETRYABLE", "ConnectorError", "build_request", "call", "map_response"]
