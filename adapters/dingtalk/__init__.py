"""The DingTalk (钉钉) channel: Stream-mode bot, template cards updated in place, files, contacts sync.

``DingTalkAdapter`` composes it for one process; ``sync_contacts`` brings DingTalk's
departments and people into the org. The app decides what events mean (``ChatSink``).
"""

from adapters.dingtalk.adapter import DingTalkAdapter
from adapters.dingtalk.channel import DingTalkChannel, Identities
from adapters.dingtalk.config import DingTalkConfig, openapi_endpoint
from adapters.dingtalk.contacts import SyncReport, sync_contacts
from adapters.dingtalk.handlers import ChatSink
from adapters.dingtalk.inbound import CHANNEL, Origin
from adapters.dingtalk.openapi import DingTalkError, OpenApi
from adapters.dingtalk.stream import Backoff, StreamClient

__all__ = [
    "CHANNEL",
    "Backoff",
    "ChatSink",
    "DingTalkAdapter",
    "DingTalkChannel",
    "DingTalkConfig",
    "DingTalkError",
    "Identities",
    "OpenApi",
    "Origin",
    "StreamClient",
    "SyncReport",
    "openapi_endpoint",
    "sync_contacts",
]
