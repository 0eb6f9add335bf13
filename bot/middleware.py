"""Middleware every event passes: errors → replies, idempotency, identity."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot import messages
from bot.context import Context, Reply
from cards import card_from_dict
from engine import JingweiError

log = logging.getLogger(__name__)
Next = Callable[[Context], Awaitable[Reply]]


async def error_replies(ctx: Context, call_next: Next) -> Reply:
    """Engine refusals become a clear answer; anything unexpected is logged, never shown raw."""
    try:
        return await call_next(ctx)
    except JingweiError as exc:
        return Reply(text=messages.error_text(exc), ok=False)
    except Exception:
        log.exception("handler failed for %s event %s", ctx.event.channel, ctx.event.key)
        ctx.extras["failed"] = True
        return Reply(text=messages.INTERNAL, ok=False)


async def idempotency(ctx: Context, call_next: Next) -> Reply:
    """A redelivered event (same key) gets the recorded answer and changes nothing."""
    services = ctx.services
    first, recorded = await ctx.run(
        services.inbound.claim, ctx.event.key, ctx.event.channel, services.clock()
    )
    if not first:
        if recorded is None:
            return Reply(text=messages.BUSY, ok=False)
        return Reply(
            text=recorded.get("text"),
            cards=tuple(card_from_dict(c) for c in recorded.get("cards", [])),
            updated=tuple(card_from_dict(c) for c in recorded.get("updated", [])),
            ok=recorded.get("ok", True),
        )
    reply = await call_next(ctx)
    if ctx.extras.get("failed"):
        await ctx.run(services.inbound.release, ctx.event.key)  # nothing changed: a retry may run
    else:
        await ctx.run(services.inbound.record, ctx.event.key, reply.to_dict())
    return reply


async def identity(ctx: Context, call_next: Next) -> Reply:
    """Map the channel's user id to the org user; strangers get an explanation, not an action."""
    ctx.user = await ctx.run(ctx.services.people.org_user, ctx.event.channel, ctx.event.user)
    if ctx.user is None:
        return Reply(text=messages.UNKNOWN_USER, ok=False)
    return await call_next(ctx)


__all__ = ["error_replies", "idempotency", "identity"]
