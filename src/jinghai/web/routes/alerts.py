"""Alert pages (inbox, detail with map replay, detector settings, statistics) and
/api/alerts. Thin: parse, call jinghai.alerts, render."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from jinghai.accounts.access import require_office
from jinghai.alerts import queries
from jinghai.alerts.access import get_alert_for
from jinghai.alerts.detector_settings import settings_rows
from jinghai.alerts.models import KIND_LABELS, OUTCOME_LABELS, SEVERITY_LABELS, STATE_LABELS
from jinghai.alerts.routing import routing_table
from jinghai.alerts.schemas import AckIn, BulkIn, CloseIn
from jinghai.alerts.service import (
    acknowledge_alert,
    bulk_acknowledge,
    bulk_close,
    close_alert,
)
from jinghai.db import utcnow
from jinghai.detect.registry import DETECTOR_LABELS
from jinghai.errors import InvalidInput
from jinghai.geo.models import ZONE_KIND_LABELS
from jinghai.org.service import list_groups
from jinghai.schemas import parse
from jinghai.web.deps import AppSettings, CurrentUser, DbSession, get_settings
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("预警", "/alerts/", {"office", "liaison", "viewer", "admin"})



def _labels() -> dict[str, Any]:
    return {"states": STATE_LABELS, "outcomes": OUTCOME_LABELS, "severities": SEVERITY_LABELS,
            "kinds": KIND_LABELS, "detectors": DETECTOR_LABELS}


def _fresh_cursor() -> datetime:
    """A few seconds back, so an alert whose transaction commits just after a page was
    drawn is still picked up; the page updates rows it already has instead of doubling."""
    return utcnow() - timedelta(seconds=5)


def _since(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("since 须为 ISO 8601 时间") from None


# -- pages -------------------------------------------------------------------------------
PER_PAGE = 50


def _group_id(value: str) -> int | None:
    """The 工作组 filter: empty (全部) is no filter; anything else must be a group id."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("工作组筛选条件无效")
    return int(value)


@router.get("/alerts/", include_in_schema=False)
def inbox(request: Request, *, state: str = "open", severity: str = "", detector: str = "",
          group: str = "", kind: str = "", page: int = Query(1, ge=1),
          db: DbSession, user: CurrentUser) -> Response:
    filters = {"state": state, "severity": severity, "detector": detector,
               "group_id": _group_id(group), "kind": kind}
    total = queries.count_alerts(db, user, **filters)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    rows = queries.list_alerts(db, user, **filters, limit=PER_PAGE,
                               offset=(page - 1) * PER_PAGE)
    groups = list_groups(db)
    cursor = _fresh_cursor()
    query = {k: v for k, v in {"state": state, "severity": severity, "detector": detector,
                               "group": group, "kind": kind}.items() if v}
    return render(request, "alerts/inbox.html", {
        "rows": rows, "state": state, "severity": severity, "detector": detector,
        "group": filters["group_id"], "groups": groups, "kind": kind,
        "cursor": cursor.isoformat(), "page": page, "pages": pages, "total": total,
        "query": query, "inbox_groups": queries.inbox_groups(db, user, **filters),
        "place_of": queries.place_of, "bulk": request.query_params.get("bulk", ""),
        **_labels()})


@router.post("/alerts/bulk", include_in_schema=False)
async def bulk_form(request: Request, db: DbSession,
                    user: CurrentUser) -> RedirectResponse:
    """Acknowledge, or close with one judgement and reason, the ticked alerts."""
    from urllib.parse import urlencode

    form = await request.form()
    ids = [int(x) for x in form.getlist("ids") if str(x).isdigit()]
    if not ids:
        raise InvalidInput("请先勾选要处理的预警")
    action = str(form.get("action", ""))
    if action == "ack":
        result = bulk_acknowledge(db, user, ids, parse(AckIn, {"note": str(form.get("note", ""))}))
        verb = "签收"
    elif action == "close":
        result = bulk_close(db, user, ids, parse(CloseIn, {
            "outcome": str(form.get("outcome", "false_alarm")),
            "reason": str(form.get("reason", ""))}))
        verb = "关闭"
    else:
        raise InvalidInput("请选择批量操作")
    note = f"已{verb} {len(result.done)} 条" + (
        f"，跳过 {len(result.skipped)} 条（已处理或无权处理）" if result.skipped else "")
    back = str(form.get("back", "")) or "state=open"
    return RedirectResponse(f"/alerts/?{back}&{urlencode({'bulk': note})}", status_code=303)


@router.get("/alerts/settings", include_in_schema=False)
def settings_page(request: Request, db: DbSession,
                  user: CurrentUser,
                  settings: AppSettings) -> Response:
    require_office(user)
    return render(request, "alerts/settings.html", {
        "dets": settings_rows(db, settings),
        "routing": routing_table({g.key: g.name for g in list_groups(db)},
                                 ZONE_KIND_LABELS),
        "flash": request.query_params.get("saved", ""),
        "escalation_minutes": settings.alert_escalation_minutes,
        "webhooks": [(w.url, w.format) for w in settings.alert_webhooks],
        **_labels()})


@router.post("/alerts/settings/{name}", include_in_schema=False)
async def settings_save(request: Request, name: str, db: DbSession,
                        user: CurrentUser) -> RedirectResponse:
    """Save the office's values for one detector; ``reset`` goes back to the defaults."""
    from jinghai.alerts.detector_settings import reset_detector_params, save_detector_params

    require_office(user)
    form = await request.form()
    if form.get("reset"):
        reset_detector_params(db, user, name)
    else:
        defaults = {d["name"]: d for d in settings_rows(db, get_settings(request))}
        if name not in defaults:
            raise InvalidInput(f"没有名为 {name} 的检测器")
        fields = {f["name"] for f in defaults[name]["fields"] if f["editable"]}
        bools = {f["name"] for f in defaults[name]["fields"] if f["kind"] == "bool"}
        values = {k: form.get(k, "") for k in fields if k in form or k in bools}
        save_detector_params(db, user, name, values, get_settings(request))
    return RedirectResponse(f"/alerts/settings?saved={name}#det-{name}", status_code=303)


@router.get("/alerts/stats", include_in_schema=False)
def stats_page(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    stats = queries.detector_stats(db, user)
    return render(request, "alerts/stats.html", {
        "stats": stats, "weekly": queries.precision_by_week(db, user), **_labels()})


@router.get("/alerts/{alert_id:int}", include_in_schema=False)
def detail(request: Request, alert_id: int, db: DbSession,
           user: CurrentUser, settings: AppSettings) -> Response:
    alert = get_alert_for(db, user, alert_id)
    data = queries.alert_detail(db, user, alert)
    return render(request, "alerts/detail.html", {"a": alert, "data": data,
                                                  "tile_url": settings.map_tile_url,
                                                  **_labels()})


@router.post("/alerts/{alert_id:int}/ack", include_in_schema=False)
async def ack_form(request: Request, alert_id: int, db: DbSession,
                   user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    acknowledge_alert(db, user, alert_id, parse(AckIn, {"note": str(form.get("note", ""))}))
    return RedirectResponse(f"/alerts/{alert_id}?ok=acknowledged", status_code=303)


@router.post("/alerts/{alert_id:int}/close", include_in_schema=False)
async def close_form(request: Request, alert_id: int, db: DbSession,
                     user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    alert = close_alert(db, user, alert_id, parse(CloseIn, {
        "outcome": str(form.get("outcome", "")), "reason": str(form.get("reason", ""))}))
    if alert.clue_id:
        return RedirectResponse(f"/clues/{alert.clue_id}", status_code=303)
    return RedirectResponse(f"/alerts/{alert_id}?ok=closed", status_code=303)


# -- JSON API ----------------------------------------------------------------------------
@router.get("/api/alerts", tags=["alerts"])
def api_list(*, state: str = "", severity: str = "", detector: str = "", group: str = "",
             kind: str = "", limit: int = Query(200, ge=1, le=1000),
             offset: int = Query(0, ge=0),
             db: DbSession, user: CurrentUser):
    filters = {"state": state, "severity": severity, "detector": detector,
               "group_id": _group_id(group), "kind": kind}
    rows = queries.list_alerts(db, user, **filters, limit=limit, offset=offset)
    return {"alerts": [queries.alert_row(a) for a in rows],
            "total": queries.count_alerts(db, user, **filters),
            "groups": [{**g, "kind_label": KIND_LABELS.get(g["kind"], g["kind"]),
                        "latest": g["latest"].isoformat()}
                       for g in queries.inbox_groups(db, user, **filters)]}


@router.post("/api/alerts/bulk", tags=["alerts"])
def api_bulk(body: BulkIn, db: DbSession, user: CurrentUser):
    """Acknowledge, or close with one judgement and reason, many alerts at once; each is
    checked as if handled alone, and the ones left are listed with the reason."""
    if body.action == "acknowledge":
        result = bulk_acknowledge(db, user, body.ids, AckIn(note=body.note))
    else:
        result = bulk_close(db, user, body.ids, parse(CloseIn, {"outcome": body.outcome,
                                                                "reason": body.reason}))
    return {"done": result.done, "skipped": {str(k): v for k, v in result.skipped.items()}}


class DetectorParamsIn(BaseModel):
    params: dict[str, float | int | bool | str]


@router.put("/api/alerts/detectors/{name}", tags=["alerts"])
def api_set_detector(name: str, body: DetectorParamsIn, db: DbSession,
                     user: CurrentUser,
                     settings: AppSettings) -> dict:
    """Office: set some of a detector's plain parameters (the rest keep their values);
    they override the server settings and reach live detection within a minute."""
    from jinghai.alerts.detector_settings import save_detector_params, stored_overrides

    current = stored_overrides(db).get(name, {})
    kept = save_detector_params(db, user, name, {**current, **body.params}, settings)
    return {"name": name, "params": kept}


@router.get("/api/alerts/poll", tags=["alerts"])
def api_poll(*, since: str = "", db: DbSession,
             user: CurrentUser):
    """What changed after ``since`` (the last ``cursor``), and the count of new alerts for
    the nav badge. The inbox polls this every few seconds."""
    if not since:
        rows, cursor = [], _fresh_cursor()
    else:
        rows = queries.changed_since(db, user, _since(since))
        cursor = max((a.updated_at for a in rows), default=_since(since))
    return {"alerts": [queries.alert_row(a) for a in rows], "cursor": cursor.isoformat(),
            "new_count": queries.open_count(db, user)}


@router.get("/api/alerts/stats", tags=["alerts"])
def api_stats(db: DbSession, user: CurrentUser):
    stats = queries.detector_stats(db, user)
    return {"detectors": [{"detector": s.detector, "by_state": s.by_state,
                           "confirmed": s.confirmed, "false_alarm": s.false_alarm,
                           "clue": s.clue, "precision": s.precision} for s in stats],
            "weekly": queries.precision_by_week(db, user)}


@router.get("/api/alerts/{alert_id}", tags=["alerts"])
def api_detail(alert_id: int, db: DbSession, user: CurrentUser):
    return queries.alert_detail(db, user, get_alert_for(db, user, alert_id))


@router.post("/api/alerts/{alert_id}/acknowledge", tags=["alerts"])
def api_ack(alert_id: int, body: AckIn, db: DbSession,
            user: CurrentUser):
    return queries.alert_row(acknowledge_alert(db, user, alert_id, body))


@router.post("/api/alerts/{alert_id}/close", tags=["alerts"])
def api_close(alert_id: int, body: CloseIn, db: DbSession,
              user: CurrentUser):
    return queries.alert_row(close_alert(db, user, alert_id, body))
