"""Incident pages (intake, checklist) and /api/incidents. Intake hands the configured
webhook URLs to the service, which reports to the office."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.cases.access import require_staff_writer
from jinghai.errors import InvalidInput
from jinghai.incidents import service
from jinghai.incidents.models import HEALTH_STATES, INCIDENT_KINDS, Incident
from jinghai.incidents.schemas import IncidentIn, VoidIn
from jinghai.notify.webhooks import webhook_targets
from jinghai.org.service import get_operation
from jinghai.schemas import parse
from jinghai.web.deps import AppSettings, CurrentUser, DbSession
from jinghai.web.render import register_nav, render

router = APIRouter()
register_nav("个案处置", "/incidents/", {"office", "liaison", "viewer"})


def _labels() -> dict:
    return {"kinds": INCIDENT_KINDS, "health": HEALTH_STATES}


def _local(db: Session, value: str) -> datetime:
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("请填写发现时间") from None
    return naive if naive.tzinfo else naive.replace(tzinfo=ZoneInfo(get_operation(db).timezone))


def _opt_float(value: str, label: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{label}应为数字") from None


@router.get("/incidents/", include_in_schema=False)
def list_page(request: Request, db: DbSession,
              user: CurrentUser) -> Response:
    return render(request, "incidents/list.html",
                  {"rows": service.list_incidents(db, user), **_labels()})


@router.get("/incidents/new", include_in_schema=False)
def new_page(request: Request, user: CurrentUser) -> Response:
    require_staff_writer(user)  # the leadership reads; an entry form is not for them
    return render(request, "incidents/form.html", {"values": {}, "error": None, **_labels()})


@router.post("/incidents/new", include_in_schema=False)
async def new_submit(request: Request, db: DbSession,
                     user: CurrentUser,
                     settings: AppSettings) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        incident = service.open_incident(db, user, parse(IncidentIn, {
            "kind": values.get("kind", ""), "persons": values.get("persons", ""),
            "occurred_at": _local(db, values.get("occurred_at", "")),
            "place": values.get("place", ""), "nationalities": values.get("nationalities", ""),
            "health_state": values.get("health_state", "unknown"),
            "description": values.get("description", ""),
            "lon": _opt_float(values.get("lon", ""), "经度"),
            "lat": _opt_float(values.get("lat", ""), "纬度")}),
            webhook_targets=webhook_targets(settings))
    except InvalidInput as exc:
        return render(request, "incidents/form.html",
                      {"values": values, "error": exc.message, **_labels()}, status_code=422)
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


@router.get("/incidents/{incident_id}", include_in_schema=False)
def detail_page(request: Request, incident_id: int, db: DbSession,
                user: CurrentUser) -> Response:
    return render(request, "incidents/detail.html",
                  {"incident": service.get_incident_for(db, user, incident_id), **_labels()})


@router.post("/incidents/{incident_id}/steps/{step_id}/{action}", include_in_schema=False)
def step_submit(incident_id: int, step_id: int, action: str, db: DbSession,
                user: CurrentUser) -> RedirectResponse:
    _step(db, user, step_id, action)
    done = "step_started" if action == "start" else "step_done"
    return RedirectResponse(f"/incidents/{incident_id}?ok={done}", status_code=303)


@router.post("/incidents/{incident_id}/void", include_in_schema=False)
def void_submit(incident_id: int, *, reason: str = Form(""), db: DbSession,
                user: CurrentUser) -> RedirectResponse:
    service.void_incident(db, user, incident_id, parse(VoidIn, {"reason": reason}))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _step(db: Session, user: User, step_id: int, action: str):
    if action == "start":
        return service.start_step(db, user, step_id)
    if action == "done":
        return service.complete_step(db, user, step_id)
    raise InvalidInput("未知操作")


# --- JSON API --------------------------------------------------------------------------------


class StepOut(BaseModel):
    id: int
    step: str
    label: str
    unit: str | None
    started_at: datetime | None
    done_at: datetime | None


class IncidentOut(BaseModel):
    id: int
    kind: str
    persons: int
    nationalities: str
    place: str
    occurred_at: datetime
    health_state: str
    unit: str
    steps: list[StepOut]
    voided_at: datetime | None = None
    void_reason: str = ""

    @classmethod
    def of(cls, i: Incident) -> IncidentOut:
        return cls(id=i.id, kind=i.kind, persons=i.persons, nationalities=i.nationalities,
                   place=i.place, occurred_at=i.occurred_at, health_state=i.health_state,
                   unit=i.unit.key, voided_at=i.voided_at, void_reason=i.void_reason,
                   steps=[StepOut(id=s.id, step=s.step, label=s.label,
                                                   unit=s.unit.key if s.unit else None,
                                                   started_at=s.started_at,
                                                   done_at=s.done_at) for s in i.steps])


@router.get("/api/incidents")
def api_list(db: DbSession,
             user: CurrentUser) -> list[IncidentOut]:
    return [IncidentOut.of(i) for i in service.list_incidents(db, user)]


@router.post("/api/incidents", status_code=201)
def api_open(body: IncidentIn, db: DbSession,
             user: CurrentUser,
             settings: AppSettings) -> IncidentOut:
    incident = service.open_incident(db, user, body, webhook_targets=webhook_targets(settings))
    return IncidentOut.of(incident)


@router.get("/api/incidents/{incident_id}")
def api_get(incident_id: int, db: DbSession,
            user: CurrentUser) -> IncidentOut:
    return IncidentOut.of(service.get_incident_for(db, user, incident_id))


@router.post("/api/incidents/{incident_id}/steps/{step_id}/{action}")
def api_step(incident_id: int, step_id: int, action: str, db: DbSession,
             user: CurrentUser) -> IncidentOut:
    _step(db, user, step_id, action)
    return IncidentOut.of(service.get_incident_for(db, user, incident_id))


@router.post("/api/incidents/{incident_id}/void")
def api_void(incident_id: int, body: VoidIn, db: DbSession,
             user: CurrentUser) -> dict:
    """作废 an incident with a reason: it stops counting in the daily report."""
    i = service.void_incident(db, user, incident_id, body)
    return {"id": i.id, "voided_at": i.voided_at.isoformat(), "void_reason": i.void_reason}
