"""Figures of 集中打击 and 反走私 counted from clues, links, cases and seizures.

Each clue and case carries its line of work (seizures take their case's): illegal entry
(偷渡/非法入境) counts in 集中打击, smuggling (走私) in 反走私 — 打私办's cases are not
立案侦查数, and the police's illegal-entry seizures are not 反走私.

The figures are the operation's totals, so they belong on the form of the section's
reporting unit only (the police for 集中打击, the anti-smuggling office for 反走私);
any other unit gets None and no computed value appears on its form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.cases.models import Case, CaseMeasure, Clue, ClueLink, LineOfWork, Seizure
from jinghai.cases.schemas import GOODS
from jinghai.org.models import Unit
from jinghai.org.service import local_day_bounds, sections_of_unit
from jinghai.reporting.computed import register_counter

ENTRY = LineOfWork.ILLEGAL_ENTRY.value
SMUGGLING = LineOfWork.SMUGGLING.value


def _reports(session: Session, unit: Unit, section: str) -> bool:
    return section in sections_of_unit(session, unit.id)


@register_counter("crackdown.clues_collected")
def count_clues_collected(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "crackdown"):
        return None
    start, end = local_day_bounds(session, day)
    return session.scalar(select(func.count(Clue.id))
                          .where(Clue.line == ENTRY, Clue.created_at >= start,
                                 Clue.created_at < end)) or 0


@register_counter("crackdown.clues_linked")
def count_clues_linked(session: Session, unit: Unit, day: date) -> int | None:
    """线索串并（条）: the clues (条, not pairs) in links accepted that day, each clue once
    however many links it is in (an undone link no longer has an accepted date)."""
    if not _reports(session, unit, "crackdown"):
        return None
    start, end = local_day_bounds(session, day)
    accepted = (ClueLink.status == "accepted", ClueLink.decided_at >= start,
                ClueLink.decided_at < end)
    ends = select(ClueLink.clue_a_id.label("clue_id")).where(*accepted).union(
        select(ClueLink.clue_b_id.label("clue_id")).where(*accepted)).subquery()
    return session.scalar(
        select(func.count(func.distinct(Clue.id)))
        .join(ends, ends.c.clue_id == Clue.id)
        .where(Clue.line == ENTRY)) or 0


@register_counter("crackdown.cases_opened")
def count_cases_opened(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "crackdown"):
        return None
    start, end = local_day_bounds(session, day)
    return session.scalar(select(func.count(Case.id))
                          .where(Case.line == ENTRY, Case.opened_at >= start,
                                 Case.opened_at < end)) or 0


def _measures(session: Session, day: date, kind: str) -> int:
    return session.scalar(select(func.count(CaseMeasure.id))
                          .join(Case, Case.id == CaseMeasure.case_id)
                          .where(Case.line == ENTRY, CaseMeasure.kind == kind,
                                 CaseMeasure.day == day)) or 0


@register_counter("crackdown.coercive_measures")
def count_coercive_measures(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "crackdown"):
        return None
    return _measures(session, day, "coercive")


@register_counter("crackdown.prosecution_referrals")
def count_prosecution_referrals(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "crackdown"):
        return None
    return _measures(session, day, "prosecution_referral")


def _seized(session: Session, day: date, category: str) -> int:
    return session.scalar(select(func.coalesce(func.sum(Seizure.quantity), 0))
                          .join(Case, Case.id == Seizure.case_id)
                          .where(Case.line == SMUGGLING, Seizure.category == category,
                                 Seizure.day == day)) or 0


@register_counter("anti_smuggling.vehicles_seized")
def count_vehicles_seized(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "anti_smuggling"):
        return None
    return _seized(session, day, "vehicle")


@register_counter("anti_smuggling.vessels_seized")
def count_vessels_seized(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "anti_smuggling"):
        return None
    return _seized(session, day, "vessel")


@register_counter("anti_smuggling.persons_seized")
def count_persons_seized(session: Session, unit: Unit, day: date) -> int | None:
    if not _reports(session, unit, "anti_smuggling"):
        return None
    return _seized(session, day, "person")


@register_counter("anti_smuggling.goods_tonnes")
def count_goods_tonnes(session: Session, unit: Unit, day: date) -> Decimal | None:
    if not _reports(session, unit, "anti_smuggling"):
        return None
    total = session.scalar(select(func.coalesce(func.sum(Seizure.tonnes), 0))
                           .join(Case, Case.id == Seizure.case_id)
                           .where(Case.line == SMUGGLING, Seizure.category.in_(sorted(GOODS)),
                                  Seizure.day == day))
    return Decimal(str(total or 0)).quantize(Decimal("0.001"))
