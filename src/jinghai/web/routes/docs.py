"""The API's documentation, served offline from the Swagger UI 5 assets shipped in the
``fastapi-offline`` package (MIT; Swagger UI itself Apache-2.0), for signed-in users only;
and the favicon."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from jinghai.web.deps import CurrentUser
from jinghai.web.render import templates

router = APIRouter()


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, user: CurrentUser) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
def docs(request: Request, user: CurrentUser):
    # No inline script (the CSP forbids it): the page loads the bundle and docs.js.
    return templates.TemplateResponse(request, "docs/swagger.html", {})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    path = resources.files("jinghai.web") / "static" / "favicon.ico"
    return FileResponse(str(path), media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})
