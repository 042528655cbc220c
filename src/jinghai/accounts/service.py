"""Users, passwords, sessions and login throttling — the only writers of account state."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

from jinghai.accounts.models import LoginAttempt, Role, User, UserSession
from jinghai.accounts.schemas import UserIn, password_problem
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from jinghai.org.models import Unit

#: argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet: m=19 MiB, t=2,
#: p=1): about 45 ms of one core per login, where argon2-cffi's default (RFC 9106's "low
#: memory" profile, 64 MiB, t=3, p=4) took 270 ms and four threads; fifty people signing in
#: at nine o'clock took ten CPU seconds of a two-core server. Hashes made with other
#: parameters still verify and are re-hashed with these at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: Hashes computed at once: one core fewer than the machine has, at least one. argon2 runs
#: outside the GIL, so fifty sign-ins at nine o'clock took every core from the other
#: requests (a page waited behind them for up to a second) and all fifty finished together
#: at the end. Queued here, the pages keep a core and the sign-ins finish one by one, first
#: come first served, in the same total CPU time.
_HASH_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1) - 1))


def hash_password(password: str) -> str:
    with _HASH_SLOTS:
        return _hasher.hash(password)


def _verify_password(password_hash: str, password: str) -> bool:
    with _HASH_SLOTS:
        return _hasher.verify(password_hash, password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def require_admin(actor: User | None) -> None:
    """Account changes need an admin; ``None`` is the CLI run by the server's operator."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied("只有系统管理员可以管理用户和角色")


def add_user(session: Session, actor: User | None, data: UserIn) -> User:
    require_admin(actor)
    role, username, unit_key = data.role, data.username, data.unit_key
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"用户名已存在: {username}")
    unit = None
    if unit_key:
        unit = session.scalar(select(Unit).where(Unit.key == unit_key))
        if unit is None:
            raise NotFound(f"没有这个单位: {unit_key}")
    if role == Role.LIAISON and unit is None:
        raise InvalidInput("单位联络员必须指定所属单位")
    user = User(
        username=username,
        display_name=data.display_name or username,
        password_hash=hash_password(data.password),
        role=role.value,
        unit_id=unit.id if unit else None,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, new=f"{username} ({role.value})")
    return user


def set_role(
    session: Session, actor: User | None, user_id: int, role: Role | str, unit_key: str | None
) -> User:
    require_admin(actor)
    role = Role(role)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("没有这个用户")
    unit = session.scalar(select(Unit).where(Unit.key == unit_key)) if unit_key else None
    if unit_key and unit is None:
        raise NotFound(f"没有这个单位: {unit_key}")
    if role == Role.LIAISON and unit is None:
        raise InvalidInput("单位联络员必须指定所属单位")
    old = f"{user.role}/{user.unit.key if user.unit else ''}"
    user.role = role.value
    user.unit = unit  # the relationship, so that user.unit is the new one before a flush
    record(session, actor, "user.role", "user", user.id, field="role", old=old,
           new=f"{role.value}/{unit_key or ''}")
    return user


def set_active(session: Session, actor: User | None, user_id: int, active: bool) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("没有这个用户")
    if actor is not None and user.id == actor.id and not active:
        raise InvalidInput("不能停用自己的账号")
    record(session, actor, "user.active", "user", user.id, field="active", old=user.active,
           new=active)
    user.active = active
    if not active:
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return user


def set_password(session: Session, actor: User | None, user_id: int, password: str) -> None:
    if actor is not None and actor.id != user_id:
        require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("没有这个用户")
    problem = password_problem(password, user.username)
    if problem:
        raise InvalidInput(problem)
    user.password_hash = hash_password(password)
    # Whoever knew the old password may hold a session: a reset ends them all. The user
    # signs in again with the new one.
    ended = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    record(session, actor, "user.password", "user", user.id, field="password",
           new=f"sessions ended: {ended}")


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed logins slow down the pair that made them, (user name, address), not the
    account: after ``max_failures`` failures since the pair's last success the next try
    waits ``base_delay``, doubling with each further failure up to ``window``. The rightful
    user at another address is not held back. An address that fails 4x ``max_failures``
    times within ``window``, over any names, waits out the window (password spraying)."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    base_delay: timedelta = timedelta(seconds=30)


def _recent_failures(session: Session, since: datetime, **where: str) -> int:
    stmt = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since
    )
    for column, value in where.items():
        stmt = stmt.where(getattr(LoginAttempt, column) == value)
    return session.scalar(stmt) or 0


def login_wait(session: Session, username: str, client_ip: str, policy: ThrottlePolicy,
               now: datetime) -> timedelta:
    """How long this (user name, address) must still wait before its next try."""
    since = now - policy.window
    if client_ip and _recent_failures(session, since, client_ip=client_ip) >= 4 * policy.max_failures:
        last = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.client_ip == client_ip, LoginAttempt.succeeded.is_(False)))
        return max(timedelta(0), last + policy.window - now)
    pair = (LoginAttempt.username == username, LoginAttempt.client_ip == client_ip)
    last_ok = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(
        *pair, LoginAttempt.succeeded.is_(True)))
    start = max(since, last_ok) if last_ok else since
    failures = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.attempted_at)).where(
            *pair, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > start)).one()
    count, last = failures
    if count < policy.max_failures:
        return timedelta(0)
    delay = min(policy.window, policy.base_delay * 2 ** min(count - policy.max_failures, 20))
    return max(timedelta(0), last + delay - now)


def _wait_text(wait: timedelta) -> str:
    seconds = int(wait.total_seconds()) + 1
    return f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"


def authenticate(
    session: Session,
    username: str,
    password: str,
    client_ip: str = "",
    policy: ThrottlePolicy = ThrottlePolicy(),
) -> User:
    now = utcnow()
    wait = login_wait(session, username[:64], client_ip[:64], policy, now)
    if wait > timedelta(0):
        raise TooManyRequests(f"登录失败次数过多，请 {_wait_text(wait)}后再试")
    user = session.scalar(select(User).where(User.username == username))
    # The hash is checked holding no connection (and on SQLite no read snapshot): a
    # pooled connection kept through tens of milliseconds of argon2 is one fewer for the
    # other requests. Nothing is pending in a login's session at this point.
    if not (session.new or session.dirty or session.deleted):
        session.commit()
    ok = False
    if user is not None and user.active:
        try:
            ok = _verify_password(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time on unknown users so timing does not reveal who exists.
        hash_password(password)
    session.add(LoginAttempt(username=username[:64], client_ip=client_ip[:64], succeeded=ok))
    if not ok:
        session.commit()  # the failure must count even though we raise
        raise NotAuthenticated("用户名或密码错误")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


def start_session(session: Session, user: User, hours: int = 12) -> NewSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=hours)
    session.add(UserSession(token_hash=_token_hash(token), csrf_token=csrf, user_id=user.id,
                            expires_at=expires))
    session.execute(delete(UserSession).where(UserSession.expires_at < utcnow()))
    return NewSession(token=token, csrf_token=csrf, expires_at=expires)


def resolve_session(session: Session, token: str | None) -> UserSession | None:
    if not token:
        return None
    # one query for the session, its user and the user's unit: every signed-in request asks
    row = session.scalar(select(UserSession)
                         .options(joinedload(UserSession.user).joinedload(User.unit))
                         .where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.expires_at < utcnow() or not row.user.active:
        return None
    return row


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def get_user(session: Session, actor: User | None, user_id: int) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("没有这个用户")
    return user


def list_users(session: Session, actor: User) -> list[User]:
    require_admin(actor)
    return list(session.scalars(select(User).order_by(User.id)))
