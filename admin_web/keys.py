"""The objects an application shares, each under one typed ``web.AppKey``.

Kept apart from ``app.py`` so handlers and middlewares can import the keys without
importing the factory that imports them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jinja2
from aiohttp import web

from admin_web.metrics import Metrics
from admin_web.settings import Settings
from engine import ApiTokens, ProcessEngine

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", ProcessEngine)
TOKENS = web.AppKey("tokens", ApiTokens)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)
METRICS = web.AppKey("metrics", Metrics)
TEMPLATES = web.AppKey("templates", jinja2.Environment)

__all__ = ["ENGINE", "EXECUTOR", "METRICS", "SETTINGS", "TEMPLATES", "TOKENS"]
