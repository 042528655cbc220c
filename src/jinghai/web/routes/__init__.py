"""Routers of every domain. A domain whose routes module is not present yet is skipped."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

ROUTE_MODULES = [
    "jinghai.web.routes.auth",
    "jinghai.web.routes.home",
    "jinghai.web.routes.report",
    "jinghai.web.routes.report_api",
    "jinghai.web.routes.admin",
    "jinghai.web.routes.audit",
    "jinghai.web.routes.notifications",
    "jinghai.web.routes.ais",
    "jinghai.web.routes.ais_admin",
    "jinghai.web.routes.vessels",
    "jinghai.web.routes.map",
    "jinghai.web.routes.geo",
    "jinghai.web.routes.alerts",
    "jinghai.web.routes.zones",
    "jinghai.web.routes.portcalls",
    "jinghai.web.routes.cases",
    "jinghai.web.routes.incidents",
    "jinghai.web.routes.tipoffs",
]


def include_all(app: FastAPI) -> None:
    for name in ROUTE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        app.include_router(module.router)
