"""Filing, importing and reading owners' entry/exit reports (进出港报告).

Three ways in, one verb (``file_port_report``):

- the office or the fisheries authority's liaison types a report into the form (owners
  often phone it in);
- the owner files it from a phone through a per-vessel *report link*. Why not the
  vessel's exclusive code (船舶专属码)? That QR is painted on the wheelhouse for inspectors
  to scan: anyone on the quay can read it, so it cannot prove who is reporting. The report
  link is a separate secret, issued by the fisheries authority to the owner's own phone,
  stored only as a hash, revocable, and it can do one thing: file reports for that vessel;
- a CSV/XLSX import (the fisheries bureau's 智慧渔港 exports), good rows in, bad rows listed.

The unreported-arrival detector reads the entry reports (``entry_reports_for_detector``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import InvalidInput, NotFound, PermissionDenied
from jinghai.geo.models import ZoneRecord
from jinghai.portcalls.models import OwnerReportLink, PortReport
from jinghai.portcalls.schemas import PortReportIn
from jinghai.schemas import parse
from jinghai.vessels.access import is_registry_keeper
from jinghai.vessels.models import FishingVessel
from jinghai.vessels.roster import read_table


def require_report_keeper(session: Session, user: User | None) -> None:
    """The office and the fisheries authority (who run the reporting system) file and read."""
    if user is None or not is_registry_keeper(session, user):
        raise PermissionDenied("只有专班办公室和渔业主管部门可以登记和查看进出港报告")


def require_report_reader(session: Session, user: User | None) -> None:
    """The keepers, and the leadership, who reads everything and writes nothing."""
    if user is not None and user.role == Role.VIEWER and user.active:
        return
    require_report_keeper(session, user)


def _find_vessel(session: Session, ref: str) -> FishingVessel:
    ref = (ref or "").strip()
    if not ref:
        raise InvalidInput("请填写渔船编号")
    vessel = session.scalar(select(FishingVessel).where(FishingVessel.registry_no == ref))
    if vessel is None and ref.isdigit() and len(ref) < 9:
        vessel = session.get(FishingVessel, int(ref))
    if vessel is None and ref.isdigit() and len(ref) == 9:
        vessel = session.scalar(select(FishingVessel).where(FishingVessel.mmsi == ref))
    if vessel is None:
        raise InvalidInput(f"名录中没有渔船“{ref}”")
    return vessel


def _port(session: Session, text: str) -> tuple[str | None, str]:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写港口")
    rec = session.scalar(select(ZoneRecord).where(
        ZoneRecord.kind == "port", or_(ZoneRecord.id == text, ZoneRecord.name == text)))
    return (rec.id, rec.name) if rec else (None, text[:200])


def _validate(session: Session, data: PortReportIn, now: datetime
              ) -> tuple[FishingVessel, str | None, str]:
    vessel = _find_vessel(session, data.vessel)
    zone_id, port_name = _port(session, data.port)
    if data.event_time > now + timedelta(days=3):
        raise InvalidInput("进出港时间不能晚于三天后")
    if data.event_time < now - timedelta(days=366):
        raise InvalidInput("进出港时间不能早于一年前")
    return vessel, zone_id, port_name


def _file(session: Session, user: User | None, data: PortReportIn, via: str,
          now: datetime) -> PortReport:
    vessel, zone_id, port_name = _validate(session, data, now)
    when = data.event_time
    report = PortReport(vessel_id=vessel.id, mmsi=vessel.mmsi, direction=data.direction,
                        port_zone_id=zone_id, port_name=port_name, event_time=when,
                        crew_count=data.crew_count, via=via,
                        reporter_name=data.reporter_name.strip()[:100],
                        reporter_phone=data.reporter_phone.strip()[:40],
                        note=data.note.strip()[:2000],
                        created_by_id=user.id if user else None, created_at=now)
    session.add(report)
    session.flush()
    record(session, user, "create", "port_report", report.id,
           new=f"{vessel.registry_no} {report.direction_label} {port_name} {when.isoformat()}")
    # an open alert this report answers is noted by jinghai.alerts (note_filed_reports)
    return report


def file_port_report(session: Session, user: User, data: PortReportIn, *,
                     now: datetime | None = None) -> PortReport:
    """The office or the fisheries authority records a report (form or phone call)."""
    require_report_keeper(session, user)
    return _file(session, user, data, "form", now or utcnow())


# -- owners' report links ----------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_owner_link(session: Session, user: User, vessel_id: int) -> tuple[OwnerReportLink, str]:
    """A new report link for one vessel; earlier links of the vessel stop working. Returns
    the token, which is not stored and cannot be shown again."""
    require_report_keeper(session, user)
    vessel = session.get(FishingVessel, vessel_id)
    if vessel is None:
        raise NotFound("没有这艘渔船")
    now = utcnow()
    for old in session.scalars(select(OwnerReportLink).where(
            OwnerReportLink.vessel_id == vessel_id, OwnerReportLink.revoked_at.is_(None))):
        old.revoked_at = now
    token = secrets.token_urlsafe(24)
    link = OwnerReportLink(vessel_id=vessel_id, token_hash=_hash(token), issued_by_id=user.id,
                           issued_at=now)
    session.add(link)
    session.flush()
    record(session, user, "create", "owner_report_link", link.id, new=vessel.registry_no)
    return link, token


def revoke_owner_link(session: Session, user: User, link_id: int) -> OwnerReportLink:
    require_report_keeper(session, user)
    link = session.get(OwnerReportLink, link_id)
    if link is None:
        raise NotFound("没有这个报告链接")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record(session, user, "revoke", "owner_report_link", link.id)
    return link


def vessel_for_owner_token(session: Session, token: str) -> tuple[OwnerReportLink, FishingVessel]:
    link = session.scalar(select(OwnerReportLink).where(
        OwnerReportLink.token_hash == _hash(token or "")))
    if link is None or link.revoked_at is not None:
        # a failed credential, not a missing page: refused like a wrong password
        raise PermissionDenied("报告链接无效或已停用，请联系渔业主管部门")
    return link, link.vessel


def file_owner_report(session: Session, token: str, data: PortReportIn, *,
                      now: datetime | None = None) -> PortReport:
    """An owner files through their link: only for the link's own vessel."""
    now = now or utcnow()
    link, vessel = vessel_for_owner_token(session, token)
    data = data.model_copy(update={"vessel": vessel.registry_no})
    link.last_used_at = now
    report = _file(session, None, data, "owner_link", now)
    record(session, None, "create", "port_report", report.id, reason="船东通过报告链接提交",
           new=f"link {link.id}")
    return report


# -- import ------------------------------------------------------------------------------
HEADERS = {"渔船编号": "vessel", "船舶编号": "vessel", "registry_no": "vessel", "vessel": "vessel",
           "方向": "direction", "进出港": "direction", "类型": "direction",
           "direction": "direction", "港口": "port", "港口名称": "port", "port": "port",
           "时间": "event_time", "进出港时间": "event_time", "报告时间": "event_time",
           "event_time": "event_time", "船上人数": "crew_count", "人数": "crew_count",
           "crew_count": "crew_count", "报告人": "reporter_name", "联系电话": "reporter_phone",
           "备注": "note"}
REQUIRED = ("vessel", "direction", "port", "event_time", "crew_count")
LABELS = {"vessel": "渔船编号", "direction": "方向", "port": "港口", "event_time": "时间",
          "crew_count": "船上人数"}


@dataclass
class ImportRow:
    row: int
    vessel: str
    ok: bool
    error: str = ""


@dataclass
class PortImportReport:
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def errors(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]


def import_port_reports(session: Session, user: User, data: bytes, filename: str, *,
                        now: datetime | None = None) -> PortImportReport:
    """Good rows go in, each bad row is listed with its spreadsheet row number and what is
    wrong (tolerant per file, strict per row)."""
    require_report_keeper(session, user)
    now = now or utcnow()
    table = read_table(data, filename)
    if not table:
        raise InvalidInput("文件是空的")
    mapping: dict[int, str] = {}
    for i, heading in enumerate(table[0]):
        key = HEADERS.get(heading.strip()) or HEADERS.get(heading.strip().lower())
        if key and key not in mapping.values():
            mapping[i] = key
    missing = [LABELS[k] for k in REQUIRED if k not in mapping.values()]
    if missing:
        raise InvalidInput("表头缺少必填列: " + "、".join(missing))
    out = PortImportReport()
    for n, cells in enumerate(table[1:], start=2):
        values = {key: (cells[i] if i < len(cells) else "") for i, key in mapping.items()}
        if not any(values.values()):
            continue
        try:
            with session.begin_nested():
                _file(session, user, parse(PortReportIn, {k: values.get(k, "") for k in (
                    *REQUIRED, "reporter_name", "reporter_phone", "note")}), "import", now)
            out.rows.append(ImportRow(n, values.get("vessel", ""), True))
        except InvalidInput as exc:
            out.rows.append(ImportRow(n, values.get("vessel", ""), False, exc.message))
    return out


# -- reads -------------------------------------------------------------------------------
def list_port_reports(session: Session, user: User, *, limit: int = 200,
                      vessel_id: int | None = None) -> list[PortReport]:
    require_report_reader(session, user)
    q = select(PortReport).order_by(PortReport.event_time.desc(), PortReport.id.desc())
    if vessel_id is not None:
        q = q.where(PortReport.vessel_id == vessel_id)
    return list(session.scalars(q.limit(limit)))


def entry_reports_for_detector(session: Session, since: datetime | None = None
                               ) -> list[dict[str, object]]:
    """Entry reports as the unreported-arrival detector takes them (mmsi, port, time)."""
    q = select(PortReport).where(PortReport.direction == "entry", PortReport.mmsi.isnot(None))
    if since is not None:
        q = q.where(PortReport.event_time >= since)
    return [{"mmsi": int(r.mmsi), "port": r.port_zone_id or r.port_name, "time": r.event_time}
            for r in session.scalars(q.order_by(PortReport.id))]


def exit_reports_for_detector(session: Session, since: datetime | None = None
                              ) -> list[dict[str, object]]:
    """Exit reports as the unreported-departure detector takes them (mmsi, port, time)."""
    q = select(PortReport).where(PortReport.direction == "exit", PortReport.mmsi.isnot(None))
    if since is not None:
        q = q.where(PortReport.event_time >= since)
    return [{"mmsi": int(r.mmsi), "port": r.port_zone_id or r.port_name, "time": r.event_time}
            for r in session.scalars(q.order_by(PortReport.id))]


def reports_for(session: Session, mmsi: int, direction: str, start: datetime, end: datetime
                ) -> list[PortReport]:
    """One vessel's reports of a direction with event times in [start, end]."""
    return list(session.scalars(select(PortReport).where(
        PortReport.mmsi == str(mmsi), PortReport.direction == direction,
        PortReport.event_time >= start, PortReport.event_time <= end).order_by(PortReport.id)))


def has_exit_report(session: Session, mmsi: int, port_zone_id: str, port_name: str,
                    exit_time: datetime, before: timedelta = timedelta(hours=24),
                    after: timedelta = timedelta(hours=2)) -> bool:
    """An exit report for this vessel and port filed for a time near ``exit_time``."""
    return session.scalar(select(PortReport.id).where(
        PortReport.direction == "exit", PortReport.mmsi == str(mmsi),
        or_(PortReport.port_zone_id == port_zone_id, PortReport.port_name == port_name),
        PortReport.event_time >= exit_time - before,
        PortReport.event_time <= exit_time + after).limit(1)) is not None


def is_reported_home_call(session: Session, mmsi: int, places: Iterable[str | None],
                          at: datetime, before: timedelta = timedelta(hours=24),
                          after: timedelta = timedelta(hours=2)) -> bool:
    """A registry boat at its own home port (its ``home_port`` names one of ``places``: a
    landing point's name or sub-district) with a port report filed for about that time:
    an ordinary return home, not a landing."""
    boat = session.scalar(select(FishingVessel).where(FishingVessel.mmsi == str(mmsi)))
    if boat is None or not boat.home_port:
        return False
    if not any(p and boat.home_port in p for p in places):
        return False
    return session.scalar(select(PortReport.id).where(
        PortReport.vessel_id == boat.id, PortReport.event_time >= at - before,
        PortReport.event_time <= at + after).limit(1)) is not None


def is_report_keeper(session: Session, user: User | None) -> bool:
    return user is not None and user.role in (Role.OFFICE, Role.LIAISON) and is_registry_keeper(
        session, user)
