"""Console accounts: people who log in with a password, and their console roles.

Passwords are kept as scrypt hashes (``hashlib.scrypt``; N=2^14, r=8, p=1, a 16-byte salt),
never in plain text. An account's id is also its org user id: creating an account adds a
minimal org user when there is none, so what the account does in the engine is done as a
real user, and an ``admin`` account is made a member of the org role ``admin`` so the
engine's admin operations (terminate, reassign, jump) accept it.

Roles: ``admin`` (everything), ``designer`` (model, design forms, deploy, start test
instances), ``auditor`` (reads everything, changes nothing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.admins import ADMIN_ROLE
from engine.clock import Clock, utcnow
from engine.errors import Conflict, InvalidInput, NotFound
from engine.store import Database
from engine.store.console_tables import console_accounts
from engine.store.schema import role_members, roles, users

ROLES = ("admin", "designer", "auditor")
LOCALES = ("zh", "en")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
FIRST_ADMIN = "admin"
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
# Compared against when the account does not exist, so timing does not tell which ids exist.
_DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash``: the parameters travel with the hash, so they can be raised later."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"a password needs at least {MIN_PASSWORD} characters", details={"field": "password"}
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD} characters", details={"field": "password"})
    return password


def check_roles(values: Iterable[str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    unknown = [v for v in found if v not in ROLES]
    if unknown:
        raise InvalidInput(
            f"unknown console role {unknown[0]!r}; use {', '.join(ROLES)}", details={"field": "roles"}
        )
    return found


def _check_id(account_id: str) -> str:
    value = account_id.strip()
    if not value or len(value) > 64 or any(c.isspace() or ord(c) < 32 for c in value):
        raise InvalidInput("an account id is 1-64 characters without spaces", details={"field": "id"})
    return value


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    roles: tuple[str, ...]
    locale: str
    active: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None = None

    def has(self, role: str) -> bool:
        return role in self.roles

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat(timespec="seconds") + "Z"

        return {
            "id": self.id,
            "name": self.name,
            "roles": list(self.roles),
            "locale": self.locale,
            "active": self.active,
            "must_change_password": self.must_change_password,
            "created_at": iso(self.created_at),
            "last_login_at": iso(self.last_login_at),
        }


def account_from_row(m: Any) -> Account:
    return Account(
        id=m["id"],
        name=m["name"],
        roles=tuple(m["roles"] or ()),
        locale=m["locale"],
        active=bool(m["active"]),
        must_change_password=bool(m["must_change_password"]),
        created_at=m["created_at"],
        last_login_at=m["last_login_at"],
    )


def ensure_org_identity(conn: sa.Connection, user_id: str, name: str, *, org_admin: bool) -> None:
    """An org user for the account (when missing) and, for admins, membership of role ``admin``."""
    if conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first() is None:
        conn.execute(users.insert().values(id=user_id, name=name or user_id, active=True))
    if not org_admin:
        return
    if conn.execute(sa.select(roles.c.id).where(roles.c.id == ADMIN_ROLE)).first() is None:
        conn.execute(roles.insert().values(id=ADMIN_ROLE, name="管理员 Administrators"))
    member = sa.select(role_members.c.user_id).where(
        role_members.c.role_id == ADMIN_ROLE, role_members.c.user_id == user_id
    )
    if conn.execute(member).first() is None:
        conn.execute(role_members.insert().values(role_id=ADMIN_ROLE, user_id=user_id))


class Accounts:
    """Create, authenticate, list and change console accounts in ``db``."""

    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    def create(
        self,
        account_id: str,
        *,
        password: str,
        roles: Iterable[str],
        name: str = "",
        locale: str = "zh",
        must_change_password: bool = False,
    ) -> Account:
        account_id = _check_id(account_id)
        granted = check_roles(roles)
        if locale not in LOCALES:
            raise InvalidInput(f"unknown language {locale!r}; use {', '.join(LOCALES)}")
        encoded = hash_password(check_new_password(password))
        now = self.clock()
        with self.db.write() as conn:
            if conn.execute(
                sa.select(console_accounts.c.id).where(console_accounts.c.id == account_id)
            ).first():
                raise Conflict(f'account "{account_id}" already exists', details={"field": "id"})
            conn.execute(
                console_accounts.insert().values(
                    id=account_id,
                    name=name,
                    password_hash=encoded,
                    roles=list(granted),
                    locale=locale,
                    active=True,
                    must_change_password=must_change_password,
                    created_at=now,
                    updated_at=now,
                    last_login_at=None,
                )
            )
            ensure_org_identity(conn, account_id, name, org_admin="admin" in granted)
            return self._get(conn, account_id)

    def ensure_first_admin(self, account_id: str = FIRST_ADMIN) -> str | None:
        """On a database without accounts, create an admin; its one-time password, else None."""
        if self.count():
            return None
        password = secrets.token_urlsafe(12)
        try:
            self.create(
                account_id,
                password=password,
                roles=["admin"],
                name="Administrator",
                must_change_password=True,
            )
        except (Conflict, sa.exc.IntegrityError):  # another process got there first
            return None
        return password

    def count(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(console_accounts)).scalar_one())

    def get(self, account_id: str) -> Account:
        with self.db.read() as conn:
            return self._get(conn, account_id)

    @staticmethod
    def _get(conn: sa.Connection, account_id: str) -> Account:
        row = conn.execute(sa.select(console_accounts).where(console_accounts.c.id == account_id)).first()
        if row is None:
            raise NotFound(f'unknown account "{account_id}"')
        return account_from_row(row._mapping)

    def list(self) -> list[Account]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(console_accounts).order_by(console_accounts.c.id))
            return [account_from_row(r._mapping) for r in rows]

    def authenticate(self, account_id: str, password: str) -> Account | None:
        """The account when the password is right and the account active; ``None`` otherwise."""
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(console_accounts).where(console_accounts.c.id == account_id.strip())
            ).first()
        ok = check_password(password, row.password_hash if row is not None else _DUMMY)
        if row is None or not ok or not row.active:
            return None
        now = self.clock()
        with self.db.write() as conn:
            conn.execute(
                console_accounts.update().where(console_accounts.c.id == row.id).values(last_login_at=now)
            )
            return self._get(conn, row.id)

    def set_password(self, account_id: str, password: str, *, must_change: bool = False) -> Account:
        encoded = hash_password(check_new_password(password))
        with self.db.write() as conn:
            self._get(conn, account_id)
            conn.execute(
                console_accounts.update()
                .where(console_accounts.c.id == account_id)
                .values(password_hash=encoded, must_change_password=must_change, updated_at=self.clock())
            )
            return self._get(conn, account_id)

    def change_password(self, account_id: str, current: str, new: str) -> Account:
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(console_accounts.c.password_hash).where(console_accounts.c.id == account_id)
            ).first()
        if row is None:
            raise NotFound(f'unknown account "{account_id}"')
        if not check_password(current, row.password_hash):
            raise InvalidInput("the current password is not right", details={"field": "current"})
        if current == new:
            raise InvalidInput("choose a password different from the current one", details={"field": "new"})
        return self.set_password(account_id, new)

    def update(
        self,
        account_id: str,
        *,
        roles: Iterable[str] | None = None,
        name: str | None = None,
        locale: str | None = None,
        active: bool | None = None,
    ) -> Account:
        values: dict[str, Any] = {"updated_at": self.clock()}
        if roles is not None:
            values["roles"] = list(check_roles(roles))
        if name is not None:
            values["name"] = name[:255]
        if locale is not None:
            if locale not in LOCALES:
                raise InvalidInput(f"unknown language {locale!r}; use {', '.join(LOCALES)}")
            values["locale"] = locale
        if active is not None:
            values["active"] = active
        with self.db.write() as conn:
            before = self._get(conn, account_id)
            after_roles = values.get("roles", list(before.roles))
            after_active = values.get("active", before.active)
            if before.has("admin") and before.active and not ("admin" in after_roles and after_active):
                self._keep_one_admin(conn, account_id)
            conn.execute(
                console_accounts.update().where(console_accounts.c.id == account_id).values(**values)
            )
            if "admin" in after_roles:
                ensure_org_identity(conn, account_id, before.name, org_admin=True)
            return self._get(conn, account_id)

    @staticmethod
    def _keep_one_admin(conn: sa.Connection, leaving: str) -> None:
        others = [
            r
            for r in conn.execute(
                sa.select(console_accounts.c.id, console_accounts.c.roles).where(
                    console_accounts.c.active == sa.true(), console_accounts.c.id != leaving
                )
            )
            if "admin" in (r.roles or ())
        ]
        if not others:
            raise Conflict("this is the last active admin account; make another admin first")


__all__ = [
    "FIRST_ADMIN",
    "LOCALES",
    "ROLES",
    "Account",
    "Accounts",
    "account_from_row",
    "check_password",
    "check_new_password",
    "check_roles",
    "ensure_org_identity",
    "hash_password",
]
