"""What the DingTalk adapter needs to know: the app's credentials, its robot and card template.

The OpenAPI base URL is the one the ``dingtalk_stream`` SDK itself honours: the
``DINGTALK_OPENAPI_ENDPOINT`` environment variable, default ``https://api.dingtalk.com``.
It is read when the adapter starts (``openapi_endpoint()``), never at import time.
The legacy contacts API lives on ``oapi.dingtalk.com``; when the endpoint is
overridden (a proxy, the tests' fake) both are reached through the override.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from engine import UploadPolicy

ENDPOINT_VARIABLE = "DINGTALK_OPENAPI_ENDPOINT"
DEFAULT_ENDPOINT = "https://api.dingtalk.com"
LEGACY_ENDPOINT = "https://oapi.dingtalk.com"


def openapi_endpoint() -> str:
    """The OpenAPI base URL, as the SDK reads it (without a trailing slash)."""
    return (os.environ.get(ENDPOINT_VARIABLE) or DEFAULT_ENDPOINT).rstrip("/")


def legacy_endpoint(endpoint: str) -> str:
    """Where the ``/topapi`` contacts API lives for ``endpoint``."""
    return LEGACY_ENDPOINT if endpoint == DEFAULT_ENDPOINT else endpoint


@dataclass(frozen=True, slots=True)
class DingTalkConfig:
    """An enterprise-internal DingTalk app in Stream mode.

    ``robot_code`` defaults to the client id (for an internal app's robot they are equal);
    ``card_template_id`` is the approval card template created on DingTalk's card platform.
    """

    client_id: str
    client_secret: str = field(repr=False)
    robot_code: str = ""
    card_template_id: str = ""
    endpoint: str = DEFAULT_ENDPOINT
    files: UploadPolicy = field(default_factory=UploadPolicy)

    @property
    def robot(self) -> str:
        return self.robot_code or self.client_id

    @property
    def legacy_endpoint(self) -> str:
        return legacy_endpoint(self.endpoint)


__all__ = ["DEFAULT_ENDPOINT", "ENDPOINT_VARIABLE", "DingTalkConfig", "legacy_endpoint", "openapi_endpoint"]
