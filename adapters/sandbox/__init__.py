"""The sandbox channel: a chat for demos and end-to-end tests, no credentials needed.

Cards live in the delivery log (durable, the inbox reads it); text answers are kept in
memory per user. Subscribers (the page's server-sent events) hear about every change.
"""

from adapters.sandbox.channel import SandboxChannel

__all__ = ["SandboxChannel"]
