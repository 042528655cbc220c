"""Login and logout, for pages and for the API."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from jinghai.accounts.models import User
from jinghai.accounts.schemas import LoginIn
from jinghai.accounts.service import (
    ThrottlePolicy,
    authenticate,
    end_session,
    start_session,
)
from jinghai.errors import NotAuthenticated, TooManyRequests
from jinghai.web.deps import (
    SESSION_COOKIE,
    CurrentUser,
    DbSession,
    get_settings,
    reads_first,
)
from jinghai.web.render import render

router = APIRouter()


def _policy(request: Request) -> ThrottlePolicy:
    from datetime import timedelta

    s = get_settings(request)
    return ThrottlePolicy(max_failures=s.login_max_failures,
                          window=timedelta(minutes=s.login_lockout_minutes))


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _safe_next(target: str | None) -> str:
    # Only local paths: never let ?next= send a user to another site.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False)
@reads_first
def login_submit(
    request: Request,
    *,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),
    db: DbSession,
):
    try:
        user = authenticate(db, username.strip(), password, _client_ip(request), _policy(request))
    except (NotAuthenticated, TooManyRequests) as exc:
        return render(request, "login.html",
                      {"next": _safe_next(next), "error": exc.message, "username": username},
                      status_code=exc.status_code)
    new = start_session(db, user, get_settings(request).session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, new.token, httponly=True, samesite="lax",
                        secure=get_settings(request).cookies_secure,
                        max_age=get_settings(request).session_hours * 3600)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, db: DbSession):
    end_session(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    unit_key: str | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, username=user.username, display_name=user.display_name,
                   role=user.role, unit_key=user.unit.key if user.unit else None)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str


@router.post("/api/auth/login", response_model=LoginOut, tags=["auth"])
@reads_first
def api_login(body: LoginIn, request: Request, db: DbSession):
    """Sign in; the session cookie is set, and ``csrf_token`` must be sent as the
    ``X-CSRF-Token`` header on every later write."""
    from fastapi.responses import JSONResponse

    user = authenticate(db, body.username.strip(), body.password, _client_ip(request),
                        _policy(request))
    new = start_session(db, user, get_settings(request).session_hours)
    out = LoginOut(user=UserOut.of(user), csrf_token=new.csrf_token)
    response = JSONResponse(out.model_dump())
    response.set_cookie(SESSION_COOKIE, new.token, httponly=True, samesite="lax",
                        secure=get_settings(request).cookies_secure,
                        max_age=get_settings(request).session_hours * 3600)
    return response


@router.post("/api/auth/logout", tags=["auth"])
def api_logout(request: Request, db: DbSession,
               user: CurrentUser):
    end_session(db, request.cookies.get(SESSION_COOKIE))
    return {"ok": True}


@router.get("/api/me", response_model=UserOut, tags=["auth"])
def api_me(user: CurrentUser):
    return UserOut.of(user)
