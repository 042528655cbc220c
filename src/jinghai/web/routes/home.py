"""The landing page: each role starts where its daily work is."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from jinghai.accounts.models import Role, User
from jinghai.web.deps import current_user

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(user: User = Depends(current_user)):
    if user.role == Role.LIAISON:
        return RedirectResponse("/report/entry", status_code=303)
    if user.role == Role.ADMIN:
        return RedirectResponse("/admin/users", status_code=303)
    return RedirectResponse("/report/board", status_code=303)
