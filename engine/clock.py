"""Time and identifiers, passed in so tests and benchmarks control them."""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
# base64's alphabet (A-Z2-7) does not sort like the numbers it encodes; map it to Crockford's.
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET.encode())


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    """A 16-character, time-sortable id: 48 bits of milliseconds, 32 random bits.

    Ids are names, not secrets (every action is checked against its actor), so the
    fast ``random`` generator is enough; Python reseeds it in forked children.
    """
    value = (time.time_ns() // 1_000_000) << 32 | random.getrandbits(32)
    return base64.b32encode(value.to_bytes(10, "big")).translate(_TO_CROCKFORD).decode()


__all__ = ["Clock", "IdFactory", "new_id", "utcnow"]
