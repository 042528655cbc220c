"""Public tip-offs: receipt codes, limits, throttling, spam, identity kept apart, rewards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jinghai.audit.models import AuditEvent
from jinghai.errors import InvalidInput, PermissionDenied, TooManyRequests
from jinghai.schemas import parse
from jinghai.tipoffs.schemas import ConvertIn, RewardIn, StatusIn, TipOffIn
from jinghai.tipoffs.service import (
    approve_reward,
    convert_to_clue,
    pay_reward,
    propose_reward,
    spam_score,
    submit_tipoff,
    tipoff_status,
    view_identity,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def submit(session, tmp_path, content="梅山码头晚上有小船卸货，好几个外国人上岸", ip="10.0.0.1",
           **kw):
    return submit_tipoff(session, parse(TipOffIn, {"content": content, **kw}), client_ip=ip,
                         salt="s", data_dir=tmp_path)


def test_filed_tipoff_gets_a_receipt_code_the_public_can_check(session, operation, tmp_path):
    tip = submit(session, tmp_path, photo=PNG, lon=121.9, lat=29.8)

    status = tipoff_status(session, tip.receipt_code.lower().replace("-", " "))
    assert (status.receipt_code, status.status_label) == (tip.receipt_code, "已受理")
    assert (tmp_path / tip.photo_path).read_bytes() == PNG
    assert tip.anonymous


def test_limits_throttle_and_spam(session, operation, tmp_path):
    with pytest.raises(InvalidInput, match="照片"):
        submit(session, tmp_path, photo=b"<script>alert(1)</script>")
    with pytest.raises(InvalidInput, match="至少"):
        submit(session, tmp_path, content="有")
    with pytest.raises(InvalidInput, match="广告"):
        submit(session, tmp_path, content="加微信领优惠 http://spam.example.com")
    for n in range(5):
        submit(session, tmp_path, content=f"第{n}次看到可疑船只靠岸卸货")
    with pytest.raises(TooManyRequests):
        submit(session, tmp_path, content="又看到可疑船只靠岸卸货")
    submit(session, tmp_path, content="又看到可疑船只靠岸卸货", ip="10.0.0.2")
    with pytest.raises(InvalidInput, match="重复"):
        submit(session, tmp_path, content="又看到可疑船只靠岸卸货", ip="10.0.0.3")
    assert spam_score("晚上九点梅山码头有人偷运冻品") == 0


def test_identity_is_office_only_and_every_view_is_logged(session, office, make_liaison,
                                                         tmp_path):
    tip = submit(session, tmp_path, contact_name="张三", contact_phone="13900001111")
    police = make_liaison("police", "police1")

    with pytest.raises(PermissionDenied):
        view_identity(session, police, tip.id)
    identity = view_identity(session, office, tip.id)

    assert (identity.name, identity.phone) == ("张三", "13900001111")
    [event] = session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "tipoff_identity"))
    assert (event.user_id, event.action) == (office.id, "view_unmasked")


def test_convert_to_clue_and_reward(session, office, tmp_path):
    tip = submit(session, tmp_path, contact_name="张三")

    clue = convert_to_clue(session, office, tip.id, ConvertIn(unit_key="police"))
    reward = propose_reward(session, office, tip.id, parse(RewardIn, {"amount": "500"}))
    approve_reward(session, office, reward.id)
    pay_reward(session, office, reward.id)

    assert (clue.source_kind, clue.unit.key, clue.tipoff_id) == ("tipoff", "police", tip.id)
    assert "张三" not in clue.content
    assert tipoff_status(session, tip.receipt_code).status == "converted"
    assert (reward.status, str(reward.amount)) == ("paid", "500.00")


def test_office_inputs_say_what_to_fix():
    with pytest.raises(InvalidInput, match="奖励金额须为数字"):
        parse(RewardIn, {"amount": "五百"})
    with pytest.raises(InvalidInput, match="奖励金额应大于 0"):
        parse(RewardIn, {"amount": "0"})
    with pytest.raises(InvalidInput, match="状态不在可选范围内"):
        parse(StatusIn, {"status": "lost"})
    with pytest.raises(InvalidInput, match="来源可靠性应为 A–F"):
        parse(ConvertIn, {"reliability": "Z"})
    with pytest.raises(InvalidInput, match="经度和纬度须同时填写"):
        parse(TipOffIn, {"content": "梅山码头有小船卸货", "lon": 121.9})


def test_a_webp_photo_becomes_a_clue_attachment(session, office, tmp_path):
    """Issue 10 point 8: the tip-off form and clue attachments accept one list of types."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 80, 160)).save(buf, "WEBP")
    webp = buf.getvalue()
    tip = submit(session, tmp_path, photo=webp)
    assert tip.photo_path.endswith(".webp")
    clue = convert_to_clue(session, office, tip.id, data_dir=tmp_path)
    [attachment] = clue.attachments
    assert attachment.content_type == "image/webp" and attachment.is_image
    assert (tmp_path / attachment.path).read_bytes() == webp


def test_tipster_address_hashes_are_kept_only_for_the_throttle(session, operation, tmp_path):
    """Issue 10 point 6: an hour on, a tip-off no longer holds its address hash."""
    from datetime import timedelta

    from jinghai.db import utcnow

    old = submit(session, tmp_path, ip="10.9.9.9")
    old.created_at = utcnow() - timedelta(hours=2)
    session.flush()
    assert old.client_ip_hash
    fresh = submit(session, tmp_path, content="又看到两艘快艇在穿山半岛靠岸", ip="10.9.9.8")
    session.refresh(old)
    assert old.client_ip_hash == "" and fresh.client_ip_hash
    assert "10.9.9.8" not in fresh.client_ip_hash
