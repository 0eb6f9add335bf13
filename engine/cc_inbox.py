"""The "copied to me" (抄送我的) list: instances someone was CC'd on, newest copy first."""

from __future__ import annotations

import sqlalchemy as sa

from engine.store.schema import instance_cc, instances
from engine.views import InstanceView


def copied_to(conn: sa.Connection, user_id: str, *, limit: int = 100) -> list[InstanceView]:
    stmt = (
        sa.select(instances)
        .join(instance_cc, instance_cc.c.instance_id == instances.c.id)
        .where(instance_cc.c.user_id == user_id)
        .order_by(instance_cc.c.at.desc(), instances.c.id.desc())
        .limit(limit)
    )
    return [InstanceView.from_row(r) for r in conn.execute(stmt)]


def is_copied(conn: sa.Connection, instance_id: str, user_id: str) -> bool:
    stmt = sa.select(instance_cc.c.user_id).where(
        instance_cc.c.instance_id == instance_id, instance_cc.c.user_id == user_id
    )
    return conn.execute(stmt).first() is not None


__all__ = ["copied_to", "is_copied"]
