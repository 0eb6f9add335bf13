"""Outbound webhooks: subscriptions, signed deliveries from the outbox, the delivery log."""

from engine.webhooks.delivery import deliver, fan_out
from engine.webhooks.store import (
    EVENTS,
    add_webhook,
    check_events,
    list_deliveries,
    list_webhooks,
    remove_webhook,
)

__all__ = [
    "EVENTS",
    "add_webhook",
    "check_events",
    "deliver",
    "fan_out",
    "list_deliveries",
    "list_webhooks",
    "remove_webhook",
]
