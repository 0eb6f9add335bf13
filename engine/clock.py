"""Time and identifiers, passed in so tests and benchmarks control them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    """A 16-character, time-sortable id: 48 bits of milliseconds, 32 random bits."""
    value = (int(time.time() * 1000) << 32) | int.from_bytes(os.urandom(4), "big")
    chars = []
    for _ in range(16):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


__all__ = ["Clock", "IdFactory", "new_id", "utcnow"]
