"""The bot's router, in the spirit of Slack Bolt: handlers by decorator, a middleware chain.

    bot = Bot()

    @bot.command("todo", "待办", help="list my open tasks")
    async def todo(ctx: Context) -> Reply: ...

    @bot.action("approve")
    async def approve(ctx: Context) -> Reply: ...

A handler takes one ``Context`` and returns a ``Reply``; registration checks both, and
refuses a name that is already taken. Middleware wraps every dispatch:
``async def mw(ctx, call_next) -> Reply``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from adapters import CardAction, ChatEvent, CommandText, FileReceived, Mention
from bot.context import Context, Reply
from bot.grammar import GrammarError, parse, suggest

Handler = Callable[[Context], Awaitable[Reply]]
Middleware = Callable[[Context, Callable[[Context], Awaitable[Reply]]], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    aliases: tuple[str, ...]
    help: str
    handler: Handler


def _check_handler(fn: Any, what: str) -> None:
    if not inspect.iscoroutinefunction(fn):
        raise TypeError(f"{what} handler {getattr(fn, '__name__', fn)!r} must be an async function")
    params = list(inspect.signature(fn).parameters.values())
    if len(params) != 1:
        raise TypeError(f"{what} handler {fn.__name__!r} must take exactly one argument (the Context)")


@dataclass
class Bot:
    commands: dict[str, CommandInfo] = field(default_factory=dict)
    _by_word: dict[str, CommandInfo] = field(default_factory=dict)
    _actions: dict[str, Handler] = field(default_factory=dict)
    _mention: Handler | None = None
    _file: Handler | None = None
    _middleware: list[Middleware] = field(default_factory=list)

    # --- registration -----------------------------------------------------------

    def command(self, name: str, *aliases: str, help: str = "") -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            _check_handler(fn, f"command /{name}")
            info = CommandInfo(name, aliases, help, fn)
            for word in (name, *aliases):
                key = word.lower()
                if key in self._by_word:
                    raise ValueError(f"command word {word!r} is already taken by /{self._by_word[key].name}")
                self._by_word[key] = info
            self.commands[name] = info
            return fn

        return register

    def action(self, verb: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            _check_handler(fn, f"action {verb!r}")
            if verb in self._actions:
                raise ValueError(f"card action {verb!r} already has a handler")
            self._actions[verb] = fn
            return fn

        return register

    def mention(self, fn: Handler) -> Handler:
        _check_handler(fn, "mention")
        self._mention = fn
        return fn

    def file(self, fn: Handler) -> Handler:
        _check_handler(fn, "file")
        self._file = fn
        return fn

    def use(self, middleware: Middleware) -> Middleware:
        self._middleware.append(middleware)
        return middleware

    # --- dispatch ---------------------------------------------------------------------

    def words(self) -> list[str]:
        return sorted(self._by_word)

    def _route(self, ctx: Context) -> Handler:
        event = ctx.event
        if isinstance(event, CommandText):
            try:
                ctx.command = parse(event.text)
            except GrammarError as exc:
                message = str(exc)
                return _say(message)
            info = self._by_word.get(ctx.command.name)
            if info is None:
                close = suggest(ctx.command.name, self.words())
                hint = f" Did you mean: {', '.join('/' + w for w in close)}?" if close else ""
                return _say(f"I don't know the command /{ctx.command.name}.{hint} Type /help for the list.")
            return info.handler
        if isinstance(event, CardAction):
            handler = self._actions.get(event.action)
            return handler or _say(f"this card has no action {event.action!r}")
        if isinstance(event, Mention) and self._mention is not None:
            return self._mention
        if isinstance(event, FileReceived) and self._file is not None:
            return self._file
        return _say("I can't handle that kind of message yet.")

    async def dispatch_routed(self, ctx: Context) -> Reply:
        """Route and run ``ctx`` without the middleware (it already ran): for re-dispatching."""
        return await self._route(ctx)(ctx)

    async def dispatch(self, ctx: Context) -> Reply:
        async def innermost(c: Context) -> Reply:
            return await self._route(c)(c)

        call: Callable[[Context], Awaitable[Reply]] = innermost
        for middleware in reversed(self._middleware):
            call = _wrap(middleware, call)
        return await call(ctx)


def _wrap(
    middleware: Middleware, call_next: Callable[[Context], Awaitable[Reply]]
) -> Callable[[Context], Awaitable[Reply]]:
    async def wrapped(ctx: Context) -> Reply:
        return await middleware(ctx, call_next)

    return wrapped


def _say(text: str) -> Handler:
    async def reply(ctx: Context) -> Reply:
        return Reply(text=text)

    return reply


__all__ = ["Bot", "ChatEvent", "CommandInfo", "Handler", "Middleware"]
