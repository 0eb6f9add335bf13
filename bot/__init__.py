"""Jingwei chat bot: routes chat events to engine commands (filled in by the chat-layer issue)."""
