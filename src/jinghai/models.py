"""Every domain's ORM models, imported in one place for Alembic and ``create_all``.

Imported explicitly: a missing or misspelt module fails loudly. A new domain adds its line.
"""

from __future__ import annotations


def import_all_models() -> None:
    import jinghai.accounts.models  # noqa: F401
    import jinghai.ais.models  # noqa: F401
    import jinghai.alerts.models  # noqa: F401
    import jinghai.audit.models  # noqa: F401
    import jinghai.cases.models  # noqa: F401
    import jinghai.geo.models  # noqa: F401
    import jinghai.inbound.models  # noqa: F401
    import jinghai.incidents.models  # noqa: F401
    import jinghai.notify.models  # noqa: F401
    import jinghai.org.models  # noqa: F401
    import jinghai.outreach.models  # noqa: F401
    import jinghai.patrol.models  # noqa: F401
    import jinghai.portcalls.models  # noqa: F401
    import jinghai.reporting.models  # noqa: F401
    import jinghai.supervision.models  # noqa: F401
    import jinghai.tipoffs.models  # noqa: F401
    import jinghai.vessels.models  # noqa: F401
