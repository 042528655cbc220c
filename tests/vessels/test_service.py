"""Registry verbs on SQLite and PostgreSQL: adding, editing, auditing, permissions,
three-no cases, inspections and masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from jinghai.audit.models import AuditEvent
from jinghai.errors import Conflict, InvalidInput, PermissionDenied
from jinghai.schemas import parse
from jinghai.vessels.access import can_see_contacts
from jinghai.vessels.models import FishingVessel
from jinghai.vessels.queries import (
    get_vessel_by_token,
    owner_view,
    search_vessels,
    vessel_for_mmsi,
)
from jinghai.vessels.schemas import (
    AdvanceIn,
    InspectionIn,
    ThreeNoIn,
    VesselIn,
    VesselPatch,
)
from jinghai.vessels.service import (
    add_vessel,
    advance_three_no,
    record_inspection,
    record_three_no,
    regenerate_qr_token,
    set_vessel_status,
    update_vessel,
)


def test_add_vessel_is_audited_and_gets_a_random_token(session, vessel):
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "fishing_vessel"))
    assert [e.action for e in events] == ["vessel.add"]
    assert len(vessel.qr_token) >= 20
    assert "60123" not in vessel.qr_token
    assert vessel.owner.kind == "individual"
    assert vessel_for_mmsi(session, "412345678").id == vessel.id


def test_update_records_old_and_new(session, agri, vessel):
    update_vessel(session, agri, vessel.id, VesselPatch.model_validate(
        {"home_port": "梅山", "mmsi": ""}))
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "fishing_vessel.set")
                             .order_by(AuditEvent.field)).all()
    assert [(e.field, e.old_value, e.new_value) for e in events] == [
        ("home_port", "郭巨", "梅山"), ("mmsi", "412345678", None)]


def test_duplicate_registry_number_and_mmsi_are_refused(session, agri, vessel):
    with pytest.raises(Conflict, match="渔船编号已存在"):
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔60123", "name": "x",
             "owner": {"kind": "个人", "name": "李"}}))
    with pytest.raises(Conflict, match="MMSI"):
        add_vessel(session, agri, VesselIn.model_validate(
            {"registry_no": "浙甬渔60999", "name": "x",
             "mmsi": "412345678"}))


def test_bad_mmsi_is_refused(session, agri):
    with pytest.raises(InvalidInput, match="MMSI 应为 9 位数字: 12345"):
        parse(VesselIn, {"registry_no": "浙甬渔1", "name": "x", "mmsi": "12345"})
    with pytest.raises(InvalidInput, match="船东类型应为“企业”或“个人”: 合伙"):
        parse(VesselIn, {"registry_no": "浙甬渔1", "name": "x",
                         "owner": {"kind": "合伙", "name": "李"}})
    with pytest.raises(InvalidInput, match="渔船编号不能为空"):
        parse(VesselPatch, {"registry_no": " "})
    # a spreadsheet's numbers and words are read as the registry writes them
    assert parse(VesselIn, {"registry_no": "浙甬渔1", "name": "x", "mmsi": 412345678.0,
                            "length_m": "12.346", "status": "休渔"}).model_dump(
        include={"mmsi", "length_m", "status"}) == {
        "mmsi": "412345678", "length_m": Decimal("12.35"), "status": "laid_up"}
    assert parse(VesselPatch, {"home_port": "梅山"}).model_dump(exclude_unset=True) == {
        "home_port": "梅山"}


def test_only_office_and_fisheries_may_edit(session, office, viewer, make_liaison, vessel):
    police = make_liaison("police")
    update_vessel(session, office, vessel.id, VesselPatch.model_validate({"name": "新名"}))
    for user in (viewer, police):
        with pytest.raises(PermissionDenied):
            update_vessel(session, user, vessel.id, VesselPatch.model_validate({"name": "别名"}))
        with pytest.raises(PermissionDenied):
            record_three_no(session, user, ThreeNoIn(found_at=datetime.now(UTC), place="郭巨码头"))


def test_any_liaison_may_record_an_inspection_but_not_a_viewer(session, viewer, make_liaison,
                                                               vessel):
    police = make_liaison("police")
    found = get_vessel_by_token(session, police, vessel.qr_token)
    inspection = record_inspection(session, police, found, InspectionIn(place="郭巨"),
                                   via="qr")
    assert (inspection.user_id, inspection.unit_id, inspection.via, inspection.place) == (
        police.id, police.unit_id, "qr", "郭巨")
    with pytest.raises(InvalidInput, match="纬度超出范围"):
        parse(InspectionIn, {"lat": 91, "lon": 121})
    with pytest.raises(PermissionDenied):
        record_inspection(session, viewer, found)


def test_contacts_are_masked_for_other_units(session, office, make_liaison, agri, vessel):
    police = make_liaison("police")
    assert can_see_contacts(session, office) and can_see_contacts(session, agri)
    assert not can_see_contacts(session, police)
    masked = owner_view(vessel.owner, can_see_contacts(session, police))
    assert (masked.phone, masked.id_code) == ("138****1234", "33************1234")
    assert owner_view(vessel.owner, True).phone == "13805741234"


def test_deregistering_sets_removed_at_and_back(session, agri, vessel):
    set_vessel_status(session, agri, vessel.id, "deregistered", reason="船舶灭失")
    assert vessel.removed_at is not None
    set_vessel_status(session, agri, vessel.id, "active")
    assert vessel.removed_at is None


def test_three_no_path_and_refused_moves(session, agri):
    found = datetime.now(UTC) - timedelta(hours=3)
    case = record_three_no(session, agri, ThreeNoIn(found_at=found, place="白峰小门村岸边",
                                                    description="无船名玻璃钢小艇"))
    assert case.found_by_unit_id == agri.unit_id
    with pytest.raises(Conflict):
        advance_three_no(session, agri, case.id, AdvanceIn(status="dismantled"))
    with pytest.raises(InvalidInput, match="时间不能早于上一环节"):
        advance_three_no(session, agri, case.id,
                         AdvanceIn(status="seized", at=found - timedelta(hours=1)))
    with pytest.raises(InvalidInput, match="时间不能晚于现在"):
        parse(AdvanceIn, {"status": "seized", "at": found + timedelta(days=1)})
    with pytest.raises(InvalidInput, match="发现时间缺少时区"):
        parse(ThreeNoIn, {"found_at": "2026-11-20T08:00", "place": "x"})
    with pytest.raises(InvalidInput, match="发现地点不能为空"):
        parse(ThreeNoIn, {"found_at": found, "place": " "})
    advance_three_no(session, agri, case.id,
                     AdvanceIn(status="seized", at=found + timedelta(hours=1)))
    advance_three_no(session, agri, case.id, AdvanceIn(status="dismantled", note="已拆解"))
    assert (case.status, case.seized_at) == ("dismantled", found + timedelta(hours=1))
    assert case.disposed_at is not None
    with pytest.raises(Conflict):
        advance_three_no(session, agri, case.id, AdvanceIn(status="disposed"))


def test_search_and_token_regeneration(session, agri, vessel, make_liaison):
    rows, total = search_vessels(session, agri, "王海军")
    assert (total, [r.id for r in rows]) == (1, [vessel.id])
    assert search_vessels(session, agri, "4123456")[1] == 1
    old = vessel.qr_token
    regenerate_qr_token(session, agri, vessel.id)
    assert vessel.qr_token != old
    assert session.scalar(select(FishingVessel).where(FishingVessel.qr_token == old)) is None
