"""The leader's brief pushed once a day to the configured webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from jinghai.brief.push import push_brief
from jinghai.notify.models import WebhookOutbox
from jinghai.settings import Settings


def test_brief_is_pushed_once_a_day(session, operation):
    settings = Settings(webhook_urls=["http://hooks.example/brief"],
                        alert_webhooks=[{"url": "http://hooks.example/ding",
                                         "format": "dingtalk"}])
    now = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)  # 08:30 in Beilun
    assert push_brief(session, settings, now) is True
    assert push_brief(session, settings, now) is False
    rows = list(session.scalars(select(WebhookOutbox).order_by(WebhookOutbox.id)))
    assert [r.format for r in rows] == ["dingtalk", "json"]
    assert rows[1].payload["day"] == "2026-11-27"
    assert rows[1].payload["lines"][0] == "- 海上巡航·出动人力：0人（前一日 0）"
    assert "【净海领导日报】2026-11-27" in rows[0].payload["markdown"]["title"]


def test_a_brief_before_the_operation_began_is_refused(session, operation, viewer):
    from datetime import date

    import pytest

    from jinghai.brief.queries import daily_brief
    from jinghai.errors import InvalidInput

    with pytest.raises(InvalidInput, match="早于行动开始日期 2026-10-29"):
        daily_brief(session, viewer, date(2026, 10, 1))
