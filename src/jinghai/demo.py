"""A living demo of the Beilun operation: users for every unit and weeks of daily reports.

Everything goes through the real services (``add_user``, ``save_section``, ``submit_nil``,
``lock_day``), so the demo shows exactly what the platform would hold after a month of use,
audit trail included. Deterministic for a given seed and ``today``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.alerts.demo import seed_alerts
from jinghai.cases.demo import seed_casework
from jinghai.inbound.demo import INBOUND_STATION, seed_inbound
from jinghai.incidents.demo import seed_incidents_of_day
from jinghai.org.models import Unit
from jinghai.org.service import init_operation, reporting_slots
from jinghai.org.template import LoadedTemplate, load_template
from jinghai.outreach.demo import seed_outreach
from jinghai.patrol.demo import seed_patrols
from jinghai.reporting.form import Severity, default_form
from jinghai.reporting.schemas import LockIn
from jinghai.reporting.service import entry_view, lock_day, save_section, submit_nil
from jinghai.supervision.demo import issue_demo_circulars, seed_operations
from jinghai.vessels.demo import seed_vessels
from jinghai.wiring import load_counters

__all__ = ["DemoLogin", "build_demo", "demo_logins"]

DEFAULT_SEED = 20261029
TZ = ZoneInfo("Asia/Shanghai")
YEAR = "2026"

# Share of slots per past day that are missing, nil (sub-districts only) and late.
P_MISSING = 0.02
P_NIL = 0.08
P_LATE = 0.05
# Days (counted back from today) on which a unit reports an unusual figure with a comment.
SPIKE_DAYS = (1, 9, 17)
# Yesterday and the day before are not locked yet, so the board shows these plainly.
FORCED = {(1, "sd_baifeng"): "nil", (1, "bs_meishan"): "late", (2, "cu_daxie"): "missing"}


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed on the console; the password is meant to be shown."""

    username: str
    password: str
    role: str
    display_name: str
    unit_name: str


def _password(name: str) -> str:
    return f"jh-{name}-{YEAR}"


def _staff_logins() -> list[DemoLogin]:
    return [
        DemoLogin("office", _password("office"), Role.OFFICE.value, "专班办公室值班员", "专班办公室"),
        DemoLogin("leader", _password("leader"), Role.VIEWER.value, "专班领导", ""),
        DemoLogin("admin", _password("admin"), Role.ADMIN.value, "系统管理员", ""),
    ]


def demo_logins(session: Session) -> list[DemoLogin]:
    """The demo's accounts, derived from the operation in the database (so the CLI can print
    them again for an existing demo database without storing passwords anywhere)."""
    logins = _staff_logins()
    seen: set[str] = set()
    for slot in reporting_slots(session):
        if slot.unit.key in seen:
            continue
        seen.add(slot.unit.key)
        logins.append(DemoLogin(slot.unit.key, _password(slot.unit.key), Role.LIAISON.value,
                                f"{slot.unit.name}联络员", slot.unit.name))
    return logins


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def _on_time(rng: random.Random, day: date) -> datetime:
    return _at(day, rng.randint(8, 16), rng.randrange(60))


def _late(rng: random.Random, day: date) -> datetime:
    return _at(day, rng.randint(17, 21), rng.randrange(1, 60))


def _rare(rng: random.Random, p: float, low: int = 1, high: int = 2) -> int:
    return rng.randint(low, high) if rng.random() < p else 0


def _figures(rng: random.Random, unit: Unit, section: str, stocks: dict) -> dict[str, object]:
    """One plausible day of a unit's section, in the magnitudes of a Beilun-sized district."""
    if section == "sea_patrol":
        # Counted from the coast guard's missions, tracks and boarding checks (seed_patrols).
        return {}
    if section == "port_area":
        inbound, outbound = rng.randint(10, 40), rng.randint(10, 40)
        key = (unit.key, "vessels_guarded")
        stocks[key] = max(15, min(70, stocks.get(key, rng.randint(25, 50)) + rng.randint(-3, 3)))
        out = {
            "inbound_vessels_checked": inbound,
            "outbound_vessels_checked": outbound,
            "inbound_persons_checked": inbound * rng.randint(16, 24),
            "outbound_persons_checked": outbound * rng.randint(16, 24),
            "vessels_guarded": stocks[key],
            # typed on days without a recorded anchorage patrol; counted when there is one
            "anchorage_patrols": rng.randint(0, 2),
        }
        if unit.key == INBOUND_STATION:  # counted from its inbound-ship records
            del out["inbound_vessels_checked"], out["inbound_persons_checked"]
        return out
    if section == "coastal":
        # Counted from the police's and the sub-districts' patrols and check-ins; on a day
        # with none recorded in the app, the liaison types what was done as before.
        big = unit.key == "police"
        return {
            "personnel": rng.randint(30, 80) if big else rng.randint(8, 30),
            "boats": rng.randint(1, 3) if big else rng.randint(0, 2),
            "port_patrols": rng.randint(0, 2),
            "cove_patrols": rng.randint(0, 2),
            "island_patrols": rng.randint(0, 1),
            "wharf_patrols": rng.randint(0, 2),
            "mooring_patrols": rng.randint(0, 1),
            "persons_checked": rng.randint(20, 80) if big else rng.randint(5, 40),
            "vessels_checked": rng.randint(2, 15),
        }
    if section == "vessel_control":
        # The fleet stock, owners, seizures and checks are counted by the vessel registry,
        # the four 宣传 figures from outreach records; a submission takes the counted values.
        return {}
    if section == "border_control":
        return {
            "abnormal_containers": _rare(rng, 0.15, 1, 2),
            # abnormal departures/arrivals are counted from confirmed alerts
        }
    if section in ("crackdown", "anti_smuggling", "case_handling"):
        # Counted from the month's clues, cases, seizures and incidents (seed_casework);
        # a submission takes the counted values, nobody types them.
        return {}
    raise ValueError(f"no demo figures for section {section}")


def _spike(section: str, values: dict[str, object]) -> dict[str, object]:
    """An unusual but true day: a joint sweep after a typhoon triples the effort. The sweep
    is recorded as patrol work (``jinghai.patrol.demo``), so the counted figures carry it."""
    return dict(values)


WARNING_COMMENT = "已核实：当日开展联合清查行动，数据无误"


def _submit(session: Session, user: User, unit: Unit, section: str, day: date,
            values: dict[str, object], now: datetime) -> bool:
    """Submit; a warning is answered with the comment a careful liaison would write. The
    figures the system counts are taken as counted, as the form offers them; the typed
    values stand only where the system counts nothing that day."""
    counted = entry_view(session, user, unit.key, section, day).fields
    values = values | {f.key: f.computed for f in counted if f.computed is not None}
    result = save_section(session, user, unit.key, section, day, values, submit=True, now=now)
    if result.submitted:
        return True
    comments = {i.figure_key: WARNING_COMMENT for i in result.view.issues
                if i.severity == Severity.WARNING}
    result = save_section(session, user, unit.key, section, day, values, comments=comments,
                          submit=True, now=now)
    return result.submitted


def build_demo(
    session: Session,
    days: int = 30,
    today: date | None = None,
    seed: int = DEFAULT_SEED,
    template: LoadedTemplate | None = None,
) -> list[DemoLogin]:
    """Create the operation, its users and ``days`` days of reports ending ``today``."""
    if days < 1:
        raise ValueError("days must be at least 1")
    load_counters()  # the demo's reports count figures from its records
    rng = random.Random(seed)
    today = today or datetime.now(TZ).date()
    start = today - timedelta(days=days - 1)
    template = template or load_template()
    spec = template.spec.model_copy(deep=True)
    spec.operation.start_date = start
    init_operation(session, LoadedTemplate(spec=spec, text=template.text),
                   default_form().section_keys)

    logins = demo_logins(session)
    users: dict[str, User] = {}
    for login in logins:
        users[login.username] = add_user(session, None, UserIn(
            username=login.username, password=login.password, role=login.role,
            display_name=login.display_name,
            unit_key=login.username if login.role == Role.LIAISON.value else (
                "office" if login.role == Role.OFFICE.value else None),
        ))
    _seed_registry(session, rng)
    month = [start + timedelta(days=i) for i in range(days)]
    _seed_casework(session, rng, month, users)
    seed_operations(session, rng, month, users)
    seed_inbound(session, rng, month, users, TZ)
    seed_outreach(session, rng, month, users)
    seed_patrols(session, rng, month, users, TZ,
                 spike_days=SPIKE_DAYS)

    slots = reporting_slots(session)
    liaison_of = {u.unit_id: u for u in users.values() if u.role == Role.LIAISON.value}
    stocks: dict = {}
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        for slot in slots:
            unit, section = slot.unit, slot.section
            user = liaison_of[unit.id]
            values = _figures(rng, unit, section, stocks)
            if offset == 0:
                _today(session, rng, user, unit, section, day, values)
                continue
            forced = FORCED.get((offset, unit.key))
            roll = rng.random()
            if forced == "missing" or (forced is None and roll < P_MISSING):
                continue
            if forced == "nil" or (unit.kind == "sub_district" and roll < P_MISSING + P_NIL):
                submit_nil(session, user, unit.key, section, day, now=_on_time(rng, day))
                continue
            if offset in SPIKE_DAYS and unit.key in ("coast_guard", "sd_guoju"):
                values = _spike(section, values)
            late = forced == "late" or rng.random() < P_LATE
            now = _late(rng, day) if late else _on_time(rng, day)
            _submit(session, user, unit, section, day, values, now)
    office = users["office"]
    for offset in range(days - 1, 2, -1):
        lock_day(session, office, today - timedelta(days=offset), LockIn(confirm=True))
    _seed_alerts(session, rng, today)
    issue_demo_circulars(session, users, today)
    session.flush()
    return logins


def _today(session: Session, rng: random.Random, user: User, unit: Unit, section: str,
           day: date, values: dict[str, object]) -> None:
    """Today is under way: some sections submitted, some drafts, the rest not started."""
    roll = rng.random()
    morning = _at(day, rng.randint(8, 11), rng.randrange(60))
    if roll < 0.45:
        _submit(session, user, unit, section, day, values, morning)
    elif roll < 0.75:
        half = dict(list(values.items())[: max(1, len(values) // 2)])
        save_section(session, user, unit.key, section, day, half, now=morning)


def _seed_registry(session: Session, rng: random.Random) -> None:
    """The fishing fleet, so the 船舶管控 figures are counted from records as in real use."""
    if session.scalar(select(Unit.id).where(Unit.key == "agriculture")) is not None:
        seed_vessels(session, rng)


def _seed_casework(session: Session, rng: random.Random, days: list[date],
                   users: dict[str, User]) -> None:
    """Clues, cases and incidents, so the 集中打击/反走私/个案处置 figures are counted."""
    if {"police", "services", "transport"} <= users.keys():
        transport = users["transport"]
        seed_casework(session, rng, days, users, TZ, each_day=lambda day: seed_incidents_of_day(
            session, rng, day, transport, TZ))


def _seed_alerts(session: Session, rng: random.Random, today: date) -> None:
    """Zones and yesterday's detector findings as alerts, so the inbox has real work."""
    seed_alerts(session, rng, today)
