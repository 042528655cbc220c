from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from jinghai.audit.models import AuditEvent
from jinghai.errors import Conflict, InvalidInput, PermissionDenied
from jinghai.reporting.form import default_form
from jinghai.reporting.queries import (
    compile_daily_report,
    compile_range,
    completeness_board,
    summarize,
)
from jinghai.reporting.schemas import LockIn, UnlockIn
from jinghai.reporting.service import (
    entry_view,
    lock_day,
    remind_missing,
    save_section,
    submit_nil,
    unlock_day,
)
from jinghai.schemas import parse

DAY = date(2026, 11, 10)


def full(section: str, **given: str) -> dict[str, str]:
    """Every figure of ``section``: the ones given, 0 typed for the rest (a blank is not
    a zero, so a submission gives them all)."""
    return {f.key: "0" for f in default_form().section(section).typed_figures} | given
# 10:00 Beijing time on DAY, well before the 17:00 deadline
ON_TIME = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
LATE = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # 20:00 Beijing time

PORT_FIGURES = {
    "inbound_vessels_checked": "12",
    "outbound_vessels_checked": "9",
    "inbound_persons_checked": "240",
    "outbound_persons_checked": "180",
    "vessels_guarded": "30",
    "anchorage_patrols": "2",
}


def test_section_figure_is_sum_of_its_units(session, office, make_liaison):
    for unit in ("bs_beilun", "bs_daxie"):
        liaison = make_liaison(unit)
        result = save_section(session, liaison, unit, "port_area", DAY, PORT_FIGURES,
                              submit=True, now=ON_TIME)
        assert result.submitted, result.problems
    report = compile_daily_report(session, office, DAY)
    assert report.values["port_area.inbound_vessels_checked"] == Decimal(24)
    assert report.values["port_area.vessels_guarded"] == Decimal(60)
    statuses = {(u.unit_key, u.section): u.status for u in report.units}
    assert statuses[("bs_beilun", "port_area")] == "submitted"
    assert statuses[("bs_meishan", "port_area")] == "not_started"


def test_liaison_cannot_write_another_units_section(session, make_liaison):
    liaison = make_liaison("bs_beilun")
    with pytest.raises(PermissionDenied):
        save_section(session, liaison, "coast_guard", "sea_patrol", DAY, {"personnel": "3"})
    with pytest.raises(PermissionDenied):
        save_section(session, liaison, "bs_daxie", "port_area", DAY, {"anchorage_patrols": "3"})
    with pytest.raises(PermissionDenied):
        entry_view(session, liaison, "coast_guard", "sea_patrol", DAY)


def test_viewer_is_read_only(session, viewer):
    with pytest.raises(PermissionDenied):
        save_section(session, viewer, "coast_guard", "sea_patrol", DAY, {"personnel": "3"})


def test_errors_block_submission_but_figures_are_kept(session, make_liaison):
    liaison = make_liaison("coast_guard")
    result = save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                          {"personnel": "-1", "boats": "2.5"}, submit=True, now=ON_TIME)
    assert not result.submitted
    assert "“出动人力”不能为负数" in result.problems
    assert "“出动船只”必须是整数" in result.problems
    assert result.view.status == "draft"
    kept = entry_view(session, liaison, "coast_guard", "sea_patrol", DAY)
    assert [f.value for f in kept.fields[:2]] == [Decimal(-1), Decimal("2.5")]


def test_not_a_number_is_not_saved_but_everything_else_is(session, make_liaison):
    liaison = make_liaison("coast_guard")
    result = save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                          {"personnel": "十", "boats": "3"}, comments={"boats": "两艘夜巡"},
                          now=ON_TIME)
    assert result.unsaved == {"personnel": "十"}
    assert "“出动人力”的“十”不是有效数字，未保存" in result.problems
    by_key = {f.key: f for f in result.view.fields}
    assert by_key["personnel"].raw == "十"
    assert [i.message for i in by_key["personnel"].issues] == ["“出动人力”必须是数字"]
    kept = {f.key: f for f in entry_view(session, liaison, "coast_guard", "sea_patrol",
                                          DAY).fields}
    assert kept["boats"].value == Decimal(3) and kept["boats"].comment == "两艘夜巡"
    assert kept["personnel"].value is None


def test_warning_needs_a_comment(session, make_liaison):
    liaison = make_liaison("coast_guard")
    values = full("sea_patrol", persons_checked="15")
    result = save_section(session, liaison, "coast_guard", "sea_patrol", DAY, values,
                          submit=True, now=ON_TIME)
    assert not result.submitted
    assert any("查验了人员但出动人力为0" in p for p in result.problems)
    result = save_section(session, liaison, "coast_guard", "sea_patrol", DAY, values,
                          comments={"persons_checked": "由边检站人员协助查验"}, submit=True,
                          now=ON_TIME)
    assert result.submitted, result.problems


def test_spike_warning_against_trailing_median(session, make_liaison):
    liaison = make_liaison("coast_guard")
    for i in range(5):
        day = DAY - timedelta(days=5 - i)
        save_section(session, liaison, "coast_guard", "sea_patrol", day,
                     full("sea_patrol", personnel="20", boats="2"), submit=True, now=ON_TIME)
    result = save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                          full("sea_patrol", personnel="200", boats="2"), submit=True,
                          now=ON_TIME)
    assert not result.submitted
    assert any("中位数" in p for p in result.problems)


def test_late_submission_is_marked_not_refused(session, office, make_liaison):
    liaison = make_liaison("coast_guard")
    result = save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                          full("sea_patrol", personnel="5"), submit=True, now=LATE)
    assert result.submitted
    board = completeness_board(session, office, DAY, DAY)
    cells = {(r.unit_key, r.section): r.cells[0] for r in board.rows}
    assert cells[("coast_guard", "sea_patrol")] == "late"


def test_nil_report_is_distinct_and_carries_stocks(session, office, make_liaison):
    liaison = make_liaison("bs_meishan")
    save_section(session, liaison, "bs_meishan", "port_area", DAY - timedelta(days=1),
                 PORT_FIGURES, submit=True, now=ON_TIME)
    view = submit_nil(session, liaison, "bs_meishan", "port_area", DAY, now=ON_TIME)
    assert view.status == "nil"
    values = {f.key: f.value for f in view.fields}
    assert values["vessels_guarded"] == Decimal(30)  # a stock: carried, not zeroed
    assert values["inbound_vessels_checked"] == Decimal(0)
    board = completeness_board(session, office, DAY, DAY)
    cells = {(r.unit_key, r.section): r.cells[0] for r in board.rows}
    assert cells[("bs_meishan", "port_area")] == "nil"
    assert cells[("transport", "case_handling")] == "not_started"


def test_running_totals_follow_corrections(session, office, make_liaison):
    liaison = make_liaison("transport")
    days = [DAY + timedelta(days=i) for i in range(3)]
    # Both figures are counted from incidents (none recorded here): typed values are
    # overrides and carry a reason, as a liaison reporting persons handled off-system would.
    reasons = {"illegal_entrants_today": "移交前已处置，未录入个案", "sea_rescue_today": "同上"}
    for day, n in zip(days, ["2", "0", "3"], strict=True):
        result = save_section(session, liaison, "transport", "case_handling", day,
                              {"illegal_entrants_today": n, "sea_rescue_today": "1"},
                              reasons=reasons, submit=True, now=ON_TIME + timedelta(days=2))
        assert result.submitted, result.problems
    reports = compile_range(session, office, days[0], days[-1])
    assert [r.values["case_handling.illegal_entrants_total"] for r in reports] == [2, 2, 5]
    assert reports[-1].values["case_handling.sea_rescue_total"] == 3
    # correct the first day: every later total follows
    save_section(session, liaison, "transport", "case_handling", days[0],
                 {"illegal_entrants_today": "4", "sea_rescue_today": "1"}, reasons=reasons,
                 correction_reason="补录一人", submit=True, now=ON_TIME)
    reports = compile_range(session, office, days[0], days[-1])
    assert [r.values["case_handling.illegal_entrants_total"] for r in reports] == [4, 4, 7]
    weeks = summarize(reports, "week")
    assert sum(w.values["case_handling.illegal_entrants_today"] for w in weeks) == 7


def test_lock_blocks_changes_until_unlocked_with_reason(session, office, make_liaison):
    liaison = make_liaison("coast_guard")
    save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                 full("sea_patrol", personnel="5"), submit=True, now=ON_TIME)
    lock_day(session, office, DAY, LockIn(confirm=True))
    with pytest.raises(Conflict):
        save_section(session, liaison, "coast_guard", "sea_patrol", DAY, {"personnel": "6"})
    with pytest.raises(PermissionDenied):
        lock_day(session, liaison, DAY + timedelta(days=1))
    with pytest.raises(InvalidInput, match="解锁必须填写原因"):
        parse(UnlockIn, {"reason": " "})
    unlock_day(session, office, DAY, UnlockIn(reason="海警补报漏填数据"))
    save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                 full("sea_patrol", personnel="6"), correction_reason="漏填一人",
                 submit=True, now=ON_TIME)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(["day.lock", "day.unlock", "figure.set"]))
        .order_by(AuditEvent.id)
    ).all()
    def norm(v):
        return v if v in (None, "True", "False") else f"{Decimal(v).normalize():f}"

    assert [(e.action, e.field, norm(e.old_value), norm(e.new_value)) for e in events
            if e.field in ("personnel", "locked")] == [
        ("figure.set", "personnel", None, "5"),
        ("day.lock", "locked", "False", "True"),
        ("day.unlock", "locked", "True", "False"),
        ("figure.set", "personnel", "5", "6"),
    ]
    assert [e.reason for e in events if e.action == "figure.set" and e.old_value] == ["漏填一人"]
    assert [e.reason for e in events if e.action == "day.unlock"] == ["海警补报漏填数据"]


def test_reminders_go_to_units_that_have_not_reported(session, office, make_liaison):
    liaison = make_liaison("coast_guard")
    save_section(session, liaison, "coast_guard", "sea_patrol", DAY,
                 full("sea_patrol", personnel="5"), submit=True, now=ON_TIME)
    sent = remind_missing(session, office, DAY)
    # 21 distinct reporting units in the template (police fills two sections); one reported
    assert sent == 20
