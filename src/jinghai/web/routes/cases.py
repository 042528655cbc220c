"""Clues, link proposals and cases: pages and the JSON API. Thin: parse, call a cases
service or query, render."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as FormFile

from jinghai.accounts.models import User
from jinghai.cases import attachments as clue_files
from jinghai.cases import service
from jinghai.cases.access import mask_text, require_staff_writer
from jinghai.cases.graph import FOCUS_FIELDS, clue_graph, clue_networks, entity_focus
from jinghai.cases.models import (
    ENTITY_LABELS,
    MEASURE_LABELS,
    PARTY_LABELS,
    RELIABILITY,
    SEIZURE_LABELS,
    SOURCE_LABELS,
    Case,
    Clue,
    ClueLink,
)
from jinghai.cases.queries import (
    CLUE_PAGE_SIZE,
    entity_view,
    explain_link,
    get_case_for,
    get_clue_for,
    list_cases,
    list_clues,
    list_links,
    reveal_clue_text,
    reveal_entity,
    search_clues,
)
from jinghai.cases.schemas import (
    CaseIn,
    ClueIn,
    MeasureIn,
    PartyIn,
    SeizureIn,
)
from jinghai.db import utcnow
from jinghai.errors import InvalidInput
from jinghai.org.service import get_operation, local_today
from jinghai.schemas import parse
from jinghai.web.deps import AppSettings, CurrentUser, DbSession, discard_writes
from jinghai.web.render import register_nav, render, templates

router = APIRouter()
register_nav("线索串并", "/clues/", {"office", "liaison", "viewer"})
register_nav("案件", "/cases/", {"office", "liaison", "viewer"})

templates.env.filters["masktext"] = mask_text

LINK_STATUS = {"proposed": "待研判", "accepted": "已串并", "rejected": "已否决"}


def _local(db: Session, value: str) -> datetime | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("时间格式有误") from None
    return naive if naive.tzinfo else naive.replace(tzinfo=ZoneInfo(get_operation(db).timezone))


def _float(value: str | None, label: str) -> float | None:
    if value is None or not str(value).strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{label}应为数字") from None


def _day(db: Session, value: str) -> date:
    if not (value or "").strip():
        return local_today(get_operation(db), utcnow())
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("日期格式有误") from None


def _labels() -> dict:
    return {"sources": SOURCE_LABELS, "reliability": RELIABILITY, "entity_kinds": ENTITY_LABELS,
            "link_status": LINK_STATUS, "seizure_labels": SEIZURE_LABELS,
            "measure_labels": MEASURE_LABELS, "party_labels": PARTY_LABELS}


def _link_rows(links: list[ClueLink]) -> list[dict]:
    return [{"link": lk, "lines": explain_link(lk)} for lk in links]


# --- pages: clues --------------------------------------------------------------------------


@router.get("/clues/", include_in_schema=False)
def clues_page(request: Request, *, status: str = "", q: str = "", source: str = "",
               page: int = Query(1, ge=1, le=1_000_000), db: DbSession,
               user: CurrentUser) -> Response:
    rows, total = search_clues(db, user, q=q, status=status, source_kind=source, page=page)
    params = {k: v for k, v in (("q", q), ("status", status), ("source", source)) if v}
    return render(request, "cases/clues.html", {
        "rows": rows, "total": total, "page": page, "params": params,
        "pages": max(1, (total + CLUE_PAGE_SIZE - 1) // CLUE_PAGE_SIZE),
        "status": status, "q": q, "source": source, **_labels()})


@router.get("/clues/new", include_in_schema=False)
def new_clue_page(request: Request, user: CurrentUser) -> Response:
    require_staff_writer(user)  # the leadership reads; an entry form is not for them
    return render(request, "cases/clue_form.html", {"values": {}, "error": None, **_labels()})


def _entities_from_form(form) -> list[dict[str, object]]:
    out = []
    for i in range(5):
        kind, value = str(form.get(f"e{i}_kind", "")), str(form.get(f"e{i}_value", "")).strip()
        if not value:
            continue
        fields = {k: str(form.get(f"e{i}_{k}", "")).strip()
                  for k in ("id_number", "phone", "nationality", "mmsi", "registry_number")}
        out.append({"kind": kind, "value": value,
                    "fields": {k: v for k, v in fields.items() if v}})
    return out


@router.post("/clues/new", include_in_schema=False)
async def new_clue_submit(request: Request, db: DbSession,
                          user: CurrentUser,
                          settings: AppSettings) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "files")}
    uploads = await _uploads(form)
    try:
        clue = service.create_clue(db, user, parse(ClueIn, {
            "source_kind": values.get("source_kind", ""), "content": values.get("content", ""),
            "reliability": values.get("reliability", "F"), "title": values.get("title", ""),
            "source_detail": values.get("source_detail", ""),
            "occurred_at": _local(db, values.get("occurred_at", "")),
            "place": values.get("place", ""), "lon": _float(values.get("lon"), "经度"),
            "lat": _float(values.get("lat"), "纬度"), "entities": _entities_from_form(form),
            "line": values.get("line", "")}))
        for name, data in uploads:
            clue_files.add_attachment(db, user, clue.id, name, data, settings.data_dir)
    except InvalidInput as exc:
        discard_writes(request)  # neither the clue nor any of its files: the form again
        return render(request, "cases/clue_form.html",
                      {"values": values, "error": exc.message, **_labels()}, status_code=422)
    return RedirectResponse(f"/clues/{clue.id}", status_code=303)


@router.get("/clues/links", include_in_schema=False)
def links_page(request: Request, *, status: str = "proposed", db: DbSession,
               user: CurrentUser) -> Response:
    return render(request, "cases/links.html", {
        "rows": _link_rows(list_links(db, user, status=status)), "status": status,
        "flash": request.query_params.get("flash", ""), **_labels()})


@router.post("/clues/links/propose", include_in_schema=False)
def propose_page(db: DbSession, user: CurrentUser) -> RedirectResponse:
    new = service.propose_links(db, user)
    return RedirectResponse(f"/clues/links?flash={len(new)}", status_code=303)


@router.post("/clues/links/{link_id}/{action}", include_in_schema=False)
async def decide_page(request: Request, link_id: int, action: str,
                      db: DbSession, user: CurrentUser) -> RedirectResponse:
    _decide(db, user, link_id, action)
    form = await request.form()
    back = str(form.get("next", "/clues/links"))
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//")
                            else "/clues/links", status_code=303)


def _decide(db: Session, user: User, link_id: int, action: str) -> ClueLink:
    verbs = {"accept": service.accept_link, "reject": service.reject_link,
             "undo": service.undo_link}
    if action not in verbs:
        raise InvalidInput("未知操作")
    return verbs[action](db, user, link_id)


@router.get("/clues/graph", include_in_schema=False)
def graph_page(request: Request, *, field: str = "phone", value: str = "", hops: int = 1,
               entity: int | None = None, db: DbSession,
               user: CurrentUser) -> Response:
    """关系图: the clues, entities and accepted links around one focus, and every network.
    ``entity`` centres on a stored entity; its full number is not put in the form."""
    graph, error = None, ""
    by_entity = entity is not None and not value.strip()
    if by_entity:
        field, value = entity_focus(db, user, entity)
    if value.strip():
        try:
            graph = clue_graph(db, user, field, value, hops)
        except InvalidInput as exc:
            error = exc.message
    # the focus as the graph shows it (masked), never the entity's full number
    focus_label = next((n["name"] for n in (graph or {}).get("nodes", []) if n.get("focus")),
                       "")
    return render(request, "cases/graph.html", {
        "fields": FOCUS_FIELDS, "field": field, "value": "" if by_entity else value,
        "hops": hops, "entity": entity, "by_entity": by_entity, "focus_label": focus_label,
        "graph": graph, "error": error, "networks": clue_networks(db, user)})


async def _uploads(form) -> list[tuple[str, bytes]]:
    """The files of a multipart form, each read to one byte past the limit so an oversized
    one is refused without being held whole."""
    out = []
    for item in form.getlist("files"):
        if isinstance(item, FormFile):
            data = await item.read(clue_files.MAX_ATTACHMENT_BYTES + 1)
            if data:
                out.append((item.filename or "", data))
    return out


@router.post("/clues/{clue_id}/attachments", include_in_schema=False)
async def attachments_submit(request: Request, clue_id: int, db: DbSession,
                             user: CurrentUser,
                             settings: AppSettings) -> RedirectResponse:
    form = await request.form()
    uploads = await _uploads(form)
    if not uploads:
        raise InvalidInput("请选择要上传的文件")
    for name, data in uploads:
        clue_files.add_attachment(db, user, clue_id, name, data, settings.data_dir)
    return RedirectResponse(f"/clues/{clue_id}", status_code=303)


@router.get("/clues/{clue_id}/attachments/{attachment_id}", include_in_schema=False)
def attachment_download(clue_id: int, attachment_id: int, db: DbSession,
                        user: CurrentUser,
                        settings: AppSettings):
    return _file_response(*clue_files.open_attachment(db, user, clue_id, attachment_id,
                                                      settings.data_dir))


def _file_response(row, path) -> FileResponse:
    """Images and PDFs open in the browser; other types download. Private: not cached."""
    inline = row.is_image or row.content_type == "application/pdf"
    return FileResponse(path, media_type=row.content_type, filename=row.filename,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"Cache-Control": "private, no-store"})


@router.get("/clues/{clue_id}", include_in_schema=False)
def clue_page(request: Request, clue_id: int, db: DbSession,
              user: CurrentUser) -> Response:
    return _clue_detail(request, db, user, clue_id)


@router.post("/clues/{clue_id}/reveal", include_in_schema=False)
async def clue_reveal(request: Request, clue_id: int, db: DbSession,
                      user: CurrentUser) -> Response:
    """Showing a full number or the original text is logged, so it is a POST with the
    CSRF token: a link from another site cannot make a "reveal" in someone's name."""
    form = await request.form()
    entity = str(form.get("entity", "")).strip()
    if entity and (not entity.isdigit() or len(entity) > 18):
        raise InvalidInput("实体编号有误")
    return _clue_detail(request, db, user, clue_id, reveal=int(entity) if entity else None,
                        original=form.get("show") == "original")


def _clue_detail(request: Request, db: Session, user: User, clue_id: int,
                 reveal: int | None = None, original: bool = False) -> Response:
    clue = get_clue_for(db, user, clue_id)
    if original:
        reveal_clue_text(db, user, clue.id)
    revealed = reveal_entity(db, user, reveal) if reveal else None
    if revealed is not None and revealed.clue_id != clue.id:
        revealed = None
    links = list_links(db, user, clue_id=clue.id)
    linked = [lk.clue_b if lk.clue_a_id == clue.id else lk.clue_a
              for lk in links if lk.status == "accepted"]
    return render(request, "cases/clue_detail.html", {
        "clue": clue, "entities": [entity_view(e) for e in clue.entities],
        "revealed": revealed, "links": _link_rows(links), "linked": linked,
        "original": original, **_labels()})


# --- pages: cases ----------------------------------------------------------------------------


@router.get("/cases/", include_in_schema=False)
def cases_page(request: Request, db: DbSession,
               user: CurrentUser) -> Response:
    return render(request, "cases/cases.html", {"rows": list_cases(db, user)})


@router.post("/cases/new", include_in_schema=False)
async def new_case_submit(request: Request, db: DbSession,
                          user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    ids = [int(v) for v in form.getlist("clue_ids") if str(v).isdigit()]
    case = service.open_case(db, user, parse(CaseIn, {
        "title": str(form.get("title", "")), "clue_ids": ids,
        "summary": str(form.get("summary", "")), "line": str(form.get("line", ""))}))
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: int, db: DbSession,
              user: CurrentUser) -> Response:
    case = get_case_for(db, user, case_id)
    return render(request, "cases/case_detail.html", {
        "case": case, "today": _day(db, "").isoformat(), **_labels()})


@router.post("/cases/{case_id}/measures", include_in_schema=False)
async def measure_submit(request: Request, case_id: int, db: DbSession,
                         user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    service.add_measure(db, user, case_id, parse(MeasureIn, {
        "person_name": str(form.get("person_name", "")), "kind": str(form.get("kind", "")),
        "day": _day(db, str(form.get("day", ""))),
        "id_number": str(form.get("id_number", ""))}))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/parties", include_in_schema=False)
async def party_submit(request: Request, case_id: int, db: DbSession,
                       user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    service.add_party(db, user, case_id, parse(PartyIn, {
        **{k: str(form.get(k, "")) for k in ("kind", "name", "nationality", "document",
                                             "employer", "place")},
        "day": _day(db, str(form.get("day", "")))}))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/seizures", include_in_schema=False)
async def seizure_submit(request: Request, case_id: int, db: DbSession,
                         user: CurrentUser) -> RedirectResponse:
    form = await request.form()
    service.record_seizure(db, user, case_id, parse(SeizureIn, {
        "category": str(form.get("category", "")), "day": _day(db, str(form.get("day", ""))),
        "quantity": str(form.get("quantity", "")), "tonnes": str(form.get("tonnes", "")),
        "description": str(form.get("description", ""))}))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# --- JSON API ----------------------------------------------------------------------------------


class EntityOut(BaseModel):
    id: int
    kind: str
    value: str
    masked: bool


class ClueOut(BaseModel):
    id: int
    source_kind: str
    reliability: str
    title: str
    content: str
    occurred_at: datetime | None
    place: str
    lon: float | None
    lat: float | None
    unit: str
    status: str
    entities: list[EntityOut]
    attachments: list[dict] = Field(default_factory=list)
    line: str = ""

    @classmethod
    def of(cls, c: Clue) -> ClueOut:
        return cls(id=c.id, source_kind=c.source_kind, reliability=c.reliability,
                   title=mask_text(c.title), content=mask_text(c.content),
                   occurred_at=c.occurred_at, place=c.place,
                   lon=c.lon, lat=c.lat, unit=c.unit.key, status=c.status, line=c.line,
                   entities=[EntityOut(id=v.id, kind=v.kind, value=v.value, masked=v.masked)
                             for v in map(entity_view, c.entities)],
                   attachments=[{"id": a.id, "filename": a.filename, "size": a.size,
                                 "content_type": a.content_type} for a in c.attachments])


class LinkOut(BaseModel):
    id: int
    clue_a: int
    clue_b: int
    score: float
    status: str
    explanation: list[str]

    @classmethod
    def of(cls, lk: ClueLink) -> LinkOut:
        return cls(id=lk.id, clue_a=lk.clue_a_id, clue_b=lk.clue_b_id, score=lk.score,
                   status=lk.status, explanation=explain_link(lk))


class CaseOut(BaseModel):
    id: int
    number: str
    title: str
    opened_at: datetime
    unit: str
    clue_ids: list[int]
    measures: int
    seizures: int
    parties: list[dict]
    line: str = ""

    @classmethod
    def of(cls, c: Case) -> CaseOut:
        return cls(id=c.id, number=c.number, title=c.title, opened_at=c.opened_at,
                   unit=c.unit.key, line=c.line, clue_ids=[x.id for x in c.clues],
                   measures=len(c.measures), seizures=len(c.seizures),
                   parties=[{"id": p.id, "kind": p.kind, "name": p.name,
                             "nationality": p.nationality, "document": p.document_masked,
                             "employer": p.employer, "day": p.day.isoformat()}
                            for p in c.parties])


@router.get("/api/clues")
def api_clues(*, status: str = "", db: DbSession,
              user: CurrentUser) -> list[ClueOut]:
    return [ClueOut.of(c) for c in list_clues(db, user, status=status)]


@router.post("/api/clues", status_code=201)
def api_create_clue(body: ClueIn, db: DbSession,
                    user: CurrentUser) -> ClueOut:
    return ClueOut.of(service.create_clue(db, user, body))


@router.get("/api/clues/links")
def api_links(*, status: str = "", db: DbSession,
              user: CurrentUser) -> list[LinkOut]:
    return [LinkOut.of(lk) for lk in list_links(db, user, status=status)]


@router.post("/api/clues/links/propose")
def api_propose(db: DbSession,
                user: CurrentUser) -> list[LinkOut]:
    return [LinkOut.of(lk) for lk in service.propose_links(db, user)]


@router.post("/api/clues/links/{link_id}/{action}")
def api_decide(link_id: int, action: str, db: DbSession,
               user: CurrentUser) -> LinkOut:
    return LinkOut.of(_decide(db, user, link_id, action))


@router.get("/api/clues/graph")
def api_graph(field: str, value: str, *, hops: int = 1, db: DbSession,
              user: CurrentUser) -> dict:
    """The graph around a phone, ID number, name, vessel or plate (ECharts nodes/edges);
    identity and phone numbers masked."""
    return clue_graph(db, user, field, value, hops)


@router.get("/api/clues/networks")
def api_networks(db: DbSession, user: CurrentUser
                 ) -> list[dict]:
    """Connected groups of clues (团伙) by accepted links, largest first."""
    return [{"clue_ids": list(n.clue_ids), "titles": [mask_text(t) for t in n.titles]}
            for n in clue_networks(db, user)]


@router.post("/api/clues/{clue_id}/attachments", status_code=201)
async def api_attach(clue_id: int, file: UploadFile, db: DbSession,
                     user: CurrentUser,
                     settings: AppSettings) -> dict:
    """Attach a file (JPEG, PNG, PDF, .docx, .xlsx or text; at most 10 MB) to a clue."""
    data = await file.read(clue_files.MAX_ATTACHMENT_BYTES + 1)
    row = clue_files.add_attachment(db, user, clue_id, file.filename or "", data,
                                    settings.data_dir)
    return {"id": row.id, "filename": row.filename, "content_type": row.content_type,
            "size": row.size}


@router.get("/api/clues/{clue_id}/attachments/{attachment_id}")
def api_attachment(clue_id: int, attachment_id: int, db: DbSession,
                   user: CurrentUser,
                   settings: AppSettings):
    """The attached file itself; each download is logged."""
    return _file_response(*clue_files.open_attachment(db, user, clue_id, attachment_id,
                                                      settings.data_dir))


@router.get("/api/clues/{clue_id}")
def api_clue(clue_id: int, db: DbSession,
             user: CurrentUser) -> ClueOut:
    return ClueOut.of(get_clue_for(db, user, clue_id))


@router.post("/api/clues/entities/{entity_id}/unmasked")
def api_reveal(entity_id: int, db: DbSession,
               user: CurrentUser) -> dict:
    e = reveal_entity(db, user, entity_id)
    return {"id": e.id, "kind": e.kind, "value": e.value, "raw": e.raw}


@router.get("/api/cases")
def api_cases(db: DbSession,
              user: CurrentUser) -> list[CaseOut]:
    return [CaseOut.of(c) for c in list_cases(db, user)]


@router.post("/api/cases", status_code=201)
def api_open_case(body: CaseIn, db: DbSession,
                  user: CurrentUser) -> CaseOut:
    return CaseOut.of(service.open_case(db, user, body))


@router.get("/api/cases/{case_id}")
def api_case(case_id: int, db: DbSession,
             user: CurrentUser) -> CaseOut:
    return CaseOut.of(get_case_for(db, user, case_id))


@router.post("/api/cases/{case_id}/measures", status_code=201)
def api_measure(case_id: int, body: MeasureIn, db: DbSession,
                user: CurrentUser) -> dict:
    m = service.add_measure(db, user, case_id, body)
    return {"id": m.id}


@router.post("/api/cases/{case_id}/seizures", status_code=201)
def api_seizure(case_id: int, body: SeizureIn, db: DbSession,
                user: CurrentUser) -> dict:
    s = service.record_seizure(db, user, case_id, body)
    return {"id": s.id}


@router.post("/api/cases/{case_id}/parties", status_code=201)
def api_party(case_id: int, body: PartyIn, db: DbSession,
              user: CurrentUser) -> dict:
    """Record an illegal employer or illegal foreign worker found in the case."""
    p = service.add_party(db, user, case_id, body)
    return {"id": p.id, "document": p.document_masked}
