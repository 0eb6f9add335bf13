"""Files and pictures sent to the robot: fetched by ``downloadCode`` before the bot sees them.

``POST /v1.0/robot/messageFiles/download`` turns the message's download code into a
short-lived URL, which is read at once, never past the size limit. The upload policy
(the product's size and type limits) is checked before downloading when the file name
is known, and again on the final name.
"""

from __future__ import annotations

import dataclasses
import hashlib

from adapters.dingtalk.config import DingTalkConfig
from adapters.dingtalk.openapi import DingTalkError, OpenApi
from adapters.events import FileReceived
from engine import InvalidInput

DOWNLOAD = "/v1.0/robot/messageFiles/download"
PICTURE_EXTENSIONS = {"image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


class FileRefused(Exception):
    """The file cannot be taken; ``str(exc)`` says why, for the sender."""


class Files:
    def __init__(self, api: OpenApi, config: DingTalkConfig) -> None:
        self.api = api
        self.config = config

    async def fetch(self, event: FileReceived) -> FileReceived:
        """The event with the file's bytes, safe name and content type filled in."""
        policy = self.config.files
        if event.filename:
            self._check(event.filename)  # refuse a forbidden type before spending a download on it
        try:
            answer = await self.api.call(
                "POST", DOWNLOAD, {"robotCode": self.config.robot, "downloadCode": event.media_ref}
            )
            data, served_as = await self.api.download(str(answer["downloadUrl"]), policy.max_bytes)
        except ValueError as exc:
            limit = policy.max_bytes / (1024 * 1024)
            raise FileRefused(f"文件太大，最大 {limit:g} MB · the file is larger than {limit:g} MB") from exc
        except (DingTalkError, KeyError) as exc:
            raise FileRefused(
                "文件下载失败，请重新发送 · could not fetch the file, please send it again"
            ) from exc
        name = event.filename or self._picture_name(event, served_as)
        name, content_type = self._check(name)
        return dataclasses.replace(event, filename=name, content_type=content_type, size=len(data), data=data)

    def _check(self, filename: str) -> tuple[str, str]:
        try:
            return self.config.files.check(filename, None)  # the extension decides the stored type
        except InvalidInput as exc:
            raise FileRefused(f"不支持的文件 · {exc.message}") from exc

    @staticmethod
    def _picture_name(event: FileReceived, served_as: str | None) -> str:
        kind = (served_as or "").split(";", 1)[0].strip().lower()
        suffix = hashlib.sha256(event.key.encode()).hexdigest()[:8]  # message ids are not file-name safe
        return f"picture-{suffix}{PICTURE_EXTENSIONS.get(kind, '.jpg')}"


__all__ = ["DOWNLOAD", "FileRefused", "Files"]
