"""The verbs of the daily report: save, submit, report nil, lock, unlock, remind.

These are the only writers of report state. Each checks the actor's rights first and
audits every change of a figure or a lock in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput
from jinghai.notify.models import Notification
from jinghai.org.models import Unit
from jinghai.org.service import deadline_of, get_operation, get_unit, local_today
from jinghai.reporting.access import require_office, require_section_reader, require_section_writer
from jinghai.reporting.computed import computed_values
from jinghai.reporting.form import FigureKind, FormDefinition, Section, Severity, default_form
from jinghai.reporting.models import DayLock, FigureEntry, Submission, SubmissionStatus
from jinghai.reporting.validation import Issue, check_rules, parse_value

COUNTED_STATUSES = (SubmissionStatus.SUBMITTED.value, SubmissionStatus.NIL.value)


@dataclass
class FieldView:
    key: str
    label: str
    unit: str
    kind: str
    decimals: int
    value: Decimal | None
    previous: Decimal | None
    computed: Decimal | None
    comment: str = ""
    override_reason: str = ""
    issues: list[Issue] = field(default_factory=list)


@dataclass
class EntryView:
    """Everything the entry form shows for one unit's section on one day."""

    unit_key: str
    unit_name: str
    section_key: str
    section_label: str
    report_date: date
    status: str  # not_started | draft | submitted | nil
    late: bool
    locked: bool
    deadline: datetime
    submitted_at: datetime | None
    fields: list[FieldView]

    @property
    def issues(self) -> list[Issue]:
        return [i for f in self.fields for i in f.issues]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == Severity.ERROR]


@dataclass
class SaveResult:
    view: EntryView
    submitted: bool
    problems: list[str]  # why a submission was not accepted (empty when it was)


def is_locked(session: Session, day: date) -> bool:
    lock = session.scalar(select(DayLock).where(DayLock.report_date == day))
    return bool(lock and lock.locked)


def _submission(session: Session, unit: Unit, section: str, day: date) -> Submission | None:
    return session.scalar(
        select(Submission)
        .where(Submission.unit_id == unit.id, Submission.section == section,
               Submission.report_date == day)
        .options(selectinload(Submission.entries))
    )


def _history(
    session: Session, unit: Unit, section: str, day: date, days: int = 14
) -> dict[str, list[Decimal]]:
    """The unit's counted daily values before ``day``, oldest first, per figure key."""
    rows = session.execute(
        select(FigureEntry.figure_key, FigureEntry.value)
        .join(Submission, FigureEntry.submission_id == Submission.id)
        .where(
            Submission.unit_id == unit.id,
            Submission.section == section,
            Submission.report_date < day,
            Submission.report_date >= day - timedelta(days=days),
            Submission.status.in_(COUNTED_STATUSES),
        )
        .order_by(Submission.report_date)
    ).all()
    out: dict[str, list[Decimal]] = {}
    for key, value in rows:
        if value is not None:
            out.setdefault(key, []).append(Decimal(value))
    return out


def _previous_values(session: Session, unit: Unit, section: str, day: date) -> dict[str, Decimal]:
    prev = session.scalar(
        select(Submission)
        .where(Submission.unit_id == unit.id, Submission.section == section,
               Submission.report_date < day, Submission.status.in_(COUNTED_STATUSES))
        .order_by(Submission.report_date.desc())
        .limit(1)
        .options(selectinload(Submission.entries))
    )
    if prev is None or prev.report_date != day - timedelta(days=1):
        # "the previous day's figures": only the day before, not an older one
        return {} if prev is None else {
            e.figure_key: Decimal(e.value) for e in prev.entries
            if e.value is not None and _is_stock(prev.section, e.figure_key)
        }
    return {e.figure_key: Decimal(e.value) for e in prev.entries if e.value is not None}


def _is_stock(section: str, key: str) -> bool:
    return default_form().figure(f"{section}.{key}").kind == FigureKind.STOCK


def _status(sub: Submission | None) -> str:
    return "not_started" if sub is None else sub.status


def entry_view(
    session: Session,
    user: User,
    unit_key: str,
    section_key: str,
    day: date,
    form: FormDefinition | None = None,
) -> EntryView:
    form = form or default_form()
    unit = get_unit(session, unit_key)
    section = form.section(section_key)
    require_section_reader(session, user, unit, section_key)
    return _build_view(session, unit, section, day)


def _build_view(
    session: Session,
    unit: Unit,
    section: Section,
    day: date,
    pending: dict[str, Decimal | None] | None = None,
    issues: list[Issue] | None = None,
) -> EntryView:
    op = get_operation(session)
    sub = _submission(session, unit, section.key, day)
    previous = _previous_values(session, unit, section.key, day)
    computed = computed_values(session, unit, section.key, day)
    fields = []
    for fig in section.typed_figures:
        entry = sub.entry(fig.key) if sub else None
        value = entry.value if entry else None
        if pending is not None and fig.key in pending:
            value = pending[fig.key]
        fields.append(
            FieldView(
                key=fig.key,
                label=fig.label,
                unit=fig.unit,
                kind=fig.kind.value,
                decimals=fig.decimals,
                value=None if value is None else Decimal(value),
                previous=previous.get(fig.key),
                computed=computed.get(fig.key),
                comment=entry.comment if entry else "",
                override_reason=entry.override_reason if entry else "",
                issues=[i for i in (issues or []) if i.figure_key == fig.key],
            )
        )
    return EntryView(
        unit_key=unit.key,
        unit_name=unit.name,
        section_key=section.key,
        section_label=section.label,
        report_date=day,
        status=_status(sub),
        late=bool(sub and sub.late),
        locked=is_locked(session, day),
        deadline=deadline_of(op, day),
        submitted_at=sub.submitted_at if sub else None,
        fields=fields,
    )


def _check_editable(session: Session, day: date, now: datetime) -> None:
    op = get_operation(session)
    if day < op.start_date:
        raise InvalidInput(f"日期早于行动开始日期 {op.start_date:%Y-%m-%d}")
    if day > local_today(op, now):
        raise InvalidInput("不能填报未来日期")
    if is_locked(session, day):
        raise Conflict(f"{day:%Y-%m-%d} 的日报已锁定，如需修改请联系专班办公室解锁")


def save_section(
    session: Session,
    user: User,
    unit_key: str,
    section_key: str,
    day: date,
    values: dict[str, object],
    *,
    comments: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
    submit: bool = False,
    now: datetime | None = None,
    form: FormDefinition | None = None,
) -> SaveResult:
    """Save a unit's figures as a draft, or submit them.

    Values that cannot be read as numbers are refused outright. Otherwise the figures are
    always kept (nothing typed is lost); a submission is accepted only when no rule says
    error, each warning has a comment, and each override of a counted figure has a reason.
    """
    form = form or default_form()
    now = now or utcnow()
    comments = comments or {}
    reasons = reasons or {}
    unit = get_unit(session, unit_key)
    section = form.section(section_key)
    require_section_writer(session, user, unit, section_key)
    _check_editable(session, day, now)
    unknown = set(values) - {f.key for f in section.typed_figures}
    if unknown:
        raise InvalidInput(f"该栏目没有这些指标: {', '.join(sorted(unknown))}")

    parsed: dict[str, Decimal | None] = {}
    issues: list[Issue] = []
    for fig in section.typed_figures:
        value, problem = parse_value(fig, values.get(fig.key))
        if problem and value is None:
            raise InvalidInput(problem.message, details=[problem.__dict__])
        if problem:
            issues.append(problem)
        parsed[fig.key] = value

    computed = computed_values(session, unit, section_key, day)
    if submit:
        for fig in section.typed_figures:
            if parsed[fig.key] is None:
                parsed[fig.key] = computed.get(fig.key, Decimal(0))
    issues += check_rules(section, parsed, _history(session, unit, section_key, day))

    problems: list[str] = []
    if submit:
        problems += [i.message for i in issues if i.severity == Severity.ERROR]
        for i in issues:
            if i.severity == Severity.WARNING and not comments.get(i.figure_key, "").strip():
                fig = form.figure(f"{section_key}.{i.figure_key}")
                problems.append(f"“{fig.short}”有提醒：{i.message}。请填写说明后再报送")
        for key, counted in computed.items():
            value = parsed.get(key)
            if value is not None and value != counted and not reasons.get(key, "").strip():
                fig = form.figure(f"{section_key}.{key}")
                problems.append(
                    f"“{fig.short}”与系统统计值 {counted.normalize():f} 不一致，请填写修改原因"
                )

    sub = _submission(session, unit, section_key, day)
    if sub is None:
        sub = Submission(unit_id=unit.id, section=section_key, report_date=day)
        session.add(sub)
        session.flush()
    entity = f"{unit.key}/{section_key}/{day:%Y-%m-%d}"
    for fig in section.typed_figures:
        entry = sub.entry(fig.key)
        if entry is None:
            entry = FigureEntry(figure_key=fig.key)
            sub.entries.append(entry)
        new = parsed[fig.key]
        old = entry.value
        if (old is None) != (new is None) or (old is not None and Decimal(old) != new):
            record(session, user, "figure.set", "report_section", entity, field=fig.key,
                   old=old, new=new, reason=reasons.get(fig.key, ""))
        entry.value = new
        entry.computed_value = computed.get(fig.key)
        entry.comment = comments.get(fig.key, entry.comment or "").strip()[:2000]
        entry.override_reason = reasons.get(fig.key, entry.override_reason or "").strip()[:2000]
        entry.warnings = "\n".join(
            i.message for i in issues if i.figure_key == fig.key and i.severity == Severity.WARNING
        )
    old_status = sub.status
    accepted = submit and not problems
    if accepted:
        _mark_submitted(session, sub, SubmissionStatus.SUBMITTED, user, now)
    else:
        sub.status = SubmissionStatus.DRAFT.value
    sub.updated_at = now
    if sub.status != old_status:
        record(session, user, "section.status", "report_section", entity, field="status",
               old=old_status, new=sub.status)
    session.flush()
    return SaveResult(
        view=_build_view(session, unit, section, day, pending=parsed, issues=issues),
        submitted=accepted,
        problems=problems,
    )


def _mark_submitted(
    session: Session, sub: Submission, status: SubmissionStatus, user: User, now: datetime
) -> None:
    op = get_operation(session)
    if sub.submitted_at is None:
        sub.submitted_at = now
        sub.late = now > deadline_of(op, sub.report_date)
    sub.status = status.value
    sub.submitted_by_id = user.id


def submit_nil(
    session: Session,
    user: User,
    unit_key: str,
    section_key: str,
    day: date,
    *,
    now: datetime | None = None,
    form: FormDefinition | None = None,
) -> EntryView:
    """无情况报告: nothing happened today. Flows are zero; stocks carry their last value."""
    form = form or default_form()
    now = now or utcnow()
    unit = get_unit(session, unit_key)
    section = form.section(section_key)
    require_section_writer(session, user, unit, section_key)
    _check_editable(session, day, now)
    previous = _previous_values(session, unit, section_key, day)
    computed = computed_values(session, unit, section_key, day)
    sub = _submission(session, unit, section_key, day)
    if sub is None:
        sub = Submission(unit_id=unit.id, section=section_key, report_date=day)
        session.add(sub)
        session.flush()
    entity = f"{unit.key}/{section_key}/{day:%Y-%m-%d}"
    for fig in section.typed_figures:
        value = Decimal(0)
        if fig.kind == FigureKind.STOCK:
            value = computed.get(fig.key, previous.get(fig.key, Decimal(0)))
        entry = sub.entry(fig.key)
        if entry is None:
            entry = FigureEntry(figure_key=fig.key)
            sub.entries.append(entry)
        if entry.value is None or Decimal(entry.value) != value:
            record(session, user, "figure.set", "report_section", entity, field=fig.key,
                   old=entry.value, new=value, reason="无情况报告")
        entry.value = value
        entry.computed_value = computed.get(fig.key)
        entry.warnings = ""
    old_status = sub.status
    _mark_submitted(session, sub, SubmissionStatus.NIL, user, now)
    sub.updated_at = now
    record(session, user, "section.status", "report_section", entity, field="status",
           old=old_status, new=sub.status)
    session.flush()
    return _build_view(session, unit, section, day)


def lock_day(session: Session, user: User, day: date) -> DayLock:
    require_office(user)
    lock = session.scalar(select(DayLock).where(DayLock.report_date == day))
    if lock and lock.locked:
        raise Conflict(f"{day:%Y-%m-%d} 已经锁定")
    if lock is None:
        lock = DayLock(report_date=day)
        session.add(lock)
    lock.locked = True
    lock.locked_at = utcnow()
    lock.locked_by_id = user.id
    record(session, user, "day.lock", "report_day", f"{day:%Y-%m-%d}", field="locked",
           old=False, new=True)
    session.flush()
    return lock


def unlock_day(session: Session, user: User, day: date, reason: str) -> DayLock:
    require_office(user)
    if not reason or not reason.strip():
        raise InvalidInput("解锁必须填写原因")
    lock = session.scalar(select(DayLock).where(DayLock.report_date == day))
    if lock is None or not lock.locked:
        raise Conflict(f"{day:%Y-%m-%d} 没有锁定")
    lock.locked = False
    lock.unlock_reason = reason.strip()
    record(session, user, "day.unlock", "report_day", f"{day:%Y-%m-%d}", field="locked",
           old=True, new=False, reason=reason.strip())
    session.flush()
    return lock


def remind_missing(session: Session, user: User, day: date) -> int:
    """Send an in-app reminder to every unit with a section not yet submitted for ``day``."""
    from jinghai.reporting.queries import completeness_board

    require_office(user)
    board = completeness_board(session, user, day, day)
    units: dict[int, list[str]] = {}
    for row in board.rows:
        if row.cells[0] in ("not_started", "draft"):
            units.setdefault(row.unit_id, []).append(row.section_label)
    for unit_id, sections in units.items():
        session.add(
            Notification(
                created_by_id=user.id,
                unit_id=unit_id,
                kind="reminder",
                title=f"请报送 {day:%m月%d日} 日报",
                body=f"以下栏目尚未报送：{'、'.join(sections)}",
                link=f"/report/entry?day={day:%Y-%m-%d}",
            )
        )
    record(session, user, "report.remind", "report_day", f"{day:%Y-%m-%d}",
           new=f"{len(units)} units")
    session.flush()
    return len(units)
