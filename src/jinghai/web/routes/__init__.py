"""Routers of every domain, included explicitly (a missing module fails at start-up)."""

from __future__ import annotations

from fastapi import FastAPI


def include_all(app: FastAPI) -> None:
    from jinghai.web.routes import (
        admin,
        ais_admin,
        alerts,
        audit,
        auth,
        brief,
        cases,
        docs,
        home,
        inbound,
        incidents,
        map,
        notifications,
        patrol,
        portcalls,
        report,
        report_api,
        supervision,
        tipoffs,
        vessels,
        zones,
    )

    for module in (auth, home, report, report_api, admin, audit, notifications, ais_admin,
                   vessels, map, alerts, zones, portcalls, cases, incidents, tipoffs, docs,
                   supervision, inbound, brief, patrol):
        app.include_router(module.router)
