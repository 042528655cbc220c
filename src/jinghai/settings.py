"""The one settings object. Only entry points (CLI, ASGI factory) read the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class FeedSetting(BaseSettings):
    """An AIS feed that ``jinghai serve`` starts: ``tcp://host:port`` or ``udp://host:port``."""

    url: str
    name: str = ""


class WebhookTarget(BaseSettings):
    """An outside channel for alerts: ``json`` (a plain POST), ``dingtalk`` or ``wecom``
    (the group-robot markdown formats of DingTalk and WeCom)."""

    url: str
    format: str = "json"


DEFAULT_SECRET_KEY = "change-me-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JINGHAI_", env_nested_delimiter="__")

    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = DEFAULT_SECRET_KEY
    # Development or demo (`jinghai demo`, `jinghai serve --dev`, JINGHAI_DEV=true): the
    # default secret key is accepted and cookies default to plain HTTP. Never in production.
    dev: bool = False
    timezone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: int = 12
    # Cookies only over HTTPS. Unset: on, except in development/demo.
    secure_cookies: bool | None = None
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # AIS and the map (used by the sea-picture domain)
    ais_store_dir: Path | None = None
    ais_feeds: list[FeedSetting] = Field(default_factory=list)
    map_tile_url: str = ""
    # MMSIs of the task force's own patrol boats (shown as 本方巡逻船, never flagged)
    own_mmsis: list[int] = Field(default_factory=list)
    # `jinghai demo`: TCP port of the simulated AIS feed (0 = any free port)
    demo_feed_port: int = 0
    # Threads for the web server's synchronous handlers (anyio's default is 40). A request
    # waiting for SQLite's write lock holds one, and the writer it waits for needs one at
    # each step (dependency, handler, commit): with fewer threads than people writing at
    # once the writer starved until the waiters timed out (30 s). Idle threads cost nothing.
    web_threads: int = Field(default=128, ge=8)
    # Live feeds: seconds between ingest batches (each writes a Parquet part and moves the
    # live map); shorter is livelier but makes more files and database writes
    ais_flush_seconds: float = Field(default=3.0, gt=0)
    # Outgoing notifications (alerts, incidents)
    webhook_urls: list[str] = Field(default_factory=list)
    # Detection and alerts (jinghai.detect, jinghai.alerts)
    detector_params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Live detection records what a decision at the latest position would find with every
    # batch (alerts in seconds); off, findings wait for the end of the detectors' 60 s slot
    live_decide_early: bool = True
    alert_escalation_minutes: int = 15
    alert_webhooks: list[WebhookTarget] = Field(default_factory=list)
    alert_worker: bool = True
    alert_worker_interval_s: float = 30.0
    # The office's daily work: overdue reminders from this local time (supervision.worker);
    # the leader's brief of the day before pushed to the webhooks at this time (brief.push;
    # "" = off)
    supervision_remind_at: str = Field(default="08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^$")
    brief_push_at: str = Field(default="", pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^$")
    webhook_max_attempts: int = 6
    webhook_backoff_s: float = 30.0
    # Batch detection on a Dask cluster (``tcp://host:8786``); empty: in this process
    dask_scheduler: str = ""
    # Fonts embedded in PDFs (unset: the Debian fonts the set-up installs). pdf_font: the
    # CJK TrueType font of the daily report (JINGHAI_PDF_FONT); doc_font: the Ming/Song font
    # of circulars, minutes and the brief (JINGHAI_DOC_FONT), falling back to pdf_font.
    pdf_font: Path | None = None
    doc_font: Path | None = None

    @field_validator("pdf_font", "doc_font", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def cookies_secure(self) -> bool:
        return self.secure_cookies if self.secure_cookies is not None else not self.dev

    def refuse_unsafe_secret(self) -> None:
        """The secret key signs cookies and keys the hash of tipsters' addresses: the
        published default would let anyone recover them."""
        if self.dev:
            return
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 16:
            from jinghai.errors import InvalidInput

            raise InvalidInput(
                "未设置安全的密钥：请设置环境变量 JINGHAI_SECRET_KEY（至少 16 个字符的随机串，"
                "如 python -c 'import secrets; print(secrets.token_urlsafe(32))' 生成）；"
                "仅在开发或演示时可用 --dev 或 JINGHAI_DEV=true 跳过")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jinghai.db').resolve()}"

    def resolved_ais_store_dir(self) -> Path:
        return self.ais_store_dir or self.data_dir / "ais"
