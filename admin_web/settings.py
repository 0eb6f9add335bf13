"""The service's configuration: ``JINGWEI_*`` environment variables over an optional TOML file.

Precedence, highest first: command-line options, environment, the TOML file
(``--config FILE`` or ``$JINGWEI_CONFIG``), the defaults below. Nothing is read at
import time; ``load_settings`` is called by the command line and by tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from engine import DEFAULT_URL, InvalidInput

CommaList = Annotated[list[str], NoDecode]
WECOM_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"  # wechatpy's WeChatClient.API_BASE_URL


class Settings(BaseSettings):
    """Every setting of ``jingwei serve``; environment names are ``JINGWEI_`` + the field name."""

    model_config = SettingsConfigDict(env_prefix="JINGWEI_", extra="forbid", validate_default=True)

    db: str = Field(DEFAULT_URL, description="database URL (SQLAlchemy form)")
    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8000, ge=1, le=65535, description="port to listen on")
    public_url: str | None = Field(None, description="the URL people open; printed and put in links")
    secret_key: SecretStr | None = Field(None, description="signs sessions and links (console, later issues)")
    workers: int = Field(8, ge=1, le=256, description="threads running engine commands")
    attachments_dir: Path = Field(Path("var/attachments"), description="where uploaded files are kept")
    max_upload_mb: float = Field(20, gt=0, le=1024, description="largest accepted upload, in MB")
    max_body_kb: int = Field(1024, ge=16, le=65536, description="largest accepted JSON/XML body, in KB")
    upload_extensions: CommaList = Field(
        default_factory=list, description="accepted file extensions (default: documents, images, OFD)"
    )
    urge_interval_minutes: int = Field(30, ge=0, le=7 * 24 * 60, description="minimum time between urges")
    admins: CommaList = Field(default_factory=list, description="users allowed to deploy and import the org")
    auth_failures_per_minute: int = Field(20, ge=1, description="failed logins per client IP before 429")
    trusted_proxies: CommaList = Field(
        default_factory=list, description="proxy addresses whose X-Forwarded-For names the client"
    )
    token_cache_seconds: float = Field(
        5, ge=0, le=300, description="how long a verified API token is trusted without a database read"
    )
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    # The admin console (docs/console.md).
    console_assets_dir: Path | None = Field(
        None, description="node_modules with the console's browser libraries (default: the repository's)"
    )
    session_hours: float = Field(12, gt=0, le=24 * 30, description="console sessions end after this long")
    session_idle_minutes: float = Field(120, gt=0, le=24 * 60, description="…or after this long unused")
    worker: bool = Field(
        True, description="run the automation worker (timers, connectors, webhooks) inside the web process"
    )
    sandbox: bool = Field(
        False,
        description="serve the sandbox chat at /sandbox (anyone may act as anyone: demos and tests only)",
    )
    # WeCom (企业微信) self-built app; the adapter is on when the first five are set (docs/wecom.md).
    wecom_corp_id: str | None = Field(None, description="WeCom corp id (ww…)")
    wecom_agent_id: int | None = Field(None, ge=1, description="the app's AgentId")
    wecom_secret: SecretStr | None = Field(None, description="the app's Secret")
    wecom_token: SecretStr | None = Field(None, description="callback Token")
    wecom_aes_key: SecretStr | None = Field(None, description="callback EncodingAESKey (43 characters)")
    wecom_api_base: str = Field(WECOM_API_BASE, description="WeCom server API base (tests: a fake)")
    wecom_callback_window_seconds: int = Field(
        300, ge=10, le=3600, description="callbacks whose timestamp is further from now are refused"
    )
    wecom_sync_minutes: int = Field(
        0, ge=0, le=7 * 24 * 60, description="sync the org from WeCom contacts every N minutes (0: off)"
    )
    wecom_org_ids_are_userids: bool = Field(
        False, description="send to org users without a wecom_userid under their org id"
    )
    # DingTalk (钉钉) internal app in Stream mode; on when the first two are set (docs/dingtalk.md).
    dingtalk_client_id: str | None = Field(None, description="the app's Client ID (AppKey)")
    dingtalk_client_secret: SecretStr | None = Field(None, description="the app's Client Secret (AppSecret)")
    dingtalk_robot_code: str | None = Field(None, description="the robot's code (default: the Client ID)")
    dingtalk_card_template_id: str | None = Field(None, description="the approval card template (….schema)")
    dingtalk_sync_minutes: int = Field(
        0, ge=0, le=7 * 24 * 60, description="sync the org from DingTalk contacts every N minutes (0: off)"
    )

    @field_validator("admins", "upload_extensions", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("upload_extensions")
    @classmethod
    def _dotted(cls, value: list[str]) -> list[str]:
        return [v.lower() if v.startswith(".") else "." + v.lower() for v in value]

    @field_validator("wecom_aes_key")
    @classmethod
    def _aes_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return value
        from adapters.wecom import aes_key_problem  # wechatpy is loaded only when WeCom is configured

        problem = aes_key_problem(value.get_secret_value().strip())
        if problem:
            raise ValueError(problem)
        return SecretStr(value.get_secret_value().strip())

    @field_validator("wecom_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if value == WECOM_API_BASE:
            return value
        from adapters.wecom import normalize_base

        return normalize_base(value)

    @field_validator("db")
    @classmethod
    def _url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("must be a database URL such as sqlite:///var/jingwei.db")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    @property
    def wecom_enabled(self) -> bool:
        """True when corp id, agent id, secret, token and EncodingAESKey are all set."""
        return not self.wecom_missing()

    def wecom_missing(self) -> list[str]:
        """The WeCom settings still unset (all five are needed to turn the adapter on)."""
        values = {
            "wecom_corp_id": self.wecom_corp_id,
            "wecom_agent_id": self.wecom_agent_id,
            "wecom_secret": self.wecom_secret.get_secret_value() if self.wecom_secret else None,
            "wecom_token": self.wecom_token.get_secret_value() if self.wecom_token else None,
            "wecom_aes_key": self.wecom_aes_key.get_secret_value() if self.wecom_aes_key else None,
        }
        return [name for name, value in values.items() if value in (None, "")]

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def masked(self) -> dict[str, Any]:
        """The effective settings as JSON-ready values, secrets and database passwords hidden."""
        out: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else ""
            elif name == "db":
                value = _hide_password(value)
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        return out


def _hide_password(url: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from overrides, environment and TOML; ``InvalidInput`` naming the bad setting."""
    path = config_file or os.environ.get("JINGWEI_CONFIG")
    if path is not None and not Path(path).is_file():
        raise InvalidInput(f"config file {path} does not exist")
    values = {k: v for k, v in overrides.items() if v is not None}

    class FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        return FromFile(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        env = f"JINGWEI_{name.upper()}"
        raise InvalidInput(f"invalid setting {name} ({env}): {first['msg']}") from exc
    except ValueError as exc:  # a TOML file that does not parse
        raise InvalidInput(f"config file {path}: {exc}") from exc


__all__ = ["Settings", "load_settings"]
