"""Alerts: detector events routed to the group that must act, their workflow, webhook messages
(sent through :mod:`jinghai.notify.webhooks`), escalation and the figures they feed."""

from jinghai.alerts.service import (
    AlertConfig,
    acknowledge_alert,
    close_alert,
    escalate_due,
    note_filed_reports,
    record_event,
    record_events,
)

__all__ = [
    "AlertConfig",
    "acknowledge_alert",
    "close_alert",
    "escalate_due",
    "note_filed_reports",
    "record_event",
    "record_events",
]
