"""Public tip-offs: filing without a login, the receipt code, and the office's handling.

The public form is the one door open to anyone, so it defends itself without outside
services: a size limit on every field and on the photo (checked by its first bytes, not its
name), a per-address throttle (addresses stored only as a salted hash), and a spam
heuristic. Text is stored as typed; the templates escape it on the way out.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jinghai.accounts.access import require_office
from jinghai.accounts.models import Role, User
from jinghai.audit.service import record
from jinghai.cases.attachments import IMAGE_NAMES, add_attachment, detect_image
from jinghai.cases.models import Clue
from jinghai.cases.schemas import ClueIn
from jinghai.cases.service import create_clue
from jinghai.db import utcnow
from jinghai.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from jinghai.org.service import get_unit
from jinghai.tipoffs.models import Reward, TipOff, TipOffIdentity
from jinghai.tipoffs.schemas import ConvertIn, RewardIn, StatusIn, TipOffIn

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PER_ADDRESS_PER_HOUR = 5
THROTTLE = timedelta(hours=1)
SPAM_THRESHOLD = 1.0
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone

_URL = re.compile(r"(https?://|www\.|\.com\b|\.cn\b)", re.IGNORECASE)
_AD_WORDS = ("加微信", "加V", "代开发票", "兼职", "贷款", "博彩", "刷单", "优惠", "加QQ")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def address_hash(client_ip: str, key: str, at: datetime) -> str:
    """Throttling needs to recognise an address for an hour, not to know it: a keyed hash
    (HMAC with the server's secret key) salted with the hour, so the same address gives
    an unrelated value the next hour and a table of all addresses must be rebuilt per
    hour *and* needs the key."""
    hour = at.strftime("%Y%m%d%H")
    return hmac.new(key.encode(), f"{hour}|{client_ip}".encode(), hashlib.sha256).hexdigest()


def _recent_address_hashes(client_ip: str, key: str, now: datetime) -> list[str]:
    return [address_hash(client_ip, key, now), address_hash(client_ip, key, now - THROTTLE)]


def spam_score(text: str) -> float:
    """A few cheap signs of advertising or junk; each adds to the score, 1.0 rejects.
    Tuned to let through short, badly typed but genuine reports in Chinese."""
    score = 0.5 * len(_URL.findall(text))
    score += 0.5 * sum(w.lower() in text.lower() for w in _AD_WORDS)
    if re.search(r"(.)\1{9,}", text):
        score += 0.6
    if text.strip() and not _CJK.search(text):
        score += 0.4
    return round(score, 2)


def _receipt_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    raw = re.sub(r"[^0-9A-Za-z]", "", code).upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else raw


def _photo_ext(data: bytes) -> str:
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput("照片不能超过 5MB")
    image = detect_image(data)  # the clue attachments' own list: a photo always converts
    if image is None:
        raise InvalidInput(f"照片须为 {IMAGE_NAMES} 格式")
    return image[0]


def submit_tipoff(session: Session, data: TipOffIn, *, client_ip: str, salt: str,
                  data_dir: Path) -> TipOff:
    """File a tip-off from the public and return it with its receipt code."""
    content = data.content.strip()
    now = utcnow()
    # Keep only what the throttle needs: older tip-offs lose their address hash.
    session.execute(update(TipOff).where(TipOff.created_at < now - THROTTLE,
                                         TipOff.client_ip_hash != "")
                    .values(client_ip_hash=""))
    ip = address_hash(client_ip, salt, now)
    recent = session.scalar(select(func.count(TipOff.id)).where(
        TipOff.client_ip_hash.in_(_recent_address_hashes(client_ip, salt, now)),
        TipOff.created_at >= now - THROTTLE))
    if (recent or 0) >= MAX_PER_ADDRESS_PER_HOUR:
        raise TooManyRequests("提交过于频繁，请一小时后再试；紧急情况请拨打 110")
    score = spam_score(f"{content} {data.place}")
    duplicate = session.scalar(select(func.count(TipOff.id)).where(
        TipOff.content == content, TipOff.created_at >= utcnow() - timedelta(days=1)))
    if duplicate:
        score += 1.0
    if score >= SPAM_THRESHOLD:
        raise InvalidInput("内容疑似广告或重复提交，未予受理")
    ext = _photo_ext(data.photo) if data.photo else ""
    tip = TipOff(receipt_code=_receipt_code(), content=content, place=data.place.strip(),
                 lon=data.lon, lat=data.lat, occurred_at=data.occurred_at,
                 anonymous=not (data.contact_name.strip() or data.contact_phone.strip()),
                 spam_score=score, client_ip_hash=ip)
    session.add(tip)
    session.flush()
    if data.photo:
        folder = data_dir / "tipoffs"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{tip.id}-{secrets.token_hex(8)}.{ext}"
        (folder / name).write_bytes(data.photo)
        tip.photo_path = f"tipoffs/{name}"
    if not tip.anonymous:
        session.add(TipOffIdentity(tipoff_id=tip.id, name=data.contact_name.strip(),
                                   phone=data.contact_phone.strip()))
    session.flush()
    record(session, None, "create", "tipoff", tip.id, new=tip.receipt_code)
    return tip


@dataclass(frozen=True)
class PublicStatus:
    """What the tipster sees with the receipt code: no staff names, no clue or case ids."""

    receipt_code: str
    status: str
    status_label: str
    filed_at: datetime
    reply: str


def tipoff_status(session: Session, code: str) -> PublicStatus:
    tip = session.scalar(select(TipOff).where(TipOff.receipt_code == normalise_code(code)))
    if tip is None:
        raise NotFound("未找到该回执码，请核对后再试")
    return PublicStatus(tip.receipt_code, tip.status, tip.status_label, tip.created_at,
                        tip.reply)


# --- staff side: the office handles, the leadership reads -----------------------------------


def _require_reader(user: User) -> None:
    """The office and the read-only leadership read tip-offs; only the office handles them
    or sees who sent one."""
    if user.active and user.role == Role.VIEWER:
        return
    require_office(user)


def list_tipoffs(session: Session, user: User, status: str = "") -> list[TipOff]:
    _require_reader(user)
    q = select(TipOff)
    if status:
        q = q.where(TipOff.status == status)
    return list(session.scalars(q.order_by(TipOff.id.desc()).limit(500)))


def get_tipoff_for(session: Session, user: User, tipoff_id: int) -> TipOff:
    _require_reader(user)
    tip = session.get(TipOff, tipoff_id)
    if tip is None:
        raise NotFound("举报不存在")
    return tip


def view_identity(session: Session, user: User, tipoff_id: int) -> TipOffIdentity | None:
    """The tipster's name and phone, for the office only; every read is logged."""
    require_office(user)
    tip = get_tipoff_for(session, user, tipoff_id)
    identity = session.scalar(select(TipOffIdentity).where(TipOffIdentity.tipoff_id == tip.id))
    record(session, user, "view_unmasked", "tipoff_identity", tip.id, field="identity")
    session.flush()
    return identity


def set_status(session: Session, user: User, tipoff_id: int, data: StatusIn) -> TipOff:
    require_office(user)
    tip = get_tipoff_for(session, user, tipoff_id)
    old = tip.status
    tip.status = data.status
    if data.reply:
        tip.reply = data.reply.strip()[:1000]
    session.flush()
    record(session, user, "update", "tipoff", tip.id, field="status", old=old,
           new=data.status)
    return tip


def convert_to_clue(session: Session, user: User, tipoff_id: int,
                    data: ConvertIn | None = None, data_dir: Path | None = None) -> Clue:
    """Turn a tip-off into a clue (source 群众举报), optionally handed to a unit. The
    tipster's identity is not copied: it stays in its own table. The photo, if any,
    becomes the clue's first attachment (``data_dir`` is where both live)."""
    require_office(user)
    tip = get_tipoff_for(session, user, tipoff_id)
    if tip.clue_id is not None:
        raise Conflict("该举报已转为线索")
    data = data or ConvertIn()
    clue = create_clue(session, user, ClueIn(
        source_kind="tipoff", source_detail=f"群众举报 {tip.receipt_code}",
        reliability=data.reliability, title=f"群众举报 {tip.receipt_code}",
        content=tip.content, occurred_at=tip.occurred_at or tip.created_at, place=tip.place,
        lon=tip.lon, lat=tip.lat), tipoff_id=tip.id)
    if tip.photo_path and data_dir is not None:
        photo = (data_dir / tip.photo_path).resolve()
        if photo.is_file() and data_dir.resolve() in photo.parents:
            add_attachment(session, user, clue.id, f"举报照片{photo.suffix}",
                           photo.read_bytes(), data_dir)
    if data.unit_key:
        clue.unit_id = get_unit(session, data.unit_key).id
    tip.clue_id = clue.id
    tip.status = "converted"
    session.flush()
    record(session, user, "convert", "tipoff", tip.id, new=f"clue {clue.id}")
    return clue


def propose_reward(session: Session, user: User, tipoff_id: int, data: RewardIn) -> Reward:
    require_office(user)
    tip = get_tipoff_for(session, user, tipoff_id)
    reward = Reward(tipoff_id=tip.id, amount=data.amount.quantize(Decimal("0.01")),
                    note=data.note)
    session.add(reward)
    session.flush()
    record(session, user, "create", "reward", reward.id, new=str(reward.amount))
    return reward


def _reward(session: Session, user: User, reward_id: int) -> Reward:
    require_office(user)
    reward = session.get(Reward, reward_id)
    if reward is None:
        raise NotFound("奖励记录不存在")
    return reward


def approve_reward(session: Session, user: User, reward_id: int) -> Reward:
    reward = _reward(session, user, reward_id)
    if reward.status != "proposed":
        raise Conflict("只有待审批的奖励可以批准")
    reward.status, reward.approved_by_id, reward.approved_at = "approved", user.id, utcnow()
    session.flush()
    record(session, user, "approve", "reward", reward.id, field="status", new="approved")
    return reward


def pay_reward(session: Session, user: User, reward_id: int) -> Reward:
    reward = _reward(session, user, reward_id)
    if reward.status != "approved":
        raise Conflict("奖励须先批准后发放")
    reward.status, reward.paid_at = "paid", utcnow()
    session.flush()
    record(session, user, "pay", "reward", reward.id, field="status", new="paid")
    return reward
