"""The chat application: a router of commands and card actions, middleware, and the notifier.

bot = create_bot()
reply = await bot.dispatch(Context(event, services))
"""

from bot.context import Context, Reply, Services
from bot.grammar import GrammarError, ParsedCommand, parse
from bot.handlers import register
from bot.middleware import error_replies, idempotency, identity
from bot.notifier import Channel, Notifier
from bot.router import Bot


def create_bot() -> Bot:
    """The product's bot: idempotency outermost (it records error answers too), then errors, then identity."""
    bot = Bot()
    bot.use(idempotency)
    bot.use(error_replies)
    bot.use(identity)
    register(bot)
    return bot


__all__ = [
    "Bot",
    "Channel",
    "Context",
    "GrammarError",
    "Notifier",
    "ParsedCommand",
    "Reply",
    "Services",
    "create_bot",
    "parse",
]
