"""Who is an admin of a process: the one place that decides.

Members of the org role ``admin`` administer every process; a process's ``jw:admin`` (one
user id or several, comma-separated) administers that process too. Admins may terminate,
reassign and jump (each with a reason, all audited) and remove any added signer.
"""

from __future__ import annotations

from engine.errors import NotAllowed, NotFound
from engine.model import ProcessDefinition
from engine.org import Directory

ADMIN_ROLE = "admin"


def process_admins(definition: ProcessDefinition) -> list[str]:
    configured = definition.extensions.get("jw:admin", "")
    return [a.strip() for a in configured.split(",") if a.strip()]


def admins(directory: Directory, definition: ProcessDefinition) -> list[str]:
    """The process admins first, then the org admins (active members of role ``admin``)."""
    return list(dict.fromkeys([*process_admins(definition), *directory.role_members([ADMIN_ROLE])]))


def is_admin(directory: Directory, definition: ProcessDefinition, user: str) -> bool:
    return user in process_admins(definition) or user in directory.role_members([ADMIN_ROLE])


def require_admin(directory: Directory, definition: ProcessDefinition, user: str, what: str) -> None:
    if is_admin(directory, definition, user):
        return
    if directory.user(user) is None:
        raise NotFound(f'unknown user "{user}"')
    raise NotAllowed(
        f"only an admin (role {ADMIN_ROLE} or the process's jw:admin) can {what}; {user} is not one"
    )


__all__ = ["ADMIN_ROLE", "admins", "is_admin", "process_admins", "require_admin"]
