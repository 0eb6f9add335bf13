"""The conversation on an instance: comments with @mentions, and attachments (upload, list, download)."""

from __future__ import annotations

import re
import tempfile
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from admin_web.api import schemas as s
from admin_web.api.errors import BadRequest, UnsupportedMediaType
from admin_web.api.reading import read_instance
from admin_web.api.requests import actor, json_body, json_response, path_value
from admin_web.api.routes_instances import CHANNEL
from admin_web.api.routing import Operation, link
from admin_web.executor import in_thread
from admin_web.keys import ENGINE
from engine import InvalidInput, NotFound, TooLarge

SPOOL_IN_MEMORY = 1024 * 1024  # larger uploads go to a temporary file while they arrive
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and headers around the file
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


async def add_comment(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    body = await json_body(request, s.NewComment)
    engine = request.app[ENGINE]
    entry = await in_thread(
        request.app,
        "comment",
        engine.comment,
        instance_id,
        actor=actor(request),
        text=body.text,
        mentions=body.mentions,
        task_id=body.task_id,
        channel=CHANNEL,
    )
    return json_response(entry.to_dict(), status=201)


async def list_comments(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    inst = await read_instance(request, "instance", instance_id, request.app[ENGINE].instance, instance_id)
    return json_response([h.to_dict() for h in inst.history if h.action == "commented"])


def _filename(raw: str | None) -> str | None:
    """The uploaded file's name; aiohttp's own client percent-encodes non-ASCII names, browsers do not."""
    if raw and raw.isascii() and _PERCENT.search(raw):
        return unquote(raw)
    return raw


async def _read_file(part: BodyPartReader, limit: int) -> Any:
    """The part's bytes in a spooled temporary file; ``TooLarge`` as soon as it passes ``limit``."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    size = 0
    try:
        while chunk := await part.read_chunk(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge(
                    f"the file is larger than the limit of {limit // (1024 * 1024)} MB",
                    details={"max_bytes": limit},
                )
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def upload_attachment(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    engine = request.app[ENGINE]
    limit = engine.files.policy.max_bytes
    if not request.content_type.startswith("multipart/"):
        raise UnsupportedMediaType('upload the file as multipart/form-data with a part named "file"')
    if request.content_length is not None and request.content_length > limit + MULTIPART_OVERHEAD:
        raise TooLarge(f"the upload is larger than the limit of {limit // (1024 * 1024)} MB")
    spool: Any = None
    filename: str | None = None
    content_type: str | None = None
    comment_seq: int | None = None
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise BadRequest("nested multipart bodies are not accepted")
            if part.name == "file" and spool is None:
                filename = _filename(part.filename)
                content_type = part.headers.get("Content-Type")
                spool = await _read_file(part, limit)
            elif part.name == "comment_seq":
                text = (await part.read(decode=True))[:32].decode("ascii", errors="replace").strip()
                if not text.isdigit() or int(text) < 1:
                    raise InvalidInput("comment_seq must be a positive whole number")
                comment_seq = int(text)
            else:
                raise InvalidInput(
                    f'unexpected form field "{part.name}"; send "file" and maybe "comment_seq"'
                )
        if spool is None:
            raise InvalidInput('the upload has no part named "file"')
        view = await in_thread(
            request.app,
            "attach",
            engine.attach,
            instance_id,
            spool,
            actor=actor(request),
            filename=filename or "",
            content_type=content_type,
            comment_seq=comment_seq,
            channel=CHANNEL,
        )
    except (ValueError, AssertionError, HttpProcessingError) as exc:  # aiohttp's reader on a malformed body
        raise BadRequest(f"the multipart body is malformed: {exc}") from exc
    finally:
        if spool is not None:
            spool.close()
    return json_response(
        view.to_dict(),
        status=201,
        headers={"Location": f"/api/v1/instances/{instance_id}/attachments/{view.id}"},
    )


async def list_attachments(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    views = await read_instance(
        request, "attachments", instance_id, request.app[ENGINE].attachments, instance_id
    )
    return json_response([v.to_dict() for v in views])


def _disposition(filename: str) -> str:
    fallback = filename.encode("ascii", errors="replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


async def download_attachment(request: web.Request) -> web.StreamResponse:
    instance_id = path_value(request, "id", "instance")
    attachment_id = path_value(request, "aid", "attachment")
    engine = request.app[ENGINE]
    view, path = await read_instance(
        request, "attachment", instance_id, engine.attachment_file, instance_id, attachment_id
    )
    if not path.is_file():
        raise NotFound(f'the file of attachment "{attachment_id}" is missing from storage')
    return web.FileResponse(
        path,
        headers={
            "Content-Type": view.content_type,
            "Content-Disposition": _disposition(view.filename),
            # Never let a browser sniff an upload into HTML or script.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


_MULTIPART = {
    "schema": s.AttachmentForm.model_json_schema(),
    "encoding": {"file": {"contentType": "application/octet-stream"}},
}
OPERATIONS = [
    Operation(
        "POST",
        "/instances/{id}/comments",
        add_comment,
        "Comment on an instance; mentioned users are notified",
        "comments",
        status=201,
        body=s.NewComment,
        response=s.HistoryEntry,
        errors=(403, 404, 409, 413, 415, 422),
        description="The starter and every past or present assignee/candidate of the instance may comment.",
    ),
    Operation(
        "GET",
        "/instances/{id}/comments",
        list_comments,
        "The instance's comments, oldest first",
        "comments",
        response=s.HistoryEntry,
        response_is_list=True,
        errors=(403, 404),
    ),
    Operation(
        "POST",
        "/instances/{id}/attachments",
        upload_attachment,
        "Attach a file to an instance (optionally to one of its comments)",
        "attachments",
        status=201,
        body_content={"multipart/form-data": _MULTIPART},
        response=s.Attachment,
        errors=(403, 404, 409, 413, 415, 422),
        links={
            "download_attachment": link(
                "download_attachment", id="$response.body#/instance_id", aid="$response.body#/id"
            )
        },
        description="Size limit `JINGWEI_MAX_UPLOAD_MB`; accepted types by extension "
        "(`JINGWEI_UPLOAD_EXTENSIONS`), and the declared content type must match the extension.",
    ),
    Operation(
        "GET",
        "/instances/{id}/attachments",
        list_attachments,
        "The instance's attachments",
        "attachments",
        response=s.Attachment,
        response_is_list=True,
        errors=(403, 404),
    ),
    Operation(
        "GET",
        "/instances/{id}/attachments/{aid}",
        download_attachment,
        "Download an attachment",
        "attachments",
        # The stored content type of the file (one of the upload allow-list's).
        response_content={"*/*": {"schema": {"type": "string", "format": "binary"}}},
        errors=(403, 404),
    ),
]

__all__ = ["OPERATIONS"]
