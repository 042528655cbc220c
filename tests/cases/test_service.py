"""Clues, links and cases through the real services on SQLite and PostgreSQL: need to know,
masking, the access log, link decisions and the figures they feed into the daily report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from jinghai.audit.models import AuditEvent
from jinghai.cases import service
from jinghai.cases.access import mask_text
from jinghai.cases.queries import (
    entity_view,
    explain_link,
    get_case_for,
    get_clue_for,
    list_clues,
    list_links,
    reveal_clue_text,
    reveal_entity,
)
from jinghai.cases.schemas import (
    CaseIn,
    ClueIn,
    EntityIn,
    MeasureIn,
    PartyIn,
    SeizureIn,
)
from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.reporting.service import entry_view
from jinghai.schemas import parse

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def clue(session, user, content, **kw):
    return service.create_clue(session, user, ClueIn(source_kind="analyst", content=content,
                                                     **kw))


@pytest.fixture()
def police(make_liaison):
    return make_liaison("police", "police1")


def test_the_issues_network_links_exactly_from_stored_clues(session, office):
    c1 = clue(session, office, "群众举报：有人用13812345678联系偷渡，约在梅山码头接人。",
              occurred_at=T0, lon=121.90, lat=29.88)
    c2 = clue(session, office, "巡逻发现可疑人员", occurred_at=T0 + 3 * DAY,
              entities=[EntityIn(kind="person", value="王小明", fields={"phone": "138-1234-5678"})])
    c3 = clue(session, office, "研判：嫌疑人联系电话 +86 138 1234 5678",
              occurred_at=T0 + 7 * DAY, lon=122.30, lat=30.10)
    c4 = clue(session, office, "夜间关闭AIS", occurred_at=T0 + 10 * DAY, lon=121.5, lat=29.5,
              entities=[EntityIn(kind="vessel", value="浙象渔12345号")])
    c5 = clue(session, office, "海警通报：浙象渔12354在六横岛附近接驳",
              occurred_at=T0 + 14 * DAY, lon=121.6, lat=29.7)
    clue(session, office, "冻品走私线索，车牌浙B·D12345，联系人李国强",
         occurred_at=T0 + 20 * DAY, lon=120.0, lat=28.0)

    links = service.propose_links(session, office)

    pairs = {(lk.clue_a_id, lk.clue_b_id) for lk in links}
    assert pairs == {(c1.id, c2.id), (c1.id, c3.id), (c2.id, c3.id), (c4.id, c5.id)}
    by_pair = {(lk.clue_a_id, lk.clue_b_id): lk for lk in links}
    assert explain_link(by_pair[(c1.id, c2.id)]) == [
        "phone exact: 138****5678 ~ 138-****-5678 (0.90; both normalise to 138****5678)"]
    assert explain_link(by_pair[(c4.id, c5.id)])[0].startswith(
        "vessel_name fuzzy: 浙象渔12345号 ~ 浙象渔12354")
    # A second run proposes nothing new, and a rejected pair is not proposed again.
    service.reject_link(session, office, by_pair[(c4.id, c5.id)].id)
    assert service.propose_links(session, office) == []


def test_phone_and_id_numbers_are_masked_in_lists_and_revealing_is_logged(session, office):
    c = clue(session, office, "嫌疑人身份证号110105199003071239，电话13812345678")
    views = {v.kind: v for v in map(entity_view, c.entities)}
    assert views["phone"].value == "138****5678"
    assert views["id_number"].value == "11************1239"
    assert views["phone"].masked and views["id_number"].masked

    entity = next(e for e in c.entities if e.kind == "id_number")
    shown = reveal_entity(session, office, entity.id)

    assert shown.value == "110105199003071239"
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "view_unmasked"))
    assert (event.user_id, event.entity_type, event.entity_id, event.field) == (
        office.id, "clue_entity", str(entity.id), "id_number")


def test_liaison_of_another_unit_cannot_read_a_case_or_its_clues(session, office, police,
                                                                 make_liaison, viewer):
    c = clue(session, police, "渔船夜间靠泊卸货 浙象渔12345")
    case = service.open_case(session, police, CaseIn(title="梅山走私冻品案", clue_ids=[c.id]))
    customs = make_liaison("cu_beilun", "cu1")

    with pytest.raises(PermissionDenied):
        get_case_for(session, customs, case.id)
    with pytest.raises(PermissionDenied):
        get_clue_for(session, customs, c.id)
    with pytest.raises(PermissionDenied):
        reveal_entity(session, customs, c.entities[0].id)
    # the leadership reads every case (issue 10 point 11) and writes none
    assert get_case_for(session, viewer, case.id) is case
    with pytest.raises(PermissionDenied):
        service.open_case(session, viewer, CaseIn(title="领导立案", clue_ids=[c.id]))
    assert list_clues(session, customs) == []
    assert get_case_for(session, police, case.id) is case
    assert get_case_for(session, office, case.id) is case


def test_links_to_another_units_clue_are_not_shown(session, office, police, make_liaison):
    a = clue(session, police, "联系电话13812345678")
    b = clue(session, office, "嫌疑人电话138 1234 5678")
    service.propose_links(session, office)
    assert len(list_links(session, office)) == 1
    assert list_links(session, police) == []
    assert service.propose_links(session, police) == []
    assert a.unit_id != b.unit_id


def test_accept_reject_undo(session, office):
    clue(session, office, "联系电话13812345678")
    clue(session, office, "嫌疑人电话138 1234 5678")
    [link] = service.propose_links(session, office)

    assert service.accept_link(session, office, link.id).status == "accepted"
    assert link.decided_by_id == office.id and link.decided_at is not None
    assert service.undo_link(session, office, link.id).status == "proposed"
    assert link.decided_at is None
    assert service.reject_link(session, office, link.id).status == "rejected"
    actions = session.scalars(select(AuditEvent.new_value).where(
        AuditEvent.entity_type == "clue_link", AuditEvent.action == "decide")).all()
    assert actions == ["accepted", "proposed", "rejected"]


def test_counters_feed_the_entry_forms(session, office, police):
    a = clue(session, police, "联系电话13812345678")
    clue(session, police, "嫌疑人电话138 1234 5678")
    [link] = service.propose_links(session, police)
    service.accept_link(session, police, link.id)
    case = service.open_case(session, police, CaseIn(title="偷渡案", clue_ids=[a.id]))
    day = entry_view(session, office, "police", "crackdown", _local_today(session)).report_date
    service.add_measure(session, police, case.id,
                        MeasureIn(person_name="王小明", kind="coercive", day=day))
    service.add_measure(session, police, case.id,
                        MeasureIn(person_name="王小明", kind="prosecution_referral", day=day))
    # The police's illegal-entry seizures are not 反走私 ...
    service.record_seizure(session, police, case.id,
                           SeizureIn(category="person", day=day, quantity=2))
    # ... a smuggling case's are, and it is not a 立案侦查数 of 集中打击.
    s_clue = clue(session, police, "走私冻品线索", line="smuggling")
    assert s_clue.line == "smuggling"
    smuggling_case = service.open_case(session, police,
                                       CaseIn(title="走私冻品案", clue_ids=[s_clue.id]))
    assert smuggling_case.line == "smuggling"
    for seized in (SeizureIn(category="vessel", day=day, quantity=1),
                   SeizureIn(category="frozen_food", day=day, tonnes="12.5"),
                   SeizureIn(category="sugar", day=day, tonnes="0.25"),
                   SeizureIn(category="person", day=day, quantity=3)):
        service.record_seizure(session, police, smuggling_case.id, seized)

    crackdown = {f.key: f.computed for f in
                 entry_view(session, office, "police", "crackdown", day).fields}
    smuggling = {f.key: f.computed for f in
                 entry_view(session, office, "services", "anti_smuggling", day).fields}
    # 线索串并（条） counts clues: one accepted link joins two clues
    assert crackdown == {"clues_collected": 2, "clues_linked": 2, "cases_opened": 1,
                         "coercive_measures": 1, "prosecution_referrals": 1}
    assert smuggling == {"vehicles_seized": 0, "vessels_seized": 1, "persons_seized": 3,
                         "goods_tonnes": Decimal("12.750")}


@pytest.mark.parametrize("tonnes,message", [
    ("Infinity", "有限"), ("NaN", "有限"), ("1e30", "超出合理范围"), ("-1", "不能为负"),
    ("abc", "吨数须为数字"), ("0.0001", "3 位小数")])
def test_absurd_seizures_are_refused(tonnes, message):
    with pytest.raises(InvalidInput, match=message):
        parse(SeizureIn, {"category": "sugar", "day": date(2026, 11, 5), "tonnes": tonnes})


def test_seizure_form_values_are_read_as_typed():
    assert parse(SeizureIn, {"category": "person", "day": "2026-11-05", "quantity": " 3 ",
                             "tonnes": ""}).model_dump() == {
        "category": "person", "day": date(2026, 11, 5), "quantity": 3, "tonnes": Decimal(0),
        "description": ""}
    with pytest.raises(InvalidInput, match="数量应为整数"):
        parse(SeizureIn, {"category": "person", "day": "2026-11-05", "quantity": "两"})
    with pytest.raises(InvalidInput, match="请填写查获数量"):
        parse(SeizureIn, {"category": "vessel", "day": "2026-11-05"})


def _local_today(session):
    from jinghai.db import utcnow
    from jinghai.org.service import get_operation, local_today

    return local_today(get_operation(session), utcnow())


def test_other_units_forms_get_no_computed_crackdown_figures(session, office):
    day = _local_today(session)
    fields = entry_view(session, office, "coast_guard", "sea_patrol", day).fields
    assert all(f.computed is None for f in fields if f.key.startswith("clues"))


def test_bad_clue_input_is_rejected_with_a_message(session, office):
    from jinghai.errors import InvalidInput

    with pytest.raises(InvalidInput, match="来源"):
        parse(ClueIn, {"source_kind": "rumour", "content": "x"})
    with pytest.raises(InvalidInput, match="经度和纬度"):
        parse(ClueIn, {"source_kind": "analyst", "content": "x", "lon": 121.0})
    with pytest.raises(InvalidInput, match="请填写线索内容"):
        parse(ClueIn, {"source_kind": "analyst", "content": "  "})
    with pytest.raises(InvalidInput, match="未知的实体类型：ufo"):
        parse(ClueIn, {"source_kind": "analyst", "content": "x",
                       "entities": [{"kind": "ufo", "value": "x"}]})
    with pytest.raises(InvalidInput, match="工作条线"):
        parse(ClueIn, {"source_kind": "analyst", "content": "x", "line": "fraud"})
    assert clue(session, office, "x").entities == []


def test_free_text_is_masked_and_showing_the_original_is_logged(session, office):
    c = clue(session, office, "电话13812345678，身份证110105199003071239，船名浙象渔12345")
    plain = clue(session, office, "浙象渔12345夜间关闭AIS")

    assert mask_text(c.content) == "电话138****5678，身份证11************1239，船名浙象渔12345"
    reveal_clue_text(session, office, c.id)
    reveal_clue_text(session, office, plain.id)

    logged = session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == "view_unmasked", AuditEvent.entity_type == "clue")).all()
    assert logged == [str(c.id)]


def test_illegal_employers_and_foreign_workers_are_recorded_masked_and_need_to_know(
        session, office, police, make_liaison):
    c = clue(session, police, "某水产公司雇用外籍人员加工冻品")
    case = service.open_case(session, police, CaseIn(title="非法用工案", clue_ids=[c.id]))
    employer = service.add_party(session, police, case.id, PartyIn(
        kind="illegal_employer", name="宁波某水产有限公司", day=T0.date(),
        document="91330206MA2XXXXX1Y", place="小港"))
    worker = service.add_party(session, police, case.id, PartyIn(
        kind="illegal_foreign_worker", name="NGUYEN VAN A", day=T0.date(), nationality="越南",
        document="C1234567", employer="宁波某水产有限公司"))
    assert [p.kind for p in case.parties] == ["illegal_employer", "illegal_foreign_worker"]
    assert worker.document_masked == "C1****67" and "1234" not in worker.document_masked
    assert employer.kind_label == "非法用工单位"
    audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "case_party")).all()
    assert len(audit) == 2 and all("C1234567" not in (e.new_value or "") for e in audit)

    customs = make_liaison("cu_beilun", "cu1")
    with pytest.raises(PermissionDenied):
        service.add_party(session, customs, case.id,
                          PartyIn(kind="illegal_employer", name="x", day=T0.date()))
    with pytest.raises(InvalidInput, match="类型应为非法用工单位"):
        parse(PartyIn, {"kind": "smuggler", "name": "x", "day": T0.date()})
    with pytest.raises(InvalidInput, match="请填写单位名称"):
        parse(PartyIn, {"kind": "illegal_employer", "name": "  ", "day": T0.date()})


def _png() -> bytes:
    """A real PNG (a QR code drawn by segno, a project dependency)."""
    from io import BytesIO

    import segno

    buf = BytesIO()
    segno.make("浙甬渔12345").save(buf, kind="png", scale=2)
    return buf.getvalue()


def test_attachments_are_typed_by_content_stored_by_hash_and_need_to_know(
        session, office, police, make_liaison, tmp_path):
    from jinghai.cases.attachments import add_attachment, open_attachment

    c = clue(session, police, "现场照片见附件")
    png = _png()
    photo = add_attachment(session, police, c.id, "../../etc/现场.jpeg", png, tmp_path)
    assert (photo.content_type, photo.filename) == ("image/png", "现场.png")
    assert photo.path.endswith(f"{photo.sha256}.png") and ".." not in photo.path
    assert (tmp_path / photo.path).read_bytes() == png
    note = add_attachment(session, police, c.id, "笔录.txt", "询问笔录：……".encode(), tmp_path)
    assert note.content_type.startswith("text/plain")

    for bad, message in [(b"MZ\x90\x00\x03", "不支持的附件类型"), (b"", "附件为空"),
                         (b"%PDF-" + b"x" * (10 * 1024 * 1024), "不能超过")]:
        with pytest.raises(InvalidInput, match=message):
            add_attachment(session, police, c.id, "x.pdf", bad, tmp_path)

    customs = make_liaison("cu_beilun", "cu1")
    with pytest.raises(PermissionDenied):
        open_attachment(session, customs, c.id, photo.id, tmp_path)
    with pytest.raises(PermissionDenied):
        add_attachment(session, customs, c.id, "x.txt", b"hello", tmp_path)
    _row, path = open_attachment(session, office, c.id, photo.id, tmp_path)
    assert path.read_bytes() == png
    logged = session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "clue_attachment", AuditEvent.action == "download")).all()
    assert [e.entity_id for e in logged] == [str(photo.id)]
