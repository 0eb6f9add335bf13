"""WeCom's server API through ``wechatpy.enterprise.WeChatClient``, with what 1.8.18 lacks.

Added here: a configurable API base for every call (wechatpy hard-codes ``gettoken`` and
``media/get`` to qyapi.weixin.qq.com), a token fetch with a timeout and a lock, one token
refresh and retry on 40014/42001 (wechatpy retries without a bound), a client-side rate
limit and back-off on 45009-class answers, ``template_card`` send and update, and a
streamed ``media/get`` that stops at a size limit. Blocking (``requests``): call it from
worker threads, never on the event loop.
"""

from __future__ import annotations

import email.message
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wechatpy.client.base import BaseWeChatClient
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from adapters.wecom.ratelimit import RateLimiter

log = logging.getLogger("jingwei.wecom")

API_BASE = str(WeChatClient.API_BASE_URL)  # https://qyapi.weixin.qq.com/cgi-bin/
TOKEN_ERRORS = frozenset({40014, 42001})  # invalid / expired access_token: refresh once, retry once
RATE_LIMITED = frozenset({-1, 45009, 45011, 45033})  # busy, frequency and concurrency limits
MEDIA_CHUNK = 64 * 1024


class WeComApiError(Exception):
    """WeCom refused a call (``errcode``) or could not be reached (``errcode`` None)."""

    def __init__(self, errcode: int | None, errmsg: str, endpoint: str = "") -> None:
        super().__init__(f"WeCom {endpoint or 'API'}: {errcode if errcode is not None else 'HTTP'} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint


class MediaTooLarge(WeComApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(None, f"the file is larger than {limit} bytes", "media/get")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class MediaFile:
    data: bytes
    content_type: str
    filename: str


def normalize_base(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"the WeCom API base must be an http(s) URL, got {url!r}")
    return url if url.endswith("/") else url + "/"


def _filename(disposition: str) -> str:
    """The file name of a ``Content-Disposition`` header (RFC 2231 or WeCom's raw UTF-8)."""
    header = email.message.Message()
    header["content-disposition"] = disposition
    name = header.get_filename() or ""
    try:  # requests decodes headers as latin-1; WeCom sends UTF-8 names unescaped
        return name.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


class WeComClient(WeChatClient):
    """One app's client: corp id + app secret; thread-safe; token cached until shortly before expiry."""

    def __init__(
        self,
        corp_id: str,
        secret: str,
        *,
        api_base: str = API_BASE,
        timeout: float = 10.0,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_retries: int = 3,
    ) -> None:
        super().__init__(corp_id, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = normalize_base(api_base)
        # WeCom allows 10 000 calls a minute per API per corp (~166/s): stay well below
        self.limiter = limiter or RateLimiter(rate=50, burst=50)
        self._sleep = sleep
        self.rate_retries = rate_retries
        self._token_lock = threading.RLock()

    # --- access token -------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        with self._token_lock:
            return str(BaseWeChatClient.access_token.fget(self))

    def fetch_access_token(self) -> dict[str, Any]:
        with self._token_lock:
            try:
                res = self._http.get(
                    self.API_BASE_URL + "gettoken",
                    params={"corpid": self.corp_id, "corpsecret": self.secret},
                    timeout=self.timeout,
                )
                result = res.json()
            except (OSError, ValueError) as exc:  # requests' errors are OSErrors
                raise WeComApiError(None, str(exc), "gettoken") from exc
            if not isinstance(result, dict) or result.get("errcode", 0) != 0 or "access_token" not in result:
                errcode = result.get("errcode") if isinstance(result, dict) else None
                errmsg = result.get("errmsg", "no access_token") if isinstance(result, dict) else "not JSON"
                raise WeComApiError(errcode, str(errmsg), "gettoken")
            expires_in = int(result.get("expires_in", 7200))
            self.session.set(self.access_token_key, result["access_token"], expires_in)
            self.expires_at = int(time.time()) + expires_in
            log.info("WeCom access token fetched (valid %s s)", expires_in)
            return result

    def _refresh(self, used: str) -> None:
        """Fetch a new token unless another thread already replaced ``used``."""
        with self._token_lock:
            if self.session.get(self.access_token_key) in (None, used):
                self.fetch_access_token()

    # --- every call ---------------------------------------------------------------------

    def _backoff(self, attempt: int, exc: WeChatClientException) -> float:
        response = getattr(exc, "response", None)
        retry_after = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
        try:
            return min(float(retry_after), 60.0) if retry_after else float(2**attempt)
        except ValueError:
            return float(2**attempt)

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        endpoint = url_or_endpoint.split("?", 1)[0].removeprefix(self.API_BASE_URL)
        token_retried = False
        rate_attempt = 0
        while True:
            self.limiter.acquire()
            token = self.access_token
            try:
                return super()._request(
                    method, url_or_endpoint, params={**params, "access_token": token}, **kwargs
                )
            except WeChatClientException as exc:
                code = exc.errcode
                if code in TOKEN_ERRORS and not token_retried:
                    log.info("WeCom %s: token refused (%s); fetching a new one", endpoint, code)
                    token_retried = True
                    self._refresh(token)
                    continue
                if code in RATE_LIMITED and rate_attempt < self.rate_retries:
                    wait = self._backoff(rate_attempt, exc)
                    log.warning("WeCom %s: rate limited (%s); retrying in %.1f s", endpoint, code, wait)
                    rate_attempt += 1
                    self._sleep(wait)
                    continue
                raise WeComApiError(code, str(exc.errmsg), endpoint) from exc
            except OSError as exc:
                raise WeComApiError(None, str(exc), endpoint) from exc

    @staticmethod
    def _dict(result: Any, endpoint: str) -> dict[str, Any]:
        if not isinstance(result, dict):
            raise WeComApiError(None, "answer is not JSON", endpoint)
        return result

    # --- messages -----------------------------------------------------------------------

    def send_template_card(self, agent_id: int, touser: str, template_card: dict[str, Any]) -> dict[str, Any]:
        """``message/send`` with ``msgtype=template_card``; the answer has ``response_code``."""
        msg = {"msgtype": "template_card", "template_card": template_card, "enable_id_trans": 0}
        return self._dict(self.message.send(agent_id, touser, msg=msg), "message/send")

    def update_template_card(
        self,
        agent_id: int,
        userids: Sequence[str],
        response_code: str,
        *,
        template_card: dict[str, Any] | None = None,
        replace_name: str | None = None,
    ) -> dict[str, Any]:
        """``message/update_template_card``: the whole card, or just the buttons' caption."""
        body: dict[str, Any] = {"userids": list(userids), "agentid": agent_id, "response_code": response_code}
        if template_card is not None:
            body["template_card"] = template_card
        else:
            body["button"] = {"replace_name": replace_name or ""}
        return self._dict(
            self.post("message/update_template_card", data=body), "message/update_template_card"
        )

    def send_text(self, agent_id: int, touser: str, content: str) -> dict[str, Any]:
        return self._dict(self.message.send_text(agent_id, touser, content), "message/send")

    # --- contacts -----------------------------------------------------------------------

    def departments(self) -> list[dict[str, Any]]:
        """Every department the app can see (``department/list``)."""
        return list(self.department.get())

    def department_users(self, department_id: int) -> list[dict[str, Any]]:
        """Members of one department with details (``user/list``: direct_leader, is_leader_in_dept)."""
        return list(self.user.list(department_id))

    # --- media --------------------------------------------------------------------------

    def download_media(self, media_id: str, max_bytes: int) -> MediaFile:
        """``media/get``, streamed: stops with ``MediaTooLarge`` past ``max_bytes``."""
        token_retried = False
        while True:
            self.limiter.acquire()
            token = self.access_token
            try:
                res = self._http.get(
                    self.API_BASE_URL + "media/get",
                    params={"access_token": token, "media_id": media_id},
                    timeout=self.timeout,
                    stream=True,
                )
            except OSError as exc:
                raise WeComApiError(None, str(exc), "media/get") from exc
            with res:
                if res.status_code != 200:
                    raise WeComApiError(None, f"HTTP {res.status_code}", "media/get")
                content_type = res.headers.get("Content-Type", "application/octet-stream")
                length = res.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise MediaTooLarge(max_bytes)
                chunks: list[bytes] = []
                size = 0
                for chunk in res.iter_content(MEDIA_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaTooLarge(max_bytes)
                    chunks.append(chunk)
                data = b"".join(chunks)
                disposition = res.headers.get("Content-Disposition", "")
            # errors come back as JSON with status 200 (Doc 90254): tell them from a JSON file
            if not disposition and content_type.split(";")[0].strip() in ("application/json", "text/plain"):
                try:
                    answer = json.loads(data)
                except ValueError:
                    answer = None
                if isinstance(answer, dict) and "errcode" in answer:
                    code = int(answer["errcode"])
                    if code in TOKEN_ERRORS and not token_retried:
                        token_retried = True
                        self._refresh(token)
                        continue
                    raise WeComApiError(code, str(answer.get("errmsg", "")), "media/get")
            return MediaFile(data, content_type.split(";")[0].strip(), _filename(disposition))


__all__ = [
    "API_BASE",
    "RATE_LIMITED",
    "TOKEN_ERRORS",
    "MediaFile",
    "MediaTooLarge",
    "WeComApiError",
    "WeComClient",
    "normalize_base",
]
