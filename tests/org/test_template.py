import pytest
from sqlalchemy import select

from jinghai.errors import Conflict, InvalidInput
from jinghai.org.models import GroupMember, Unit, WorkGroup
from jinghai.org.service import init_operation, reporting_slots
from jinghai.org.template import load_template, parse_template


def test_beilun_template_builds_the_plan_structure(session):
    op = init_operation(session, load_template())
    assert op.office_name == '北仑区防范打击非法入境"净海"行动办公室'
    groups = session.scalars(select(WorkGroup).order_by(WorkGroup.number)).all()
    assert [g.name for g in groups] == [
        "海上巡航组", "口岸特定区域监管组", "沿海地区管控组", "船舶管控组",
        "出入境管控组", "集中打击组", "走私打击组", "个案处置组",
    ]
    assert groups[0].lead_unit.name == "海警北仑工作站"
    assert len(groups[0].task.items) == 4
    slots = [(s.unit.key, s.section) for s in reporting_slots(session)]
    assert [u for u, s in slots if s == "port_area"] == ["bs_beilun", "bs_daxie", "bs_meishan"]
    cooperating = session.scalars(
        select(Unit.key).join(GroupMember, GroupMember.unit_id == Unit.id)
        .where(GroupMember.group_id == groups[7].id, GroupMember.role == "cooperating")
    ).all()
    assert "coast_guard" in cooperating


def test_init_twice_is_refused(session):
    init_operation(session, load_template())
    with pytest.raises(Conflict):
        init_operation(session, load_template())


def test_another_district_edits_a_copy():
    text = load_template().text.replace("北仑区", "镇海区").replace("17:00", "16:30")
    spec = parse_template(text).spec
    assert spec.operation.district == "镇海区"
    assert spec.operation.report_deadline == "16:30"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("reporting_units: [coast_guard]", "reporting_units: [nobody]"), "unknown unit nobody"),
        (('report_deadline: "17:00"', 'report_deadline: "25:00"'), "HH:MM"),
        (("operation:", "operation: ["), "不是有效的 YAML"),
    ],
)
def test_bad_templates_say_what_is_wrong(change, message):
    text = load_template().text.replace(*change)
    with pytest.raises(InvalidInput, match=message):
        parse_template(text)


def test_every_group_of_the_template_has_a_section_on_the_daily_form():
    from jinghai.reporting.form import default_form

    groups = {g.key for g in load_template().spec.groups}
    assert groups <= default_form().section_keys


def test_a_group_the_form_lacks_is_refused(session):
    with pytest.raises(InvalidInput, match="工作组 sea_patrol 在日报表中没有对应栏目"):
        init_operation(session, load_template(), sections={"coastal"})
    assert session.scalar(select(Unit.id)) is None
