"""Issue 8: a daily report the office can sign and send upward.

Every state visible, nothing silently zero, submitted data kept until replaced, review and
lock as DHIS2 does, counted figures live until the lock, checks across figures, safe
exports. Real databases (both backends), files read back with their own readers.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jinghai.audit.models import AuditEvent
from jinghai.errors import Conflict, InvalidInput, PermissionDenied
from jinghai.incidents.schemas import IncidentIn, VoidIn
from jinghai.incidents.service import open_incident, void_incident
from jinghai.notify.models import Notification
from jinghai.reporting.export_pdf import render_pdf
from jinghai.reporting.export_tabular import render_csv, render_json
from jinghai.reporting.export_xlsx import render_xlsx
from jinghai.reporting.form import default_form
from jinghai.reporting.queries import compile_daily_report, compile_period, compile_range
from jinghai.reporting.schemas import LockIn, OpenIn, ReviewIn
from jinghai.reporting.service import (
    entry_view,
    lock_day,
    open_day_for_unit,
    review_section,
    save_section,
    submit_nil,
)
from jinghai.schemas import parse

DAY = date(2026, 11, 10)
ON_TIME = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
AFTER = datetime(2026, 11, 10, 12, 30, tzinfo=UTC)  # 20:30 Beijing time

PORT = {"inbound_vessels_checked": "12", "outbound_vessels_checked": "9",
        "inbound_persons_checked": "240", "outbound_persons_checked": "180",
        "vessels_guarded": "30", "anchorage_patrols": "2"}


def full(section: str, **given: str) -> dict[str, str]:
    return {f.key: "0" for f in default_form().section(section).typed_figures} | given


# --- 2. nothing silently zero, nothing lost ---------------------------------------------


def test_blank_is_not_zero_submission_names_the_missing(session, make_liaison):
    cg = make_liaison("coast_guard")
    result = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                          {"personnel": "12", "boats": "2"}, submit=True, now=ON_TIME)
    assert not result.submitted
    assert result.missing == ["patrol_area_km2", "vessels_checked", "persons_checked",
                              "illegal_vessels"]
    assert any("以下指标未填写：巡航面积、查验船舶、查验人员、查获违法船只" in p
               for p in result.problems)
    # what was typed is kept as a draft, the blanks stay blank (not 0)
    view = entry_view(session, cg, "coast_guard", "sea_patrol", DAY)
    assert view.status == "draft"
    assert [f.value for f in view.fields] == [Decimal(12), Decimal(2), None, None, None, None]


# --- 3. submitted data stays until replaced ---------------------------------------------


def test_draft_over_submitted_leaves_report_and_running_totals(session, office,
                                                                make_liaison):
    cg = make_liaison("coast_guard")
    for i in range(3):
        day = DAY + timedelta(days=i)
        r = save_section(session, cg, "coast_guard", "sea_patrol", day,
                         full("sea_patrol", personnel=str(10 + i), boats="2"), submit=True,
                         now=ON_TIME + timedelta(days=i))
        assert r.submitted, r.problems
    before = compile_range(session, office, DAY, DAY + timedelta(days=2))
    assert [r.cumulative["sea_patrol.personnel"] for r in before] == [10, 21, 33]

    draft = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                         full("sea_patrol", personnel="99"), now=ON_TIME)
    assert not draft.submitted and draft.view.draft
    after = compile_range(session, office, DAY, DAY + timedelta(days=2))
    assert [r.values["sea_patrol.personnel"] for r in after] == [10, 11, 12]
    assert [r.cumulative["sea_patrol.personnel"] for r in after] == [10, 21, 33]
    assert entry_view(session, cg, "coast_guard", "sea_patrol", DAY).status == "submitted"

    # the correction is a new submission, needing a reason, audited old -> new
    refused = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                           full("sea_patrol", personnel="15", boats="2"), submit=True,
                           now=ON_TIME)
    assert any("更正原因" in p for p in refused.problems)
    ok = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                      full("sea_patrol", personnel="15", boats="2"),
                      correction_reason="漏报5人", submit=True, now=ON_TIME)
    assert ok.submitted, ok.problems
    assert [r.cumulative["sea_patrol.personnel"]
            for r in compile_range(session, office, DAY, DAY + timedelta(days=2))] == [15, 26, 38]
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "figure.set", AuditEvent.field == "personnel",
        AuditEvent.reason == "漏报5人")).one()
    assert (Decimal(event.old_value), Decimal(event.new_value)) == (10, 15)


# --- 4. review and lock -----------------------------------------------------------------


def test_office_returns_a_section_unit_sees_it_and_resubmits(session, office, make_liaison):
    bs = make_liaison("bs_beilun")
    assert save_section(session, bs, "bs_beilun", "port_area", DAY, PORT, submit=True,
                        now=ON_TIME).submitted
    with pytest.raises(PermissionDenied):
        review_section(session, bs, "bs_beilun", "port_area", DAY,
                       ReviewIn(decision="return", reason="x"))
    with pytest.raises(InvalidInput, match="退回必须填写原因"):
        parse(ReviewIn, {"decision": "return", "reason": " "})
    review_section(session, office, "bs_beilun", "port_area", DAY,
                   ReviewIn(decision="return", reason="入境人员数与口岸系统不符"))
    view = entry_view(session, bs, "bs_beilun", "port_area", DAY)
    assert (view.status, view.review_reason) == ("returned", "入境人员数与口岸系统不符")
    note = session.scalars(select(Notification).where(
        Notification.unit_id == bs.unit_id, Notification.kind == "report_returned")).one()
    assert "入境人员数与口岸系统不符" in note.body
    # still counted until replaced, and shown as returned
    report = compile_daily_report(session, office, DAY)
    assert report.values["port_area.inbound_persons_checked"] == 240
    assert "北仑边检站" in report.sections["port_area"].returned

    fixed = save_section(session, bs, "bs_beilun", "port_area", DAY,
                         PORT | {"inbound_persons_checked": "260"},
                         correction_reason="按口岸系统核对更正", submit=True, now=ON_TIME)
    assert fixed.submitted, fixed.problems
    assert fixed.view.status == "submitted" and fixed.view.review_reason == ""
    review_section(session, office, "bs_beilun", "port_area", DAY, ReviewIn(decision="accept"))
    assert entry_view(session, bs, "bs_beilun", "port_area", DAY).accepted
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "report_section")).all()
    assert "section.return" in actions and "section.accept" in actions


def test_lock_names_the_outstanding_units_and_needs_confirmation(session, office,
                                                                 make_liaison):
    bs = make_liaison("bs_beilun")
    save_section(session, bs, "bs_beilun", "port_area", DAY, PORT, submit=True, now=ON_TIME)
    daxie = make_liaison("bs_daxie")
    save_section(session, daxie, "bs_daxie", "port_area", DAY, {"anchorage_patrols": "1"},
                 now=ON_TIME)
    with pytest.raises(Conflict) as refused:
        lock_day(session, office, DAY)
    assert "大榭边检站（草稿）" in refused.value.message
    assert "梅山边检站（未报）" in refused.value.message
    assert "北仑边检站" not in refused.value.message
    lock_day(session, office, DAY, LockIn(confirm=True))
    # statuses are kept as they were, beside the lock
    report = compile_daily_report(session, office, DAY)
    statuses = {(u.unit_key, u.section): u.status for u in report.units}
    assert report.locked
    assert statuses[("bs_daxie", "port_area")] == "draft"
    assert statuses[("bs_meishan", "port_area")] == "not_started"
    assert statuses[("bs_beilun", "port_area")] == "submitted"
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["说明"]
    rows = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    assert ["大榭边检站", "口岸特定区域监管", "草稿（未报送）"] in rows
    assert ["梅山边检站", "口岸特定区域监管", "未报"] in rows
    assert ["日报状态：已锁定"] in rows


def test_locked_day_opened_for_one_unit_relocks_on_its_submission(session, office,
                                                                   make_liaison):
    bs, daxie = make_liaison("bs_beilun"), make_liaison("bs_daxie")
    save_section(session, bs, "bs_beilun", "port_area", DAY, PORT, submit=True, now=ON_TIME)
    lock_day(session, office, DAY, LockIn(confirm=True))
    with pytest.raises(InvalidInput, match="为单位开放修改必须填写原因"):
        parse(OpenIn, {"reason": " "})
    open_day_for_unit(session, office, DAY, "bs_daxie", "port_area", OpenIn(reason="大榭补报"))
    with pytest.raises(Conflict):  # only the opened unit may write
        save_section(session, bs, "bs_beilun", "port_area", DAY, PORT, now=ON_TIME)
    assert entry_view(session, daxie, "bs_daxie", "port_area", DAY).editable
    r = save_section(session, daxie, "bs_daxie", "port_area", DAY, PORT, submit=True,
                     now=AFTER)
    assert r.submitted, r.problems
    with pytest.raises(Conflict):  # re-locked by its submission
        save_section(session, daxie, "bs_daxie", "port_area", DAY, PORT, now=AFTER)
    report = compile_daily_report(session, office, DAY)
    assert report.locked and report.values["port_area.inbound_vessels_checked"] == 24


# --- 5. counted figures counted right, live until the lock ---------------------------------


def test_counted_figure_changed_after_submission_is_flagged_and_voiding_counts(
        session, office, make_liaison):
    transport = make_liaison("transport")
    open_incident(session, transport, IncidentIn(
        kind="illegal_entry", persons=3, occurred_at=datetime(2026, 11, 10, 1, 0, tzinfo=UTC)))
    view = entry_view(session, transport, "transport", "case_handling", DAY)
    values = {f.key: str(f.computed) for f in view.fields}
    assert values == {"illegal_entrants_today": "3", "sea_rescue_today": "0"}
    assert save_section(session, transport, "transport", "case_handling", DAY, values,
                        submit=True, now=ON_TIME).submitted
    # 20:30: another incident after the 10:00 submission
    late = open_incident(session, transport, IncidentIn(
        kind="illegal_entry", persons=2, occurred_at=AFTER))
    report = compile_daily_report(session, office, DAY)
    assert report.values["case_handling.illegal_entrants_today"] == 5
    assert report.cumulative["case_handling.illegal_entrants_today"] == 5
    [(code, src)] = report.changed_sources
    assert (code, src.submitted, src.value) == ("case_handling.illegal_entrants_today", 3, 5)
    flagged = entry_view(session, transport, "transport", "case_handling", DAY)
    assert [f.key for f in flagged.changed_figures] == ["illegal_entrants_today"]
    days = json.loads(render_json([report], report.form))
    [src_json] = days[0]["sources"]["case_handling.illegal_entrants_today"]
    assert src_json["changed_after_submission"] is True and src_json["submitted"] == 3

    with pytest.raises(InvalidInput, match="作废个案必须填写原因"):
        parse(VoidIn, {"reason": " "})
    void_incident(session, transport, late.id, VoidIn(reason="重复录入"))
    assert compile_daily_report(session, office, DAY).values[
        "case_handling.illegal_entrants_today"] == 3
    assert session.scalars(select(AuditEvent.reason).where(
        AuditEvent.entity_type == "incident", AuditEvent.action == "void")).all() == ["重复录入"]

    # the lock freezes the live count into the submitted figure, audited
    open_incident(session, transport, IncidentIn(
        kind="illegal_entry", persons=1, occurred_at=AFTER))
    lock_day(session, office, DAY, LockIn(confirm=True))
    report = compile_daily_report(session, office, DAY)
    assert report.values["case_handling.illegal_entrants_today"] == 4
    assert not report.changed_sources
    assert session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "figure.refresh")).all() == ["figure.refresh"]


# --- 6. checks across figures -------------------------------------------------------------


def test_rules_across_figures(session, make_liaison):
    cg = make_liaison("coast_guard")
    r = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                     full("sea_patrol", personnel="10", boats="2", vessels_checked="3",
                          illegal_vessels="5"), submit=True, now=ON_TIME)
    assert not r.submitted
    assert "查获违法船只不能多于查验船舶" in r.problems  # an error: blocks
    r = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                     full("sea_patrol", personnel="2", boats="1", vessels_checked="3",
                          persons_checked="400"), submit=True, now=ON_TIME)
    assert any("查验人员超过出动人力的50倍" in p for p in r.problems)  # a warning: needs a comment
    r = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                     full("sea_patrol", personnel="2", boats="1", vessels_checked="3",
                          persons_checked="400"),
                     comments={"persons_checked": "协助边检站集中查验渔工"}, submit=True,
                     now=ON_TIME)
    assert r.submitted, r.problems


# --- 1. every state visible; the exports of a partly reported day ---------------------------


@pytest.fixture()
def partly_reported(session, office, make_liaison):
    """11-10: two of three border stations reported, 打私办 did not, the fisheries
    authority overrode a counted figure with a reason, and the day is not locked."""
    save_section(session, make_liaison("bs_beilun"), "bs_beilun", "port_area", DAY, PORT,
                 submit=True, now=ON_TIME)
    submit_nil(session, make_liaison("bs_daxie"), "bs_daxie", "port_area", DAY, now=ON_TIME)
    agri = make_liaison("agriculture")
    view = entry_view(session, agri, "agriculture", "vessel_control", DAY)
    values = {f.key: str(f.computed) if f.computed is not None else "1" for f in view.fields}
    values["vessels_checked"] = "4"
    r = save_section(session, agri, "agriculture", "vessel_control", DAY, values,
                     reasons={"vessels_checked": "另有4艘现场查验未扫码"},
                     comments={"publicity_shipping_cos": "=2+3"}, submit=True, now=ON_TIME)
    assert r.submitted, r.problems
    return compile_daily_report(session, office, DAY)


def test_partly_reported_day_json_and_csv_list_missing_units_and_sources(partly_reported):
    report = partly_reported
    day = json.loads(render_json([report], report.form))[0]
    assert day["state"] == "初稿（未锁定）" and day["locked"] is False
    port = day["sections"]["port_area"]
    assert port["expected"] == ["北仑边检站", "大榭边检站", "梅山边检站"]
    assert port["reported"] == ["北仑边检站", "大榭边检站"]
    assert port["missing"] == ["梅山边检站"]
    assert day["sections"]["anti_smuggling"]["missing"] == ["打私办"] or \
        day["sections"]["anti_smuggling"]["reported"] == []
    # a section nobody reported is null, not 0
    assert day["figures"]["anti_smuggling.goods_tonnes"] is None
    assert day["figures"]["port_area.inbound_vessels_checked"] == 12
    sources = day["sources"]
    assert {s["unit"]: s["source"] for s in sources["port_area.inbound_vessels_checked"]} == {
        "bs_beilun": "typed", "bs_daxie": "typed"}
    [checked] = sources["vessel_control.vessels_checked"]
    assert (checked["source"], checked["reason"]) == ("overridden", "另有4艘现场查验未扫码")
    [stock] = sources["vessel_control.fishing_vessels"]
    assert stock["source"] == "counted"


    table = list(csv.reader(io.StringIO(render_csv([report], report.form).decode("utf-8-sig"))))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["状态"] == "初稿（未锁定）"
    assert row["口岸特定区域监管·未报单位"] == "梅山边检站"
    assert row["反走私·查获涉案物品（吨）"] == ""
    assert "修改（另有4艘现场查验未扫码）" in row["船舶管控·查验船只（艘）·来源"]


def test_partly_reported_day_xlsx_and_pdf_show_the_missing_units(partly_reported):
    report = partly_reported
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    sheet = wb["日报表"]
    texts = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert "状态：初稿（未锁定）" in texts
    assert any("口岸特定区域监管（2/3 个单位已报）未报：梅山边检站" in t for t in texts)
    assert "未报" in texts  # cells of a section nobody reported
    assert "累计" in texts
    assert "口岸特定区域监管※" in texts
    notes = wb["说明"]
    assert notes.page_setup.orientation == "landscape"
    assert notes.page_setup.fitToWidth == 1 and notes.sheet_properties.pageSetUpPr.fitToPage

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = render_pdf(report)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    assert "初稿（未锁定）" in text
    assert "未报：梅山边检站" in text
    assert "“净海”" in text
    assert "累计" in text


def test_comment_with_control_character_or_formula_exports_as_text(session, office,
                                                                   make_liaison):
    cg = make_liaison("coast_guard")
    hostile = '=HYPERLINK("http://example.invalid","点我")\x0b夜巡'
    # 查验人员 > 0 with 出动人力 0 is a warning: it needs the comment
    r = save_section(session, cg, "coast_guard", "sea_patrol", DAY,
                     full("sea_patrol", persons_checked="15"),
                     comments={"persons_checked": hostile}, submit=True, now=ON_TIME)
    assert r.submitted, r.problems
    report = compile_daily_report(session, office, DAY)
    assert report.warnings and report.warnings[0].comment == hostile
    wb = load_workbook(io.BytesIO(render_xlsx(report)))  # a control character made this a 500
    cells = [c for row in wb["说明"].iter_rows() for c in row if c.value is not None]
    found = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert found and all(c.data_type == "s" for c in found)
    assert found[0].value == '=HYPERLINK("http://example.invalid","点我")夜巡'
    assert all("\x0b" not in str(c.value) for c in cells)
    text = render_csv([report], report.form).decode("utf-8-sig")
    assert "\x0b" not in text
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", "-", "-"], input=render_pdf(report),
                             capture_output=True, check=True).stdout.decode("utf-8")
        assert "附页：待核实提示及单位说明" in pdf and "HYPERLINK" in pdf


def test_period_report_sums_flows_and_keeps_running_totals(session, office, make_liaison):
    cg = make_liaison("coast_guard")
    for i in range(3):  # Mon 9 - Wed 11 November 2026
        save_section(session, cg, "coast_guard", "sea_patrol", date(2026, 11, 9) + timedelta(i),
                     full("sea_patrol", personnel="10", boats="1"), submit=True,
                     now=ON_TIME + timedelta(days=i))
    week = compile_period(session, office, "week", DAY)
    assert week.period_start == date(2026, 11, 9) and week.report_date == date(2026, 11, 15)
    assert week.values["sea_patrol.personnel"] == 30
    assert week.cumulative["sea_patrol.personnel"] == 30
    sheet = load_workbook(io.BytesIO(render_xlsx(week)))["日报表"]
    texts = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert any(t.startswith("周报 2026年第46周") for t in texts)
    month = compile_period(session, office, "month", DAY)
    assert month.values["sea_patrol.personnel"] == 30 and month.period_label.startswith("月报")


def test_future_and_pre_operation_days_are_refused(session, office):
    with pytest.raises(InvalidInput, match="未来日期"):
        compile_daily_report(session, office, date(2026, 11, 11),
                             now=datetime(2026, 11, 10, 12, 0, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="早于行动开始日期"):
        compile_daily_report(session, office, date(2026, 10, 1))


def test_override_of_a_counted_figure_is_audited_with_its_reason(partly_reported, session):
    [event] = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "figure.set", AuditEvent.field == "vessels_checked")).all()
    assert (event.new_value, event.reason) == ("4", "另有4艘现场查验未扫码")


def test_a_broken_seizure_record_does_not_break_the_entry_page(session, office, make_liaison):
    """Seizures are bounded on input now; one stored before (Infinity tonnes, which SQLite
    could hold) is not offered as a count, instead of making the 反走私 form a 500."""
    from sqlalchemy import text

    from jinghai.cases.models import Case, Seizure

    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL numeric(12,3) cannot hold Infinity: nothing to guard")
    police = make_liaison("police")
    case = Case(number="JH2026-9999", title="走私案", unit_id=police.unit_id,
                line="smuggling")
    session.add(case)
    session.flush()
    session.add(Seizure(case_id=case.id, category="sugar", day=DAY, tonnes=Decimal(1)))
    session.flush()
    session.execute(text("update seizures set tonnes = 9e999 where case_id = :c"),
                    {"c": case.id})
    view = entry_view(session, office, "services", "anti_smuggling", DAY)
    computed = {f.key: f.computed for f in view.fields}
    assert computed["goods_tonnes"] is None and computed["persons_seized"] == 0
