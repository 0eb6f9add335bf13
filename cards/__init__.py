"""Channel-neutral cards rendered for WeCom, DingTalk and the sandbox (filled in by the chat-layer issue)."""
