"""Notices: written by the notify verbs, read by the one "whose notices" rule."""

from __future__ import annotations

from jinghai.notify.queries import notice_exists, notices_for, unread_count
from jinghai.notify.service import mark_all_read, notify_role, notify_unit, notify_user
from jinghai.org.service import get_unit


def test_a_liaison_sees_the_unit_and_the_role_an_office_user_only_the_role(
        session, office, make_liaison):
    liaison = make_liaison("coast_guard")
    other = make_liaison("bs_daxie")
    coast_guard = get_unit(session, "coast_guard").id
    notify_unit(session, coast_guard, "reminder", "请报送日报", by=office, link="/report/entry")
    notify_role(session, "office", "info", "申请销号：" + "长" * 300, by=liaison)
    notify_role(session, "liaison", "info", "全体联络员")
    notify_user(session, liaison, "info", "给本人（经本单位）")
    session.flush()

    assert [n.title for n in notices_for(session, liaison)] == [
        "给本人（经本单位）", "全体联络员", "请报送日报"]
    assert [n.title for n in notices_for(session, other)] == ["全体联络员"]
    assert [len(n.title) for n in notices_for(session, office)] == [200]
    assert notices_for(session, liaison)[-1].created_by_id == office.id
    assert (unread_count(session, liaison), unread_count(session, office)) == (3, 1)
    assert notice_exists(session, "reminder", "/report/entry")
    assert not notice_exists(session, "alert", "/report/entry")


def test_marking_read_touches_only_the_readers_notices(session, office, make_liaison):
    liaison = make_liaison("coast_guard")
    notify_unit(session, liaison.unit_id, "reminder", "请报送日报")
    notify_role(session, "office", "info", "新个案")
    session.flush()

    assert mark_all_read(session, liaison) == 1
    assert (unread_count(session, liaison), unread_count(session, office)) == (0, 1)
    assert mark_all_read(session, liaison) == 0
