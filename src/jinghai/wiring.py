"""Explicit wiring of the domains into the seams the lower ones offer.

A composition root, like ``jinghai.models``: it may import any domain and no domain imports
it. Each entry point (the web app, the CLI, the demo, the tests) calls what it needs here
once at start. Imports are explicit, so a typo fails at start instead of dropping a feature.
"""

from __future__ import annotations

from jinghai.reporting.computed import counters_loaded

__all__ = ["load_counters"]


def load_counters() -> None:
    """Import every domain's daily-report counters (each registers on import)."""
    import jinghai.alerts.counters
    import jinghai.cases.counters
    import jinghai.inbound.counters
    import jinghai.incidents.counters
    import jinghai.outreach.counters
    import jinghai.patrol.counters
    import jinghai.vessels.counters  # noqa: F401

    counters_loaded()
