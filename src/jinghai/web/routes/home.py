"""The landing page: each role starts where its daily work is."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from jinghai.accounts.models import Role
from jinghai.web.deps import CurrentUser

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(user: CurrentUser) -> RedirectResponse:
    if user.role == Role.LIAISON:
        return RedirectResponse("/report/entry", status_code=303)
    if user.role == Role.ADMIN:
        return RedirectResponse("/admin/users", status_code=303)
    return RedirectResponse("/report/board", status_code=303)
