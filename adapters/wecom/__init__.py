"""The WeCom (企业微信) adapter: encrypted callbacks in, template cards and texts out, contacts.

- ``crypto``: callback signature, AES envelope and receive-id checks (wechatpy's WeChatCrypto).
- ``parsing``: callback XML → what a member did → channel-neutral events.
- ``client``: the server API (wechatpy's WeChatClient plus template cards, media, limits).
- ``channel``: the notifier's channel: cards sent per member, updated with response codes.
- ``contacts``: departments and members → the org document.

No business rules here: the bot decides, this package translates and sends.
"""

from adapters.wecom.channel import NAME, Handle, UserIds, WeComChannel, card_digest
from adapters.wecom.client import (
    API_BASE,
    MediaFile,
    MediaTooLarge,
    WeComApiError,
    WeComClient,
    normalize_base,
)
from adapters.wecom.contacts import Contacts, Translation, fetch_contacts, to_org_document
from adapters.wecom.crypto import (
    CallbackCrypto,
    CallbackRefused,
    Sealed,
    aes_key_problem,
    check_fresh,
    signature,
)
from adapters.wecom.parsing import (
    CardClickIn,
    ContactsChanged,
    Envelope,
    Ignored,
    Inbound,
    MediaIn,
    Message,
    TextIn,
    classify,
    file_event,
    parse_envelope,
    parse_message,
    to_event,
)
from adapters.wecom.ratelimit import RateLimiter

__all__ = [
    "API_BASE",
    "NAME",
    "CallbackCrypto",
    "CallbackRefused",
    "CardClickIn",
    "Contacts",
    "ContactsChanged",
    "Envelope",
    "Handle",
    "Ignored",
    "Inbound",
    "MediaFile",
    "MediaIn",
    "MediaTooLarge",
    "Message",
    "RateLimiter",
    "Sealed",
    "TextIn",
    "Translation",
    "UserIds",
    "WeComApiError",
    "WeComChannel",
    "WeComClient",
    "aes_key_problem",
    "card_digest",
    "check_fresh",
    "classify",
    "fetch_contacts",
    "file_event",
    "normalize_base",
    "parse_envelope",
    "parse_message",
    "signature",
    "to_event",
    "to_org_document",
]
