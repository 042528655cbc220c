"""Every domain's ORM models, imported in one place for Alembic and ``create_all``.

A domain whose package is not present yet is skipped, so domains can land one by one.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = [
    "jinghai.org.models",
    "jinghai.accounts.models",
    "jinghai.audit.models",
    "jinghai.notify.models",
    "jinghai.reporting.models",
    "jinghai.vessels.models",
    "jinghai.portcalls.models",
    "jinghai.geo.models",
    "jinghai.ais.models",
    "jinghai.alerts.models",
    "jinghai.cases.models",
    "jinghai.incidents.models",
    "jinghai.tipoffs.models",
    "jinghai.patrol.models",
    "jinghai.supervision.models",
]


def import_all_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not exc.name or not name.startswith(exc.name):
                raise
