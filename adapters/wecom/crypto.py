"""WeCom callback crypto (Doc 90968): signature, AES-256-CBC envelope, receive-id check, freshness.

wechatpy's ``WeChatCrypto`` does the work. We add what it lacks: a constant-time signature
comparison, strict PKCS#7 and length checks (wechatpy trusts the padding byte), one
exception that says why a callback was refused, and the timestamp freshness check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass
from typing import Any

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

AES_KEY_LENGTH = 43
_AES_KEY = re.compile(r"^[A-Za-z0-9+/]{43}$")
BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16

# why a callback was refused; the HTTP layer logs it and answers 403 (400 for "malformed")
SIGNATURE = "signature"
DECRYPTION = "decryption"
RECEIVE_ID = "receive_id"
STALE = "stale"
MALFORMED = "malformed"


class CallbackRefused(Exception):
    """A callback that must not be processed; ``reason`` is one of the constants above."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def aes_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be an EncodingAESKey, or None when it can."""
    if len(key) != AES_KEY_LENGTH:
        return (
            f"must be the {AES_KEY_LENGTH}-character EncodingAESKey from the WeCom console "
            f"(got {len(key)} characters)"
        )
    if not _AES_KEY.match(key):
        return "must contain only letters, digits, + and / (the EncodingAESKey from the WeCom console)"
    return None


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """``msg_signature``: sha1 over the four strings sorted, lowercase hex."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def check_fresh(timestamp: str, now: float, window: float) -> int:
    """The callback's timestamp as an int; ``CallbackRefused(STALE)`` when outside ``window`` seconds."""
    try:
        value = int(timestamp)
    except ValueError:
        raise CallbackRefused(MALFORMED, "timestamp is not a number") from None
    if abs(now - value) > window:
        raise CallbackRefused(STALE, f"timestamp {value} is {int(now - value)} s away from now")
    return value


class _Undecryptable(Exception):
    pass


class _StrictPrpCrypto(PrpCrypto):
    """wechatpy's cipher with the checks its ``_decrypt`` skips: padding, length, UTF-8."""

    def decrypt(self, text: Any, corp_id: str) -> str:
        try:
            raw: bytes = self.cipher.decrypt(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise _Undecryptable(f"not AES-CBC ciphertext in base64 ({exc})") from exc
        pad = raw[-1] if raw else 0
        if not 1 <= pad <= BLOCK or raw[-pad:] != bytes([pad]) * pad:
            raise _Undecryptable("bad PKCS#7 padding (wrong EncodingAESKey?)")
        content = raw[16:-pad]
        if len(content) < 4:
            raise _Undecryptable("plaintext too short")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise _Undecryptable("message length beyond the plaintext")
        try:
            message = content[4 : 4 + length].decode()
            receive_id = content[4 + length :].decode()
        except UnicodeDecodeError as exc:
            raise _Undecryptable("plaintext is not UTF-8") from exc
        if receive_id != corp_id:
            raise InvalidCorpIdException()
        return message


class _SecureRandomPrpCrypto(PrpCrypto):
    """wechatpy draws the 16-byte prefix with ``random.sample``; we use ``secrets``."""

    def get_random_string(self) -> str:
        return secrets.token_hex(8)


def _fixed_random(prefix: str) -> type[PrpCrypto]:
    class FixedRandom(PrpCrypto):
        def get_random_string(self) -> str:
            return prefix

    return FixedRandom


@dataclass(frozen=True, slots=True)
class Sealed:
    """An encrypted message: the ``Encrypt`` text and its ``msg_signature``."""

    encrypt: str
    signature: str
    timestamp: str
    nonce: str


class CallbackCrypto:
    """Verify, decrypt and encrypt callbacks of one app (token, EncodingAESKey, receive id = corp id)."""

    def __init__(self, token: str, aes_key: str, receive_id: str) -> None:
        problem = aes_key_problem(aes_key)
        if problem:
            raise ValueError(f"EncodingAESKey {problem}")
        self.token = token
        self.receive_id = receive_id
        self._crypto = WeChatCrypto(token, aes_key, receive_id)

    def _check_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), msg_signature.strip().lower().encode()):
            raise CallbackRefused(SIGNATURE, "msg_signature does not match")

    def _open(self, call: Any, *args: Any) -> str:
        try:
            return str(call(*args, _StrictPrpCrypto))
        except InvalidSignatureException:
            raise CallbackRefused(SIGNATURE, "msg_signature does not match") from None
        except InvalidCorpIdException:
            raise CallbackRefused(RECEIVE_ID, f"not addressed to {self.receive_id}") from None
        except _Undecryptable as exc:
            raise CallbackRefused(DECRYPTION, str(exc)) from None

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The GET URL check: the decrypted ``echostr`` to answer with."""
        self._check_signature(msg_signature, timestamp, nonce, echostr)
        return self._open(self._crypto._check_signature, msg_signature, timestamp, nonce, echostr)

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> str:
        """The plaintext XML of a POSTed callback whose envelope held ``encrypted``."""
        self._check_signature(msg_signature, timestamp, nonce, encrypted)
        return self._open(
            self._crypto._decrypt_message, {"Encrypt": encrypted}, msg_signature, timestamp, nonce
        )

    def seal(self, plaintext: str, *, nonce: str, timestamp: str, random16: str | None = None) -> Sealed:
        """Encrypt ``plaintext`` as WeCom does (the fake WeCom and passive replies use this)."""
        if random16 is not None and len(random16.encode()) != 16:
            raise ValueError("random16 must be 16 bytes")
        crypto_class = _fixed_random(random16) if random16 is not None else _SecureRandomPrpCrypto
        encrypt = crypto_class(self._crypto.key).encrypt(plaintext, self.receive_id).decode()
        return Sealed(encrypt, signature(self.token, timestamp, nonce, encrypt), timestamp, nonce)

    def reply(self, plaintext: str, *, nonce: str, timestamp: str, random16: str | None = None) -> str:
        """A passive reply envelope (``Encrypt``, ``MsgSignature``, ``TimeStamp``, ``Nonce``)."""
        sealed = self.seal(plaintext, nonce=nonce, timestamp=timestamp, random16=random16)
        return (
            f"<xml>\n<Encrypt><![CDATA[{sealed.encrypt}]]></Encrypt>\n"
            f"<MsgSignature><![CDATA[{sealed.signature}]]></MsgSignature>\n"
            f"<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>"
        )


__all__ = [
    "AES_KEY_LENGTH",
    "DECRYPTION",
    "MALFORMED",
    "RECEIVE_ID",
    "SIGNATURE",
    "STALE",
    "CallbackCrypto",
    "CallbackRefused",
    "Sealed",
    "aes_key_problem",
    "check_fresh",
    "signature",
]
