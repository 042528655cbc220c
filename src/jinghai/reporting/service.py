"""The verbs of the daily report: save, submit, report nil, review (accept / return), lock,
open a locked day for one unit, unlock, remind.

These are the only writers of report state. Each checks the actor's rights first and
audits every change of a figure or a lock in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.access import require_office
from jinghai.accounts.models import User
from jinghai.audit.service import record
from jinghai.db import serialize_on, utcnow
from jinghai.errors import Conflict, InvalidInput
from jinghai.notify.service import notify_unit
from jinghai.org.models import Unit
from jinghai.org.service import (
    deadline_of,
    get_operation,
    get_unit,
    local_today,
    reporting_slots,
)
from jinghai.reporting.access import require_section_reader, require_section_writer
from jinghai.reporting.computed import computed_values
from jinghai.reporting.form import FigureKind, FormDefinition, Section, Severity, default_form
from jinghai.reporting.models import (
    DayException,
    DayLock,
    FigureEntry,
    Submission,
    SubmissionStatus,
)
from jinghai.reporting.schemas import LockIn, OpenIn, ReviewIn, UnlockIn
from jinghai.reporting.validation import Issue, check_rules, parse_value

#: Statuses whose (submitted) figures count in the report. A returned section keeps
#: counting what it submitted until the unit replaces it.
COUNTED_STATUSES = (SubmissionStatus.SUBMITTED.value, SubmissionStatus.NIL.value,
                    SubmissionStatus.RETURNED.value)


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
    raw: str | None = None  # what was typed when it could not be read as a number
    submitted: Decimal | None = None  # the figure as last submitted (what counts)
    counted_at_submission: Decimal | None = None  # the system's count when submitted

    @property
    def changed_after_submission(self) -> bool:
        """The system's count moved since the unit submitted a counted figure."""
        return (self.counted_at_submission is not None and self.computed is not None
                and self.submitted is not None
                and self.submitted == self.counted_at_submission
                and self.computed != self.counted_at_submission)


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
    draft: bool = False  # unsubmitted changes over what was submitted
    review_reason: str = ""  # why the office returned it
    accepted: bool = False
    exception_open: bool = False  # a locked day opened for this unit

    @property
    def editable(self) -> bool:
        return not self.locked or self.exception_open

    @property
    def was_submitted(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def changed_figures(self) -> list[FieldView]:
        return [f for f in self.fields if f.changed_after_submission]

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
    unsaved: dict[str, str] = field(default_factory=dict)  # figure key -> text not saved
    missing: list[str] = field(default_factory=list)  # figures left blank on submission
    saved: bool = True  # whether anything was written (a draft or the submission)


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


def open_exception(session: Session, unit: Unit, section: str, day: date) -> DayException | None:
    return session.scalar(
        select(DayException).where(
            DayException.report_date == day, DayException.unit_id == unit.id,
            DayException.section == section, DayException.closed_at.is_(None))
    )


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


#: ``_build_view``'s "the caller does not hold the submission: read it".
_UNREAD = object()


def _shown_value(sub: Submission | None, entry: FigureEntry | None) -> Decimal | None:
    """What the form shows: the unit's unsubmitted draft if it has one, else what it
    submitted."""
    if entry is None:
        return None
    if sub is not None and sub.draft:
        return entry.draft_value
    return entry.value


def _build_view(
    session: Session,
    unit: Unit,
    section: Section,
    day: date,
    pending: dict[str, Decimal | None] | None = None,
    issues: list[Issue] | None = None,
    raw: dict[str, str] | None = None,
    computed: dict[str, Decimal] | None = None,
    sub: Submission | None | object = _UNREAD,
    locked: bool | None = None,
) -> EntryView:
    """``computed``: the counted values when the caller has them already (a save counts
    once); else they are counted here. ``sub``: the section's submission (``None``: it
    has none) when the caller holds it, as a save does after writing it; else it is read.
    ``locked``: whether the day is locked, when the caller read it in this transaction."""
    op = get_operation(session)
    if sub is _UNREAD:
        sub = _submission(session, unit, section.key, day)
    previous = _previous_values(session, unit, section.key, day)
    if computed is None:
        computed = computed_values(session, unit, section.key, day)
    raw = raw or {}
    fields = []
    for fig in section.typed_figures:
        entry = sub.entry(fig.key) if sub else None
        value = _shown_value(sub, entry)
        if pending is not None and fig.key in pending and fig.key not in raw:
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
                raw=raw.get(fig.key),
                submitted=None if entry is None or entry.value is None
                else Decimal(entry.value),
                counted_at_submission=None if entry is None or entry.computed_value is None
                or sub is None or sub.status not in COUNTED_STATUSES
                else Decimal(entry.computed_value),
            )
        )
    if locked is None:
        locked = is_locked(session, day)
    return EntryView(
        unit_key=unit.key,
        unit_name=unit.name,
        section_key=section.key,
        section_label=section.label,
        report_date=day,
        status=_status(sub),
        late=bool(sub and sub.late),
        locked=locked,
        deadline=deadline_of(op, day),
        submitted_at=sub.submitted_at if sub else None,
        fields=fields,
        draft=bool(sub and sub.draft and sub.status != SubmissionStatus.DRAFT.value),
        review_reason=sub.review_reason if sub and sub.status == "returned" else "",
        accepted=bool(sub and sub.accepted),
        exception_open=locked and open_exception(session, unit, section.key, day) is not None,
    )


def check_report_day(session: Session, day: date, now: datetime | None = None) -> None:
    """A report exists only for the operation's days up to today (local time)."""
    op = get_operation(session)
    if day < op.start_date:
        raise InvalidInput(f"日期早于行动开始日期 {op.start_date:%Y-%m-%d}")
    if day > local_today(op, now or utcnow()):
        raise InvalidInput(f"{day:%Y-%m-%d} 是未来日期，尚无日报")


def _check_unlocked(session: Session, day: date, unit: Unit, section: str) -> bool:
    """Refuse a locked day not opened for the unit; returns whether the day is locked."""
    locked = is_locked(session, day)
    if locked and open_exception(session, unit, section, day) is None:
        raise Conflict(f"{day:%Y-%m-%d} 的日报已锁定，如需修改请联系专班办公室开放本单位")
    return locked


def _entity(unit: Unit, section_key: str, day: date) -> str:
    return f"{unit.key}/{section_key}/{day:%Y-%m-%d}"


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


@dataclass
class _Parsed:
    """The figures of one save as read from what was typed (the parse step)."""

    values: dict[str, Decimal | None]  # figure key -> number, None for a blank
    unsaved: dict[str, str]  # figure key -> text that is not a number (not saved)
    issues: list[Issue]  # what the reading found, before any rule is checked
    missing: list[str]  # figures left blank


def _writable_section(
    session: Session, user: User, unit_key: str, section_key: str, day: date, now: datetime,
    form: FormDefinition | None,
) -> tuple[FormDefinition, Unit, Section]:
    """The unit and section a save or a nil report writes, once the user may write them
    and the day is one of the operation's; whether it is still open is
    :func:`_open_section`'s."""
    form = form or default_form()
    unit = get_unit(session, unit_key)
    section = form.section(section_key)
    require_section_writer(session, user, unit, section_key)
    check_report_day(session, day, now)
    return form, unit, section


def _open_section(session: Session, unit: Unit, section_key: str, day: date) -> bool:
    """Wait for any other writer of this unit's section on ``day``, then check the day is
    not locked (or is open for the unit). Two people saving the same section at once go
    one after the other, or both would find no submission and both create it (PostgreSQL
    refuses the second: a 500). From here to the commit the writers of one section (on
    SQLite, all writers) run one at a time: what can be read before (the counted figures,
    the history) is read before. Returns whether the day is locked (and open for the
    unit)."""
    serialize_on(session, f"report-section:{unit.id}:{section_key}:{day.isoformat()}")
    return _check_unlocked(session, day, unit, section_key)


def _parse_figures(section: Section, values: dict[str, object]) -> _Parsed:
    unknown = set(values) - {f.key for f in section.typed_figures}
    if unknown:
        raise InvalidInput(f"该栏目没有这些指标: {', '.join(sorted(unknown))}")
    parsed: dict[str, Decimal | None] = {}
    unsaved: dict[str, str] = {}
    issues: list[Issue] = []
    for fig in section.typed_figures:
        value, problem = parse_value(fig, values.get(fig.key))
        if problem and value is None:
            unsaved[fig.key] = str(values.get(fig.key))
        if problem:
            issues.append(problem)
        parsed[fig.key] = value
    missing = [f.key for f in section.typed_figures
               if parsed[f.key] is None and f.key not in unsaved]
    return _Parsed(parsed, unsaved, issues, missing)


def _unsaved_problems(form: FormDefinition, section: Section, parsed: _Parsed) -> list[str]:
    return [
        f"“{form.figure(f'{section.key}.{k}').short}”的“{text[:40]}”不是有效数字，未保存"
        for k, text in parsed.unsaved.items()
    ]


def _submission_problems(
    form: FormDefinition, section: Section, sub: Submission | None, parsed: _Parsed,
    issues: list[Issue], computed: dict[str, Decimal], comments: dict[str, str],
    reasons: dict[str, str], correction_reason: str,
) -> list[str]:
    """Why a submission cannot be accepted (the check step): blanks, errors, warnings
    without a comment, overrides of a counted figure without a reason, and a correction of
    a submitted section without one."""
    problems: list[str] = []
    if parsed.missing:
        names = "、".join(form.figure(f"{section.key}.{k}").short for k in parsed.missing)
        problems.append(f"以下指标未填写：{names}。没有发生请填 0，或整栏作“无情况报告”")
    problems += [i.message for i in issues
                 if i.severity == Severity.ERROR and i.figure_key not in parsed.unsaved]
    for i in issues:
        if i.severity == Severity.WARNING and not comments.get(i.figure_key, "").strip():
            fig = form.figure(f"{section.key}.{i.figure_key}")
            problems.append(f"“{fig.short}”有提醒：{i.message}。请填写说明后再报送")
    for key, counted in computed.items():
        value = parsed.values.get(key)
        if value is not None and value != counted and not reasons.get(key, "").strip():
            fig = form.figure(f"{section.key}.{key}")
            problems.append(
                f"“{fig.short}”与系统统计值 {counted.normalize():f} 不一致，请填写修改原因"
            )
    if sub is not None and sub.status in COUNTED_STATUSES and not correction_reason.strip():
        changed = [f for f in section.typed_figures
                   if sub.entry(f.key) is not None
                   and not _same(sub.entry(f.key).value, parsed.values[f.key])]
        if changed:
            problems.append("本栏已报送，更正后重新报送须填写更正原因（"
                            + "、".join(f.short for f in changed) + "）")
    return problems


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
    correction_reason: str = "",
    submit: bool = False,
    now: datetime | None = None,
    form: FormDefinition | None = None,
) -> SaveResult:
    """Save a unit's figures as a draft, or submit them.

    Nothing typed is lost: a value that cannot be read as a number is not saved (the
    result says so, and keeps the text for the form), every other value is kept as a draft.
    A blank is not a zero: a submission needs every figure (0 typed, or a nil report).
    It is accepted only when no rule says error, each warning has a comment, each override
    of a counted figure has a reason, and a correction of a submitted section has one.
    A draft never touches the submitted figures, which keep counting until replaced.
    """
    now = now or utcnow()
    comments = comments or {}
    reasons = reasons or {}
    form, unit, section = _writable_section(session, user, unit_key, section_key, day, now,
                                            form)
    computed = computed_values(session, unit, section_key, day)  # once per save
    history = _history(session, unit, section_key, day)
    locked = _open_section(session, unit, section_key, day)
    parsed = _parse_figures(section, values)
    issues = parsed.issues + check_rules(section, parsed.values, history)
    sub = _submission(session, unit, section_key, day)
    problems = _unsaved_problems(form, section, parsed)
    if submit:
        problems += _submission_problems(form, section, sub, parsed, issues, computed,
                                         comments, reasons, correction_reason)
    accepted = submit and not problems
    saved = accepted or _changes(sub, section, parsed.values, parsed.unsaved, comments,
                                 reasons)
    if saved:
        sub = _persist_section(session, user, unit, section, day, sub, parsed, issues,
                               computed, comments=comments, reasons=reasons,
                               correction_reason=correction_reason, accepted=accepted,
                               now=now)
    # else nothing to save (e.g. only values that are not numbers): the records stay as
    # they were, not even an empty draft is created
    return SaveResult(
        view=_build_view(session, unit, section, day, pending=parsed.values, issues=issues,
                         raw=parsed.unsaved, computed=computed, sub=sub, locked=locked),
        submitted=accepted,
        problems=problems,
        unsaved=parsed.unsaved,
        missing=parsed.missing,
        saved=saved,
    )


def _persist_section(
    session: Session, user: User, unit: Unit, section: Section, day: date,
    sub: Submission | None, parsed: _Parsed, issues: list[Issue],
    computed: dict[str, Decimal], *, comments: dict[str, str], reasons: dict[str, str],
    correction_reason: str, accepted: bool, now: datetime,
) -> Submission:
    """Write a save (the persist step): the figures as submitted, or as a draft beside
    what was submitted; each change audited. Returns the submission written."""
    sub = sub or _new_submission(session, unit, section.key, day)
    entity = _entity(unit, section.key, day)
    for fig in section.typed_figures:
        entry = _entry(sub, fig.key)
        entry.comment = comments.get(fig.key, entry.comment or "").strip()[:2000]
        entry.override_reason = reasons.get(fig.key, entry.override_reason or "").strip()[:2000]
        if fig.key in parsed.unsaved:
            continue  # not a number: what was saved before stays
        new = parsed.values[fig.key]
        if accepted:
            reason = reasons.get(fig.key, "").strip() if new != computed.get(fig.key) else ""
            warnings = "\n".join(i.message for i in issues
                                 if i.figure_key == fig.key and i.severity == Severity.WARNING)
            _set_figure(session, user, entity, entry, new, computed.get(fig.key), warnings,
                        reason="；".join(r for r in (correction_reason.strip(), reason) if r))
        else:
            old = _shown_value(sub, entry)
            if not _same(old, new):
                record(session, user, "figure.draft", "report_section", entity,
                       field=fig.key, old=old, new=new, reason=reasons.get(fig.key, ""))
            entry.draft_value = new
    old_status = sub.status
    if accepted:
        _accept(session, user, unit, sub, SubmissionStatus.SUBMITTED, now)
    else:
        if not sub.draft and sub.status != SubmissionStatus.DRAFT.value:
            # the first unsubmitted change over a submitted section: start the draft from it
            for entry in sub.entries:
                if entry.figure_key in parsed.unsaved:
                    entry.draft_value = entry.value
        sub.draft = True
    sub.updated_at = now
    if sub.status != old_status:
        record(session, user, "section.status", "report_section", entity, field="status",
               old=old_status, new=sub.status, reason=correction_reason.strip())
    session.flush()
    return sub


def _new_submission(session: Session, unit: Unit, section_key: str, day: date) -> Submission:
    sub = Submission(unit_id=unit.id, section=section_key, report_date=day)
    session.add(sub)
    session.flush()
    return sub


def _entry(sub: Submission, key: str) -> FigureEntry:
    entry = sub.entry(key)
    if entry is None:
        entry = FigureEntry(figure_key=key)
        sub.entries.append(entry)
    return entry


def _set_figure(session: Session, user: User, entity: str, entry: FigureEntry,
                value: Decimal | None, counted: Decimal | None, warnings: str,
                reason: str) -> None:
    """A figure as submitted (saved or nil): what counts from now on, audited if changed."""
    if not _same(entry.value, value):
        record(session, user, "figure.set", "report_section", entity, field=entry.figure_key,
               old=entry.value, new=value, reason=reason)
    entry.value = value
    entry.draft_value = None
    entry.computed_value = counted
    entry.warnings = warnings


def _accept(session: Session, user: User, unit: Unit, sub: Submission,
            status: SubmissionStatus, now: datetime) -> None:
    """A submission (figures or nil) that counts: stamped, the draft folded in, and a day
    opened for this unit locked again."""
    _mark_submitted(session, sub, status, user, now)
    sub.draft = False
    _close_exception(session, user, unit, sub.section, sub.report_date, now)


def _changes(sub: Submission | None, section: Section, parsed: dict[str, Decimal | None],
             unsaved: dict[str, str], comments: dict[str, str],
             reasons: dict[str, str]) -> bool:
    """Whether saving a draft would change anything the unit has saved."""
    for fig in section.typed_figures:
        entry = sub.entry(fig.key) if sub else None
        if fig.key not in unsaved and not _same(_shown_value(sub, entry), parsed[fig.key]):
            return True
        if fig.key in comments and \
                comments[fig.key].strip() != (entry.comment if entry else ""):
            return True
        if fig.key in reasons and \
                reasons[fig.key].strip() != (entry.override_reason if entry else ""):
            return True
    return False


def _mark_submitted(
    session: Session, sub: Submission, status: SubmissionStatus, user: User, now: datetime
) -> None:
    op = get_operation(session)
    if sub.submitted_at is None:
        sub.submitted_at = now
        sub.late = now > deadline_of(op, sub.report_date)
    sub.status = status.value
    sub.submitted_by_id = user.id
    sub.accepted = False
    sub.review_reason = ""


def _close_exception(session: Session, user: User, unit: Unit, section: str, day: date,
                     now: datetime) -> None:
    exc = open_exception(session, unit, section, day)
    if exc is not None:
        exc.closed_at = now
        record(session, user, "day.relock_unit", "report_day", f"{day:%Y-%m-%d}",
               field=f"{unit.key}/{section}", old="open", new="locked")


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
    now = now or utcnow()
    _form, unit, section = _writable_section(session, user, unit_key, section_key, day, now,
                                             form)
    previous = _previous_values(session, unit, section_key, day)
    computed = computed_values(session, unit, section_key, day)
    locked = _open_section(session, unit, section_key, day)
    sub = _submission(session, unit, section_key, day) or _new_submission(
        session, unit, section_key, day)
    entity = _entity(unit, section_key, day)
    for fig in section.typed_figures:
        value = Decimal(0)
        if fig.kind == FigureKind.STOCK:
            value = computed.get(fig.key, previous.get(fig.key, Decimal(0)))
        _set_figure(session, user, entity, _entry(sub, fig.key), value, computed.get(fig.key),
                    "", reason="无情况报告")
    old_status = sub.status
    sub.updated_at = now
    _accept(session, user, unit, sub, SubmissionStatus.NIL, now)
    record(session, user, "section.status", "report_section", entity, field="status",
           old=old_status, new=sub.status)
    session.flush()
    return _build_view(session, unit, section, day, computed=computed, sub=sub,
                       locked=locked)


def review_section(
    session: Session,
    user: User,
    unit_key: str,
    section_key: str,
    day: date,
    data: ReviewIn,
    *,
    form: FormDefinition | None = None,
) -> Submission:
    """The office accepts a unit's submitted section, or returns it (退回) with a reason.
    A returned section keeps counting what it submitted until the unit resubmits; the unit
    is notified and sees the reason on its form."""
    form = form or default_form()
    require_office(user)
    unit = get_unit(session, unit_key)
    form.section(section_key)
    sub = _submission(session, unit, section_key, day)
    if sub is None or sub.status not in COUNTED_STATUSES:
        raise Conflict(f"{unit.name} 尚未报送该栏目，无法审核")
    if is_locked(session, day) and open_exception(session, unit, section_key, day) is None:
        raise Conflict(f"{day:%Y-%m-%d} 的日报已锁定")
    reason = data.reason
    entity = _entity(unit, section_key, day)
    old = sub.status
    sub.reviewed_at = utcnow()
    sub.reviewed_by_id = user.id
    if data.accept:
        sub.accepted = True
        sub.review_reason = ""
        record(session, user, "section.accept", "report_section", entity, field="review",
               old=old, new="accepted", reason=reason)
    else:
        sub.status = SubmissionStatus.RETURNED.value
        sub.accepted = False
        sub.review_reason = reason[:2000]
        record(session, user, "section.return", "report_section", entity, field="status",
               old=old, new=sub.status, reason=reason)
        label = form.section(section_key).label
        notify_unit(
            session, unit.id, "report_returned", f"{day:%m月%d日} 日报“{label}”被退回",
            body=f"退回原因：{reason}。请更正后重新报送。", by=user,
            link=f"/report/entry?day={day:%Y-%m-%d}&unit={unit.key}&section={section_key}",
        )
    session.flush()
    return sub


@dataclass(frozen=True)
class Outstanding:
    unit_key: str
    unit_name: str
    section: str
    status: str  # not_started | draft | returned


def outstanding_units(session: Session, day: date) -> list[Outstanding]:
    """Units whose section for ``day`` is not reported, only a draft, or returned."""
    subs = {(s.unit_id, s.section): s for s in session.scalars(
        select(Submission).where(Submission.report_date == day))}
    out = []
    for slot in reporting_slots(session):
        sub = subs.get((slot.unit.id, slot.section))
        status = _status(sub)
        if status in ("not_started", "draft", "returned"):
            out.append(Outstanding(slot.unit.key, slot.unit.name, slot.section, status))
    return out


def refresh_counted(session: Session, user: User, day: date) -> int:
    """Counted figures are live until the day is locked: at the lock, each submitted
    figure that took the system's count takes the count as it is now (audited)."""
    subs = session.scalars(
        select(Submission).where(Submission.report_date == day,
                                 Submission.status.in_(COUNTED_STATUSES))
        .options(selectinload(Submission.entries), selectinload(Submission.unit))
    ).all()
    changed = 0
    for sub in subs:
        live = None
        for entry in sub.entries:
            if entry.computed_value is None or not _same(entry.value, entry.computed_value):
                continue
            if live is None:
                live = computed_values(session, sub.unit, sub.section, day)
            now_counted = live.get(entry.figure_key)
            if now_counted is not None and not _same(now_counted, entry.value):
                record(session, user, "figure.refresh", "report_section",
                       _entity(sub.unit, sub.section, day), field=entry.figure_key,
                       old=entry.value, new=now_counted, reason="锁定时按系统统计更新")
                entry.value = entry.computed_value = now_counted
                changed += 1
    return changed


def lock_day(session: Session, user: User, day: date, data: LockIn | None = None, *,
             now: datetime | None = None) -> DayLock:
    """Lock the day. With units not reported, in draft or returned, the lock needs
    ``confirm`` (the refusal names them). Locking an already locked day closes the
    exceptions opened on it (re-locks)."""
    require_office(user)
    now = now or utcnow()
    check_report_day(session, day, now)
    lock = session.scalar(select(DayLock).where(DayLock.report_date == day))
    if lock and lock.locked:
        opened = session.scalars(select(DayException).where(
            DayException.report_date == day, DayException.closed_at.is_(None))).all()
        if not opened:
            raise Conflict(f"{day:%Y-%m-%d} 已经锁定")
        for exc in opened:
            exc.closed_at = now
        record(session, user, "day.relock", "report_day", f"{day:%Y-%m-%d}",
               field="exceptions", old=len(opened), new=0)
        session.flush()
        return lock
    missing = outstanding_units(session, day)
    if missing and not (data and data.confirm):
        names = "、".join(f"{m.unit_name}（{_OUTSTANDING_LABELS[m.status]}）" for m in missing)
        raise Conflict(f"以下单位未完成报送：{names}。确认仍要锁定吗？",
                       details=[m.__dict__ for m in missing])
    refresh_counted(session, user, day)
    if lock is None:
        lock = DayLock(report_date=day)
        session.add(lock)
    lock.locked = True
    lock.locked_at = now
    lock.locked_by_id = user.id
    record(session, user, "day.lock", "report_day", f"{day:%Y-%m-%d}", field="locked",
           old=False, new=True,
           reason=f"{len(missing)} 个栏目未完成报送，已确认锁定" if missing else "")
    session.flush()
    return lock


_OUTSTANDING_LABELS = {"not_started": "未报", "draft": "草稿", "returned": "已退回"}


def open_day_for_unit(session: Session, user: User, day: date, unit_key: str,
                      section_key: str, data: OpenIn) -> DayException:
    """Open a locked day for one unit's section (an exception) so it can correct it; the
    rest of the day stays locked. The unit's next submission re-locks it."""
    require_office(user)
    reason = data.reason
    unit = get_unit(session, unit_key)
    default_form().section(section_key)
    if (unit.id, section_key) not in {(s.unit.id, s.section) for s in reporting_slots(session)}:
        raise InvalidInput(f"{unit.name} 不填报该栏目")
    if not is_locked(session, day):
        raise Conflict(f"{day:%Y-%m-%d} 没有锁定，单位可直接修改")
    if open_exception(session, unit, section_key, day) is not None:
        raise Conflict(f"{unit.name} 已开放修改")
    exc = DayException(report_date=day, unit_id=unit.id, section=section_key,
                       reason=reason.strip()[:2000], opened_by_id=user.id)
    session.add(exc)
    record(session, user, "day.open_unit", "report_day", f"{day:%Y-%m-%d}",
           field=f"{unit.key}/{section_key}", old="locked", new="open", reason=reason.strip())
    notify_unit(
        session, unit.id, "report_opened", f"{day:%m月%d日} 日报已为本单位开放修改",
        body=f"原因：{reason.strip()}。请更正后重新报送。", by=user,
        link=f"/report/entry?day={day:%Y-%m-%d}&unit={unit.key}&section={section_key}",
    )
    session.flush()
    return exc


def unlock_day(session: Session, user: User, day: date, data: UnlockIn) -> DayLock:
    require_office(user)
    reason = data.reason
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
        if row.cells[0] in ("not_started", "draft", "returned"):
            units.setdefault(row.unit_id, []).append(row.section_label)
    for unit_id, sections in units.items():
        notify_unit(session, unit_id, "reminder", f"请报送 {day:%m月%d日} 日报",
                    body=f"以下栏目尚未报送：{'、'.join(sections)}", by=user,
                    link=f"/report/entry?day={day:%Y-%m-%d}")
    record(session, user, "report.remind", "report_day", f"{day:%Y-%m-%d}",
           new=f"{len(units)} units")
    session.flush()
    return len(units)
