"""Alerts: detector events routed to the group that must act, their workflow, webhooks,
escalation and the figures they feed."""
