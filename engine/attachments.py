"""Attachments: files on disk (content-addressed by sha256), metadata rows in the database.

The file is written first (to a temporary name, then renamed into place, so a reader
never sees half a file); the metadata row and the instance's history row are written
in one transaction after it. When that transaction fails, a file this upload created
and no row references is removed again.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa

from engine.comments import check_participant
from engine.errors import InvalidInput, NotFound, TooLarge
from engine.runtime.effects import Effects, HistoryEntry, OutboxEvent
from engine.store.instances import load_instance, save_instance
from engine.store.schema import attachments, history

CHUNK = 64 * 1024
# What approvals usually carry: documents, spreadsheets, pictures, scans, Chinese e-invoices (OFD).
DEFAULT_TYPES: Mapping[str, str] = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".zip": "application/zip",
}
# Clients that do not know the type send one of these; the extension then decides.
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True, slots=True)
class UploadPolicy:
    """How large an upload may be and which kinds of file are accepted."""

    max_bytes: int = 20 * 1024 * 1024
    types: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TYPES))

    def check(self, filename: str, content_type: str | None) -> tuple[str, str]:
        """A safe file name and the content type to store, or ``InvalidInput`` saying why not."""
        name = unicodedata.normalize("NFC", filename or "")
        name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
        if not name:
            raise InvalidInput("an attachment needs a file name")
        if len(name) > 255:
            stem, dot, ext = name.rpartition(".")
            name = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) < 16 else name[:255]
        ext = os.path.splitext(name)[1].lower()
        allowed = self.types.get(ext)
        if allowed is None:
            kinds = ", ".join(sorted(self.types))
            raise InvalidInput(
                f'"{name}": files of type "{ext or "(none)"}" are not accepted; accepted: {kinds}',
                details={"filename": name, "accepted": sorted(self.types)},
            )
        declared = (content_type or "").split(";", 1)[0].strip().lower()
        if declared not in GENERIC_TYPES and declared != allowed:
            raise InvalidInput(
                f'"{name}" is sent as {declared} but a {ext} file must be {allowed}',
                details={"filename": name, "content_type": declared, "expected": allowed},
            )
        return name, allowed


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    storage_key: str
    created: bool  # this upload put the file there (it did not exist before)


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: str
    instance_id: str
    comment_seq: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "instance_id": self.instance_id,
            "comment_seq": self.comment_seq,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": _iso(self.uploaded_at),
        }


class AttachmentStore:
    """Files under ``root``, named by their sha256; the same content is stored once."""

    def __init__(self, root: Path, policy: UploadPolicy | None = None) -> None:
        self.root = Path(root)
        self.policy = policy or UploadPolicy()

    def put(self, source: BinaryIO) -> StoredBlob:
        """Copy ``source`` in, hashing as it goes; ``TooLarge`` (and nothing kept) past the limit."""
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > self.policy.max_bytes:
                        raise TooLarge(
                            f"the file is larger than {self.policy.max_bytes // (1024 * 1024)} MB",
                            details={"max_bytes": self.policy.max_bytes},
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                # The row that will point at this file commits after us; the bytes must be on disk first.
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            key = f"{sha[:2]}/{sha[2:4]}/{sha}"
            final = self.root / key
            if final.exists():
                tmp.unlink()
                return StoredBlob(sha, size, key, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            return StoredBlob(sha, size, key, created=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def path(self, storage_key: str) -> Path:
        return self.root / storage_key

    def discard(self, conn: sa.Connection, blob: StoredBlob) -> None:
        """Remove a file this upload created when no attachment row refers to it."""
        if not blob.created:
            return
        used = conn.execute(
            sa.select(attachments.c.id).where(attachments.c.sha256 == blob.sha256).limit(1)
        ).first()
        if used is None:
            (self.root / blob.storage_key).unlink(missing_ok=True)


def insert_attachment(conn: sa.Connection, view: AttachmentView, storage_key: str) -> None:
    values = {k: v for k, v in view.to_dict().items() if k != "uploaded_at"}
    conn.execute(
        attachments.insert(), {**values, "uploaded_at": view.uploaded_at, "storage_key": storage_key}
    )


def record_attachment(
    conn: sa.Connection,
    instance_id: str,
    blob: StoredBlob,
    *,
    attachment_id: str,
    actor: str,
    filename: str,
    content_type: str,
    comment_seq: int | None,
    now: datetime,
    channel: str | None,
) -> AttachmentView:
    """The metadata row, the ``attached`` history row and its outbox row, in ``conn``'s transaction."""
    rec = load_instance(conn, instance_id)
    check_participant(conn, rec, actor, "attach files to")
    if comment_seq is not None:
        which = sa.and_(history.c.instance_id == instance_id, history.c.seq == comment_seq)
        found = conn.execute(sa.select(history.c.action).where(which)).scalar()
        if found != "commented":
            raise NotFound(f'instance "{instance_id}" has no comment #{comment_seq}')
    view = AttachmentView(
        attachment_id, instance_id, comment_seq, filename, content_type, blob.size, blob.sha256, actor, now
    )
    insert_attachment(conn, view, blob.storage_key)
    details = {
        "attachment_id": attachment_id,
        "filename": filename,
        "size": blob.size,
        "sha256": blob.sha256,
        "comment_seq": comment_seq,
    }
    effects = Effects(
        history=[HistoryEntry("attached", actor, details=details)],
        outbox=[OutboxEvent("instance.attached", {"by": actor, **details})],
    )
    save_instance(conn, rec, effects, now, channel, conflict_subject=f'instance "{instance_id}"')
    return view


def _view(row: sa.Row[tuple[object, ...]]) -> AttachmentView:
    m = row._mapping
    return AttachmentView(
        m["id"],
        m["instance_id"],
        m["comment_seq"],
        m["filename"],
        m["content_type"],
        m["size"],
        m["sha256"],
        m["uploaded_by"],
        m["uploaded_at"],
    )


def list_attachments(conn: sa.Connection, instance_id: str) -> list[AttachmentView]:
    rows = conn.execute(
        sa.select(attachments)
        .where(attachments.c.instance_id == instance_id)
        .order_by(attachments.c.uploaded_at, attachments.c.id)
    )
    return [_view(r) for r in rows]


def load_attachment(conn: sa.Connection, instance_id: str, attachment_id: str) -> tuple[AttachmentView, str]:
    """The attachment's metadata and storage key; ``NotFound`` unless it belongs to the instance."""
    row = conn.execute(
        sa.select(attachments).where(
            attachments.c.id == attachment_id, attachments.c.instance_id == instance_id
        )
    ).first()
    if row is None:
        raise NotFound(f'unknown attachment "{attachment_id}" on instance "{instance_id}"')
    return _view(row), row.storage_key


__all__ = [
    "DEFAULT_TYPES",
    "AttachmentStore",
    "AttachmentView",
    "StoredBlob",
    "UploadPolicy",
    "insert_attachment",
    "list_attachments",
    "load_attachment",
    "record_attachment",
]
