"""Channel adapters: each turns its platform's wire format into channel-neutral events and sends cards.

Packages: ``wecom`` (encrypted callbacks, template cards), ``dingtalk`` (Stream mode, interactive
cards) and ``sandbox`` (the credential-free chat of the demo and the end-to-end tests).
"""

from adapters.events import CardAction, ChatEvent, CommandText, FileReceived, Mention

__all__ = ["CardAction", "ChatEvent", "CommandText", "FileReceived", "Mention"]
