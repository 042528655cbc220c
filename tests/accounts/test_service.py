from datetime import timedelta

import pytest
from sqlalchemy import select

from jinghai.accounts.models import Role, UserSession
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import (
    ThrottlePolicy,
    add_user,
    authenticate,
    resolve_session,
    set_active,
    set_role,
    start_session,
)
from jinghai.audit.models import AuditEvent
from jinghai.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
    TooManyRequests,
)
from jinghai.schemas import parse


def test_passwords_are_argon2_hashes(session, operation):
    user = add_user(session, None, UserIn(username="u1", password="long-password-1",
                                          role=Role.VIEWER))
    assert user.password_hash.startswith("$argon2id$")
    assert "long-password-1" not in user.password_hash
    assert authenticate(session, "u1", "long-password-1").id == user.id


def test_wrong_password_and_unknown_user_look_the_same(session, operation):
    add_user(session, None, UserIn(username="u1", password="long-password-1", role=Role.VIEWER))
    with pytest.raises(NotAuthenticated) as a:
        authenticate(session, "u1", "nope-nope-nope")
    with pytest.raises(NotAuthenticated) as b:
        authenticate(session, "ghost", "nope-nope-nope")
    assert a.value.message == b.value.message


def test_throttle_after_repeated_failures(session, operation):
    add_user(session, None, UserIn(username="u1", password="long-password-1", role=Role.VIEWER))
    policy = ThrottlePolicy(max_failures=3, window=timedelta(minutes=15))
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            authenticate(session, "u1", "bad-password", "10.0.0.1", policy)
    with pytest.raises(TooManyRequests):
        authenticate(session, "u1", "long-password-1", "10.0.0.1", policy)


def test_liaison_needs_a_unit_and_names_are_unique(session, operation):
    with pytest.raises(InvalidInput):
        add_user(session, None, UserIn(username="l1", password="long-password-1",
                                       role=Role.LIAISON))
    add_user(session, None, UserIn(username="l1", password="long-password-1", role=Role.LIAISON,
                                   unit_key="police"))
    with pytest.raises(Conflict):
        add_user(session, None, UserIn(username="l1", password="long-password-1", role=Role.VIEWER))
    with pytest.raises(InvalidInput, match="密码至少需要 8 位"):
        parse(UserIn, {"username": "l2", "password": "short", "role": "viewer"})
    with pytest.raises(InvalidInput, match="用户名不能为空"):
        parse(UserIn, {"username": " ", "password": "long-password-1", "role": "viewer"})
    with pytest.raises(InvalidInput, match="角色：不在可选范围内"):
        parse(UserIn, {"username": "l3", "password": "long-password-1", "role": "god"})


def test_only_admins_change_roles_and_it_is_audited(session, office, admin, make_liaison):
    liaison = make_liaison("police")
    with pytest.raises(PermissionDenied):
        set_role(session, office, liaison.id, Role.OFFICE, None)
    set_role(session, admin, liaison.id, Role.OFFICE, None)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role")).one()
    assert (event.old_value, event.new_value, event.user_id) == ("liaison/police", "office/",
                                                                  admin.id)


def test_deactivating_ends_sessions(session, admin, make_liaison):
    liaison = make_liaison("police")
    new = start_session(session, liaison)
    assert resolve_session(session, new.token).user_id == liaison.id
    set_active(session, admin, liaison.id, False)
    assert session.scalars(select(UserSession).where(UserSession.user_id == liaison.id)).all() == []
    assert resolve_session(session, new.token) is None


def test_old_hashes_are_rehashed_at_owasp_parameters_on_login(session, operation):
    """argon2id at OWASP's minimum (m=19 MiB, t=2, p=1); a hash made with argon2-cffi's
    heavier defaults still signs in, and is replaced by one at these parameters."""
    from argon2 import PasswordHasher
    from argon2.exceptions import VerifyMismatchError

    user = add_user(session, None, UserIn(username="u1", password="long-password-1",
                                          role=Role.VIEWER))
    assert "$m=19456,t=2,p=1$" in user.password_hash
    user.password_hash = PasswordHasher().hash("long-password-1")  # m=65536,t=3,p=4
    session.flush()
    assert authenticate(session, "u1", "long-password-1").id == user.id
    session.flush()
    session.refresh(user)
    assert "$m=19456,t=2,p=1$" in user.password_hash
    assert PasswordHasher().verify(user.password_hash, "long-password-1")
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(user.password_hash, "long-password-2")
