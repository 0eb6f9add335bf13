"""A connector's configuration: JSON with ``schema_version``, stored in the ``connectors`` table.

```json
{"schema_version": 1, "name": "finance-voucher", "base_url": "http://erp.local:8080",
 "request": {"method": "POST", "path": "/api/vouchers", "headers": {"X-Source": "jingwei"},
             "body": {"employee": "${starter}", "amount": "${amount}"}},
 "auth": {"type": "bearer", "token_env": "FIN_TOKEN"},
 "timeout_seconds": 10,
 "retry": {"max_attempts": 5, "backoff_seconds": 2, "max_backoff_seconds": 300},
 "idempotency_header": "Idempotency-Key",
 "response": {"map": {"voucherNo": "${body.data.voucher_no}"}}}
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ExpressionError, InvalidInput
from engine.templates import check_json, check_template

SCHEMA_VERSION = 1
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
AUTH_TYPES = ("none", "bearer", "basic", "hmac")
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    name: str
    base_url: str
    method: str = "POST"
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    auth: dict[str, Any] = field(default_factory=dict)
    timeout: float = 10.0
    max_attempts: int = 5
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 300.0
    idempotency_header: str = "Idempotency-Key"
    response_map: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_connector(raw: Any) -> ConnectorConfig:
    if not isinstance(raw, dict):
        raise InvalidInput("a connector configuration is a JSON object")
    if raw.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise InvalidInput(
            f"connector schema_version {raw.get('schema_version')!r} is not known to this release"
        )
    name = str(raw.get("name") or "")
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f'connector name "{name}": lower-case letters, digits, "-", "_" or ".", at most 64'
        )
    where = f'connector "{name}"'
    request = raw.get("request") or {}
    retry = raw.get("retry") or {}
    auth = raw.get("auth") or {"type": "none"}
    method = str(request.get("method") or "POST").upper()
    base_url = str(raw.get("base_url") or "")
    if method not in METHODS:
        raise InvalidInput(f"{where}: method {method}; use one of {', '.join(METHODS)}")
    if not base_url.startswith(("http://", "https://", "${")):
        raise InvalidInput(f"{where}: base_url must start with http:// or https://")
    if auth.get("type", "none") not in AUTH_TYPES:
        raise InvalidInput(f"{where}: auth type {auth.get('type')!r}; use one of {', '.join(AUTH_TYPES)}")
    response = raw.get("response") or {}
    try:
        for template in (base_url, str(request.get("path") or "")):
            check_template(template)
        check_json(request.get("headers") or {})
        check_json(request.get("query") or {})
        check_json(request.get("body"))
        check_json(response.get("map") or {})
        config = ConnectorConfig(
            name=name,
            base_url=base_url.rstrip("/"),
            method=method,
            path=str(request.get("path") or ""),
            headers=dict(request.get("headers") or {}),
            query=dict(request.get("query") or {}),
            body=request.get("body"),
            auth=dict(auth),
            timeout=float(raw.get("timeout_seconds", 10)),
            max_attempts=int(retry.get("max_attempts", 5)),
            backoff_seconds=float(retry.get("backoff_seconds", 2)),
            max_backoff_seconds=float(retry.get("max_backoff_seconds", 300)),
            idempotency_header=str(raw.get("idempotency_header") or "Idempotency-Key"),
            response_map=dict(response.get("map") or {}),
            raw={**raw, "schema_version": SCHEMA_VERSION},
        )
    except ExpressionError as exc:
        raise InvalidInput(f"{where}: {exc.message}") from exc
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: {exc}") from exc
    if not 0 < config.timeout <= 120 or not 1 <= config.max_attempts <= 50:
        raise InvalidInput(f"{where}: timeout_seconds must be in (0, 120] and retry.max_attempts in [1, 50]")
    return config


__all__ = ["AUTH_TYPES", "METHODS", "SCHEMA_VERSION", "ConnectorConfig", "parse_connector"]
