"""Users and roles (admin only): pages and API."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jinghai.accounts.models import ROLE_LABELS, User
from jinghai.accounts.schemas import UserIn, UserPatch
from jinghai.accounts.service import (
    add_user,
    get_user,
    list_users,
    set_active,
    set_password,
    set_role,
)
from jinghai.errors import JinghaiError
from jinghai.org.service import list_units
from jinghai.schemas import parse
from jinghai.web.deps import AdminUser, DbSession, discard_writes
from jinghai.web.render import render
from jinghai.web.routes.auth import UserOut

#: Users and roles are the admin's alone; checked before the request body is read, so
#: nobody else learns anything from validation errors or echoes.

router = APIRouter()


def _page(request: Request, db: Session, user: User, error: str | None = None,
          status: int = 200) -> Response:
    return render(request, "admin/users.html", {
        "users": list_users(db, user),
        "units": list_units(db),
        "roles": ROLE_LABELS,
        "error": error,
        "flash": request.query_params.get("flash"),
    }, status_code=status)


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, db: DbSession,
               user: AdminUser) -> Response:
    return _page(request, db, user)


@router.post("/admin/users", include_in_schema=False)
def users_add(
    request: Request,
    *,
    username: str = Form(...),
    display_name: str = Form(""),
    password: str = Form(...),
    role: str = Form(...),
    unit: str = Form(""),
    db: DbSession,
    user: AdminUser,
) -> Response:
    try:
        add_user(db, user, parse(UserIn, {"username": username, "password": password,
                                          "role": role, "display_name": display_name,
                                          "unit_key": unit}))
    except JinghaiError as exc:
        if exc.status_code == 403:
            raise
        discard_writes(request)
        return _page(request, db, user, error=exc.message, status=exc.status_code)
    return RedirectResponse("/admin/users?flash=added", status_code=303)


@router.post("/admin/users/{user_id}", include_in_schema=False)
def users_change(
    user_id: int,
    *,
    role: str = Form(...),
    unit: str = Form(""),
    active: str = Form("on"),
    password: str = Form(""),
    db: DbSession,
    user: AdminUser,
) -> RedirectResponse:
    set_role(db, user, user_id, role, unit or None)
    target = get_user(db, user, user_id)
    if target.active != (active == "on"):
        set_active(db, user, user_id, active == "on")
    if password:
        set_password(db, user, user_id, password)
    return RedirectResponse("/admin/users?flash=changed", status_code=303)


@router.get("/api/users", response_model=list[UserOut], tags=["users"])
def api_users(db: DbSession, user: AdminUser):
    return [UserOut.of(u) for u in list_users(db, user)]


@router.post("/api/users", response_model=UserOut, status_code=201, tags=["users"])
def api_add_user(body: UserIn, db: DbSession,
                 user: AdminUser):
    new = add_user(db, user, body)
    return UserOut.of(new)


@router.patch("/api/users/{user_id}", response_model=UserOut, tags=["users"])
def api_change_user(user_id: int, body: UserPatch, db: DbSession,
                    user: AdminUser):
    target = get_user(db, user, user_id)
    if body.role is not None:
        set_role(db, user, user_id, body.role, body.unit_key)
    if body.active is not None:
        set_active(db, user, user_id, body.active)
    if body.password:
        set_password(db, user, user_id, body.password)
    return UserOut.of(target)
