"""What an alert says to the outside channels, put in the shared outbox
(:mod:`jinghai.notify.webhooks`) when the alert is created or escalated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jinghai.alerts.models import Alert
from jinghai.notify.models import WebhookOutbox
from jinghai.notify.webhooks import enqueue_messages, robot_message

TZ = ZoneInfo("Asia/Shanghai")


def alert_json(alert: Alert, event: str = "created") -> dict[str, Any]:
    return {
        "type": "alert", "event": event, "id": alert.id, "event_id": alert.event_id,
        "detector": alert.detector, "kind": alert.kind, "kind_label": alert.kind_label,
        "severity": alert.severity, "title": alert.title, "summary": alert.summary,
        "vessels": list(alert.vessels or []), "lon": alert.lon, "lat": alert.lat,
        "zone_id": alert.zone_id, "start": alert.event_start.isoformat(),
        "end": alert.event_end.isoformat(), "state": alert.state,
        "groups": [r.group.name for r in alert.routes if r.group is not None],
        "link": f"/alerts/{alert.id}",
    }


def _markdown(alert: Alert, event: str, base_url: str) -> tuple[str, str]:
    head = "【预警升级】" if event == "escalated" else "【净海预警】"
    title = f"{head}{alert.severity_label}·{alert.kind_label}"
    start = alert.event_start.astimezone(TZ).strftime("%m-%d %H:%M")
    groups = "、".join(r.group.name for r in alert.routes if r.group is not None)
    lines = [f"### {title}", f"**{alert.title}**", "", f"- 时间：{start}（北京时间）",
             f"- 船舶：{', '.join(str(v) for v in alert.vessels or [])}"]
    if alert.lat is not None and alert.lon is not None:
        lines.append(f"- 位置：{alert.lat:.4f}N {alert.lon:.4f}E")
    if groups:
        lines.append(f"- 处置：{groups}")
    lines.append(f"- 详情：{base_url.rstrip('/')}/alerts/{alert.id}" if base_url
                 else f"- 编号：#{alert.id}")
    return title, "\n".join(lines)


def format_payload(alert: Alert, fmt: str, event: str = "created", base_url: str = ""
                   ) -> dict[str, Any]:
    if fmt == "json":
        return alert_json(alert, event)
    return robot_message(fmt, *_markdown(alert, event, base_url))


def enqueue(session: Session, alert: Alert, targets: Sequence[tuple[str, str]],
            event: str = "created", now: datetime | None = None, base_url: str = ""
            ) -> list[WebhookOutbox]:
    """The alert's message to every target, in the outbox."""
    return enqueue_messages(session, targets,
                            lambda fmt: format_payload(alert, fmt, event, base_url),
                            alert_id=alert.id, now=now)


__all__ = ["alert_json", "enqueue", "format_payload"]
