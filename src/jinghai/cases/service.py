"""The verbs that change clues, links and cases — the only writers (every change audited)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.cases import linking
from jinghai.cases.access import (
    owning_unit_id,
    require_staff_writer,
    require_unit_data,
)
from jinghai.cases.entities import (
    extract_entities,
    normalise_id_number,
    normalise_mmsi,
    normalise_phone,
    normalise_plate,
    normalise_vessel_name,
)
from jinghai.cases.models import (
    Case,
    CaseMeasure,
    CaseParty,
    Clue,
    ClueEntity,
    ClueLink,
    LineOfWork,
    LinkStatus,
    Seizure,
)
from jinghai.cases.queries import get_case_for, get_clue_for, visible_clues
from jinghai.cases.schemas import (
    CaseIn,
    ClueIn,
    LinkIn,
    MeasureIn,
    PartyIn,
    SeizureIn,
)
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput, NotFound

_TEXT_KIND = {"phone": "phone", "landline": "phone", "id_number": "id_number",
              "plate": "vehicle", "mmsi": "mmsi", "vessel_name": "vessel"}


def _normalise(kind: str, value: str) -> str:
    """The linker's canonical form, so equal things compare equal in the database too."""
    v = value.strip()
    if kind == "phone":
        return normalise_phone(v) or v
    if kind == "id_number":
        return normalise_id_number(v) or v.upper()
    if kind == "mmsi":
        return normalise_mmsi(v) or v
    if kind == "vehicle":
        return normalise_plate(v) or v
    if kind == "vessel":
        return normalise_vessel_name(v) or v
    return v


def default_line(session: Session, unit_id: int) -> str:
    """The line of work of a unit's records when none is given: smuggling for a unit that
    reports the 反走私 section, illegal entry for any other."""
    from jinghai.org.service import sections_of_unit

    if "anti_smuggling" in sections_of_unit(session, unit_id):
        return LineOfWork.SMUGGLING.value
    return LineOfWork.ILLEGAL_ENTRY.value


def _check_line(line: str) -> str:
    if line not in {v.value for v in LineOfWork}:
        raise InvalidInput("工作条线应为“偷渡/非法入境”或“走私”")
    return line


def create_clue(session: Session, user: User, data: ClueIn, *, tipoff_id: int | None = None,
                recognise_text: bool = True) -> Clue:
    """Record a clue for the user's unit. Identifiers recognised in the text (phones, ID
    numbers, plates, MMSIs, vessel names) are stored as entities too, so they show on the
    clue and in searches, not only inside the linker. ``tipoff_id`` is the tip-off it was
    converted from; neither it nor ``recognise_text`` is the user's to set."""
    require_staff_writer(user)
    unit_id = owning_unit_id(session, user)
    line = _check_line(data.line.strip() or default_line(session, unit_id))
    clue = Clue(line=line,
        source_kind=data.source_kind, source_detail=data.source_detail.strip(),
        reliability=data.reliability, title=data.title.strip()[:200],
        content=data.content.strip(), occurred_at=data.occurred_at, place=data.place.strip(),
        lon=data.lon, lat=data.lat, unit_id=unit_id,
        created_by_id=user.id, tipoff_id=tipoff_id,
    )
    seen: set[tuple[str, str]] = set()
    for e in data.entities:
        value = _normalise(e.kind, e.value)
        seen.add((e.kind, value))
        clue.entities.append(ClueEntity(kind=e.kind, value=value, raw=e.value.strip()[:200],
                                        fields={k: v for k, v in e.fields.items() if v}))
    if recognise_text:
        for span in extract_entities(f"{data.title}\n{data.content}"):
            kind = _TEXT_KIND.get(span.kind)
            if kind and (kind, span.value) not in seen:
                seen.add((kind, span.value))
                clue.entities.append(ClueEntity(kind=kind, value=span.value, raw=span.raw,
                                                fields={"from_text": True}))
    session.add(clue)
    session.flush()
    # a reference, not the content: the text may name people and hold their numbers
    record(session, user, "create", "clue", clue.id,
           new=f"{clue.source_kind}/{clue.reliability} {len(clue.content)} 字")
    return clue


def to_link_clue(clue: Clue) -> linking.Clue:
    """The stored clue as the DB-free linker sees it. Entities recognised from the text are
    left to the linker's own recognition so they are not counted twice."""
    persons, vessels, vehicles, orgs, places = [], [], [], [], []
    for e in clue.entities:
        f = e.fields or {}
        if f.get("from_text"):
            continue
        if e.kind == "person":
            persons.append(linking.Person(name=e.raw or e.value,
                                          id_number=str(f.get("id_number", "")),
                                          nationality=str(f.get("nationality", "")),
                                          phone=str(f.get("phone", ""))))
        elif e.kind == "phone":
            persons.append(linking.Person(phone=e.raw or e.value))
        elif e.kind == "id_number":
            persons.append(linking.Person(id_number=e.value))
        elif e.kind == "vessel":
            vessels.append(linking.Vessel(name=e.raw or e.value, mmsi=str(f.get("mmsi", "")),
                                          registry_number=str(f.get("registry_number", ""))))
        elif e.kind == "mmsi":
            vessels.append(linking.Vessel(mmsi=e.value))
        elif e.kind == "vehicle":
            vehicles.append(linking.Vehicle(plate=e.raw or e.value))
        elif e.kind == "organisation":
            orgs.append(e.value)
        elif e.kind == "place":
            places.append(e.value)
    return linking.Clue(
        id=clue.id, time=clue.occurred_at, lon=clue.lon, lat=clue.lat,
        text=f"{clue.title}\n{clue.content}", persons=tuple(persons), vessels=tuple(vessels),
        vehicles=tuple(vehicles), organisations=tuple(orgs), places=tuple(places),
    )


def propose_links(session: Session, user: User,
                  params: linking.LinkParams | None = None) -> list[ClueLink]:
    """Run the linker over every clue the user may see and store the new proposals. A pair
    already proposed, accepted or rejected is left alone: a rejected pair stays rejected
    until an analyst undoes it, however often the linker runs."""
    require_staff_writer(user)
    clues = visible_clues(session, user)
    proposals = linking.propose_links([to_link_clue(c) for c in clues], params)
    existing = {(a, b) for a, b in session.execute(
        select(ClueLink.clue_a_id, ClueLink.clue_b_id))}
    new: list[ClueLink] = []
    for p in proposals:
        a, b = sorted((int(p.a), int(p.b)))
        if (a, b) in existing:
            continue
        link = ClueLink(clue_a_id=a, clue_b_id=b, score=round(p.score, 4),
                        explanation=[dataclasses.asdict(e) for e in p.evidence])
        session.add(link)
        new.append(link)
    session.flush()
    for link in new:
        record(session, user, "propose", "clue_link", link.id,
               new=f"{link.clue_a_id}~{link.clue_b_id} {link.score}")
    return new


def link_clues(session: Session, user: User, data: LinkIn) -> ClueLink:
    """An analyst links two clues by hand; it is accepted at once (they decided)."""
    require_staff_writer(user)
    a, b = sorted((data.clue_a_id, data.clue_b_id))
    get_clue_for(session, user, a)
    get_clue_for(session, user, b)
    link = session.scalar(select(ClueLink).where(ClueLink.clue_a_id == a,
                                                 ClueLink.clue_b_id == b))
    if link is None:
        link = ClueLink(clue_a_id=a, clue_b_id=b, score=1.0,
                        explanation=[{"field": "analyst", "method": "manual", "value_a": "",
                                      "value_b": "", "strength": 1.0, "note": data.reason}])
        session.add(link)
        session.flush()
    return _decide(session, user, link, LinkStatus.ACCEPTED)


def _get_link_for(session: Session, user: User, link_id: int) -> ClueLink:
    link = session.get(ClueLink, link_id)
    if link is None:
        raise NotFound("串并建议不存在")
    require_unit_data(user, link.clue_a.unit_id)
    require_unit_data(user, link.clue_b.unit_id)
    return link


def _decide(session: Session, user: User, link: ClueLink, status: LinkStatus) -> ClueLink:
    old = link.status
    link.status = status.value
    if status == LinkStatus.PROPOSED:
        link.decided_by_id, link.decided_at = None, None
    else:
        link.decided_by_id, link.decided_at = user.id, utcnow()
    session.flush()
    record(session, user, "decide", "clue_link", link.id, field="status", old=old,
           new=link.status)
    return link


def accept_link(session: Session, user: User, link_id: int) -> ClueLink:
    require_staff_writer(user)
    return _decide(session, user, _get_link_for(session, user, link_id), LinkStatus.ACCEPTED)


def reject_link(session: Session, user: User, link_id: int) -> ClueLink:
    require_staff_writer(user)
    return _decide(session, user, _get_link_for(session, user, link_id), LinkStatus.REJECTED)


def undo_link(session: Session, user: User, link_id: int) -> ClueLink:
    """Back to proposed: an accepted link so undone leaves the day's 线索串并 count."""
    require_staff_writer(user)
    link = _get_link_for(session, user, link_id)
    if link.status == LinkStatus.PROPOSED:
        raise Conflict("该建议尚未处理，无需撤销")
    return _decide(session, user, link, LinkStatus.PROPOSED)


_CASE_NUMBER_ATTEMPTS = 5


def _next_case_number(session: Session, when: datetime) -> str:
    year = when.year
    prefix = f"JH{year}-"
    last = session.scalar(select(func.max(Case.number)).where(Case.number.like(f"{prefix}%")))
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:04d}"


def open_case(session: Session, user: User, data: CaseIn,
              opened_at: datetime | None = None) -> Case:
    """Open a case (立案侦查) from clues the user may see; the clues move to ``in_case``.
    Its line of work (and so its seizures') is ``line``, else its clues' when they agree,
    else the unit's. ``opened_at`` (default now) is for imports and the demo."""
    require_staff_writer(user)
    clues = [get_clue_for(session, user, cid) for cid in dict.fromkeys(data.clue_ids)]
    when = opened_at or utcnow()
    unit_id = owning_unit_id(session, user)
    lines = {c.line for c in clues}
    line = _check_line(data.line.strip() or (lines.pop() if len(lines) == 1
                                             else default_line(session, unit_id)))
    case = Case(title=data.title.strip()[:200], summary=data.summary.strip(), opened_at=when,
                unit_id=unit_id, created_by_id=user.id, line=line)
    # Two offices opening a case at the same moment may draw the same number; the unique
    # constraint refuses the second, which then takes the next free number.
    for attempt in range(_CASE_NUMBER_ATTEMPTS):
        case.number = _next_case_number(session, when)
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
            break
        except IntegrityError:
            if attempt == _CASE_NUMBER_ATTEMPTS - 1:
                raise Conflict("案件编号分配冲突，请重试") from None
    case.clues.extend(clues)
    for c in clues:
        c.status = "in_case"
    session.flush()
    record(session, user, "create", "case", case.id, new=case.number,
           reason="clues " + ",".join(str(c.id) for c in clues))
    return case


def add_measure(session: Session, user: User, case_id: int, data: MeasureIn) -> CaseMeasure:
    """A coercive measure or a referral for prosecution, one row per person."""
    require_staff_writer(user)
    case = get_case_for(session, user, case_id)
    id_number = data.id_number
    measure = CaseMeasure(case_id=case.id, person_name=data.person_name.strip()[:100],
                          id_number=(normalise_id_number(id_number) or id_number.strip())[:40],
                          kind=data.kind, day=data.day, note=data.note, created_by_id=user.id)
    session.add(measure)
    session.flush()
    record(session, user, "create", "case_measure", measure.id, new=data.kind,
           reason=f"case {case.number}")
    return measure


def add_party(session: Session, user: User, case_id: int, data: PartyIn) -> CaseParty:
    """An illegal employer (依法查处非法用工企业) or an illegal foreign worker (境外非法务工
    人员) found in a case; audited without the document number."""
    require_staff_writer(user)
    case = get_case_for(session, user, case_id)
    party = CaseParty(case_id=case.id, kind=data.kind, name=data.name.strip()[:200],
                      nationality=data.nationality.strip()[:60],
                      document=data.document.strip(), employer=data.employer.strip()[:200],
                      place=data.place.strip()[:200], day=data.day,
                      note=data.note.strip()[:2000], created_by_id=user.id)
    session.add(party)
    session.flush()
    record(session, user, "create", "case_party", party.id, new=data.kind,
           reason=f"case {case.number}")
    return party


def record_seizure(session: Session, user: User, case_id: int, data: SeizureIn) -> Seizure:
    """Vehicles, vessels and persons count by quantity; goods by tonnes (反走私)."""
    require_staff_writer(user)
    case = get_case_for(session, user, case_id)
    category, quantity, t = data.category, data.quantity, data.tonnes
    seizure = Seizure(case_id=case.id, category=category, day=data.day, quantity=quantity,
                      tonnes=t, description=data.description.strip()[:200],
                      created_by_id=user.id)
    session.add(seizure)
    session.flush()
    record(session, user, "create", "seizure", seizure.id,
           new=f"{category} {quantity} {t}", reason=f"case {case.number}")
    return seizure
