"""Outreach visits count the four 宣传 figures of 船舶管控."""

from __future__ import annotations

from datetime import date

import pytest

from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.org.service import get_unit
from jinghai.outreach.schemas import OutreachIn
from jinghai.outreach.service import list_outreach, record_outreach
from jinghai.reporting.computed import computed_values
from jinghai.reporting.service import save_section
from jinghai.supervision.schemas import parse

DAY = date(2026, 11, 20)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_outreach_counts_the_four_publicity_figures(session, make_liaison, viewer, tmp_path):
    agri_user = make_liaison("agriculture")
    agri = get_unit(session, "agriculture")
    assert "publicity_owners" not in computed_values(session, agri, "vessel_control", DAY)
    visit = record_outreach(session, agri_user, OutreachIn(
        day=DAY, audience="owner", count=12, place="郭巨渔港", materials="宣传册"),
        photos=[("现场.jpg", JPEG)], data_dir=tmp_path)
    assert len(visit.file_ids) == 1
    record_outreach(session, agri_user, OutreachIn(day=DAY, audience="owner", count=5,
                                                   place="白峰渔港"))
    record_outreach(session, make_liaison("transport"), OutreachIn(
        day=DAY, audience="shipping_company", count=2, place="宁波远洋"))
    record_outreach(session, agri_user, OutreachIn(day=date(2026, 11, 21), audience="worker",
                                                   count=40, place="春晓"))
    counted = computed_values(session, agri, "vessel_control", DAY)
    assert {k: int(v) for k, v in counted.items() if k.startswith("publicity")} == {
        "publicity_shipping_cos": 2, "publicity_shipyards": 0, "publicity_owners": 17,
        "publicity_workers": 0}
    # the form takes the counted value; a different typed value needs a reason
    result = save_section(session, agri_user, "agriculture", "vessel_control", DAY,
                          {"publicity_owners": 20}, submit=True)
    assert not result.submitted
    assert any("对私人船东宣传" in p and "17" in p for p in result.problems)
    assert [v.place for v in list_outreach(session, agri_user)][:1] == ["春晓"]
    with pytest.raises(PermissionDenied):
        record_outreach(session, viewer, OutreachIn(day=DAY, audience="owner", count=1,
                                                    place="x"))
    with pytest.raises(InvalidInput, match="数量：太小"):
        parse(OutreachIn, {"day": "2026-11-20", "audience": "owner", "count": 0, "place": "x"})
    with pytest.raises(InvalidInput, match="不支持的附件类型"):
        record_outreach(session, agri_user, OutreachIn(day=DAY, audience="owner", count=1,
                                                       place="x"),
                        photos=[("a.jpg", b"MZ\x90\x00binary")], data_dir=tmp_path)
