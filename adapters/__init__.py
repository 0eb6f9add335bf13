"""Channel adapters: each turns its platform's wire format into channel-neutral events and sends cards.

WeCom and DingTalk adapters arrive with their issues; the sandbox adapter serves the demo and
end-to-end tests.
"""

from adapters.events import CardAction, ChatEvent, CommandText, FileReceived, Mention

__all__ = ["CardAction", "ChatEvent", "CommandText", "FileReceived", "Mention"]
