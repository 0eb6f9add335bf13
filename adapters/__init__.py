"""Channel adapters: WeCom, DingTalk and the sandbox (filled in by the chat-layer and adapter issues)."""
