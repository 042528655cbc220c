"""The one settings object. Only entry points (CLI, ASGI factory) read the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JINGHAI_", env_nested_delimiter="__")

    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = "change-me-in-production"
    timezone: str = "Asia/Shanghai"
    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: int = 12
    secure_cookies: bool = False
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
    # Live feeds: seconds between ingest batches (each writes a Parquet part and moves the
    # live map); shorter is livelier but makes more files and database writes
    ais_flush_seconds: float = Field(default=5.0, gt=0)
    # Outgoing notifications (alerts, incidents)
    webhook_urls: list[str] = Field(default_factory=list)
    # Detection and alerts (jinghai.detect, jinghai.alerts)
    detector_params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    alert_escalation_minutes: int = 15
    alert_webhooks: list[WebhookTarget] = Field(default_factory=list)
    alert_worker: bool = True
    alert_worker_interval_s: float = 30.0
    webhook_max_attempts: int = 6
    webhook_backoff_s: float = 30.0
    # Batch detection on a Dask cluster (``tcp://host:8786``); empty: in this process
    dask_scheduler: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jinghai.db').resolve()}"

    def resolved_ais_store_dir(self) -> Path:
        return self.ais_store_dir or self.data_dir / "ais"
