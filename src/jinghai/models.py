"""Every domain's ORM models, imported in one place for Alembic and ``create_all``.

Imported explicitly: a missing or misspelt module fails loudly. A new domain adds its line.
"""

from __future__ import annotations


def import_all_models() -> None:
    import jinghai.accounts.models
    import jinghai.ais.models
    import jinghai.alerts.models
    import jinghai.audit.models
    import jinghai.cases.models
    import jinghai.geo.models
    import jinghai.inbound.models
    import jinghai.incidents.models
    import jinghai.notify.models
    import jinghai.org.models
    import jinghai.outreach.models
    import jinghai.patrol.models
    import jinghai.portcalls.models
    import jinghai.reporting.models
    import jinghai.supervision.models
    import jinghai.tipoffs.models
    import jinghai.vessels.models  # noqa: F401
