"""Who may read an instance (its form data, history, comments, attachments): the one place that decides.

The starter, everyone who is or was offered one of its tasks (assignees, candidates,
delegates, added signers), the people it was copied to, the process's admins and members
of the org role ``admin``. Lists follow the same rule: a non-admin's list of instances holds
only the ones that involve them.
"""

from __future__ import annotations

import sqlalchemy as sa

from engine.admins import ADMIN_ROLE, is_admin
from engine.errors import NotAllowed, NotFound
from engine.model import ProcessDefinition
from engine.org import Directory
from engine.queries import involving, is_participant
from engine.store.instances import InstanceRecord


def may_read(conn: sa.Connection, rec: InstanceRecord, definition: ProcessDefinition, user: str) -> bool:
    if user == rec.starter or is_participant(conn, rec.id, user):
        return True
    return is_admin(Directory(conn), definition, user)


def check_reader(conn: sa.Connection, rec: InstanceRecord, definition: ProcessDefinition, user: str) -> None:
    if may_read(conn, rec, definition, user):
        return
    if Directory(conn).user(user) is None:
        raise NotFound(f'unknown user "{user}"')
    raise NotAllowed(
        f'{user} takes no part in instance "{rec.id}" and may not read it '
        "(its starter, approvers, the people copied and admins may)"
    )


def is_org_admin(conn: sa.Connection, user: str) -> bool:
    return user in Directory(conn).role_members([ADMIN_ROLE])


__all__ = ["check_reader", "involving", "is_org_admin", "may_read"]
