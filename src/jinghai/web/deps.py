"""Request-scoped plumbing: a database session, the signed-in user, CSRF checks."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.accounts.service import resolve_session
from jinghai.errors import NotAuthenticated, PermissionDenied
from jinghai.settings import Settings

SESSION_COOKIE = "jh_session"
ANON_CSRF_COOKIE = "jh_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


_READS_FIRST = "jinghai_reads_first"
_Handler = TypeVar("_Handler", bound=Callable)


def reads_first(handler: _Handler) -> _Handler:
    """Mark an unsafe request's handler (below its route decorator) whose work reads long
    before it writes, and whose reads before the first write may see a snapshot a moment
    old: it gets a read-first session, which on SQLite takes the write lock only at the
    first write or at :func:`jinghai.db.serialize_on`. A login verifies an argon2 hash
    (tens of milliseconds) before it adds its session row; a report save counts figures
    from other records, then serialises on its section. Neither should hold the one lock
    meanwhile. A sync handler only: an async one would wait for the lock on the event loop."""
    setattr(handler, _READS_FIRST, True)
    return handler


def db_transaction(request: Request) -> Iterator[None]:
    """One session per request, committed when the handler returns without error and
    *before* the response is sent (an app-wide dependency with ``scope="function"``): a
    client that follows a redirect at once must find what it just saved, and a failed
    commit must not have been answered with success.

    Reads (GET, HEAD) and handlers marked :func:`reads_first` take a read-first session:
    on SQLite no write lock until they write (:func:`jinghai.db.make_session_factory`), so
    they run beside a writer. Other unsafe requests take the write lock at their first
    statement, as before."""
    route = request.scope.get("route")
    read_first = request.method not in UNSAFE_METHODS or \
        getattr(getattr(route, "endpoint", None), _READS_FIRST, False)
    factory = request.app.state.read_session_factory if read_first else \
        request.app.state.session_factory
    session: Session = factory()
    request.state.db = session
    try:
        yield
        if getattr(request.state, "discard_writes", False):
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def discard_writes(request: Request) -> None:
    """A rejected form is shown again and nothing it wrote is kept: when the handler
    returns, :func:`db_transaction` — the one owner of the request's transaction — rolls
    it back instead of committing it."""
    request.state.discard_writes = True


async def get_db(request: Request) -> Session:
    """The request's session, opened by :func:`db_transaction`. This and the other
    dependencies that neither wait nor compute are ``async``: FastAPI runs a plain ``def``
    dependency in a worker thread, a hop to a thread and back per dependency per request
    (each a wait for the GIL when the server is busy)."""
    session = getattr(request.state, "db", None)
    if session is None:
        raise RuntimeError("db_transaction is not among the app's dependencies")
    return session


@dataclass
class Auth:
    user: User | None
    csrf_token: str


@dataclass(frozen=True)
class UnitRef:
    id: int
    key: str
    name: str


@dataclass(frozen=True)
class Viewer:
    """What pages show of the signed-in user; a plain copy, so an error page can still
    render it after the request's transaction was rolled back."""

    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    unit_id: int | None
    unit: UnitRef | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        unit = UnitRef(user.unit.id, user.unit.key, user.unit.name) if user.unit else None
        return cls(user.id, user.username, user.display_name, user.role, user.role_label,
                   user.unit_id, unit)


def get_auth(request: Request, db: Session = Depends(get_db)) -> Auth:
    cached = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    row = resolve_session(db, request.cookies.get(SESSION_COOKIE))
    if row is not None:
        auth = Auth(user=row.user, csrf_token=row.csrf_token)
        request.state.viewer = Viewer.of(row.user)
    else:
        token = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.new_anon_csrf = token if ANON_CSRF_COOKIE not in request.cookies else None
        auth = Auth(user=None, csrf_token=token)
    request.state.auth = auth
    return auth


async def verify_csrf(request: Request, auth: Auth = Depends(get_auth)) -> None:
    """Every state-changing request carries the session's CSRF token, in the
    ``X-CSRF-Token`` header (API) or the ``csrf_token`` form field (pages). Without a
    session the token is the double-submit cookie's."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    # A JSON login cannot be forged by a cross-site form (browsers will not send
    # application/json cross-origin without a CORS preflight, which we never allow).
    if request.url.path in JSON_LOGIN_PATHS and \
            request.headers.get("content-type", "").startswith("application/json"):
        return
    expected = auth.csrf_token
    if auth.user is None and ANON_CSRF_COOKIE not in request.cookies:
        raise PermissionDenied("表单已过期，请刷新页面后重试（CSRF）")
    if not sent or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("表单已过期，请刷新页面后重试（CSRF）")


JSON_LOGIN_PATHS = {"/api/auth/login"}


async def current_user(auth: Auth = Depends(get_auth)) -> User:
    if auth.user is None:
        raise NotAuthenticated("请先登录")
    return auth.user


def require_roles(*roles: Role):
    async def check(user: User = Depends(current_user)) -> User:
        if user.role not in {r.value for r in roles}:
            raise PermissionDenied("当前账号无权进行此操作")
        return user

    return check


#: Typed dependencies for route signatures: ``db: DbSession``, ``user: CurrentUser``.
DbSession = Annotated[Session, Depends(get_db)]
CurrentAuth = Annotated[Auth, Depends(get_auth)]
CurrentUser = Annotated[User, Depends(current_user)]
AppSettings = Annotated[Settings, Depends(get_settings)]
OfficeUser = Annotated[User, Depends(require_roles(Role.OFFICE))]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
OfficeOrAdminUser = Annotated[User, Depends(require_roles(Role.OFFICE, Role.ADMIN))]
