"""The ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from importlib import resources
from urllib.parse import quote, urlsplit

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError

from jinghai import rounds
from jinghai.db import make_engine, make_session_factory
from jinghai.errors import InvalidInput, JinghaiError, NotAuthenticated
from jinghai.schemas import written_message
from jinghai.settings import Settings
from jinghai.web.deps import ANON_CSRF_COOKIE, UNSAFE_METHODS, db_transaction, verify_csrf
from jinghai.web.limits import BodyLimitMiddleware
from jinghai.web.render import render
from jinghai.wiring import load_counters

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    # Scripts only from our own origin: no inline script can run even if text slips through.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob: {tiles}; connect-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    ).split(",")[0]


def same_origin(request: Request) -> bool:
    """Whether a browser's ``Origin`` (or, without it, ``Referer``) names this site. Clients
    that send neither (the CLI, scripts with the CSRF header) are left to the token check."""
    origin = request.headers.get("origin")
    if origin == "null":  # sandboxed frames and some redirects: never our own page
        return False
    claimed = origin or request.headers.get("referer")
    if not claimed:
        return True
    parts = urlsplit(claimed)
    host = request.headers.get("host", "")
    return bool(parts.netloc) and parts.netloc.lower() == host.lower()


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Background work for the app's lifetime (composed in :mod:`jinghai.rounds`): the AIS
    runtime with live detection when feeds are configured, and the domains' periodic rounds
    (alerts, patrol, supervision)."""
    settings: Settings = app.state.settings
    # one limiter for the process's worker threads: set once the event loop runs
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
    factory = app.state.session_factory
    runtime, live = await asyncio.to_thread(rounds.start_ais, factory, settings)
    app.state.ais_runtime = runtime
    app.state.live_detection = live
    tasks = []
    if settings.alert_worker:
        tasks.append(asyncio.create_task(rounds.background_rounds(factory, settings)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.to_thread(rounds.stop_ais, runtime, live)


def create_app(settings: Settings, *, engine=None) -> FastAPI:
    engine = engine or make_engine(settings.resolved_database_url())
    app = FastAPI(
        lifespan=_lifespan,
        title="净海 Jinghai API",
        description="防范打击非法入境“净海”行动平台的 JSON 接口。所有写操作需要登录会话和 X-CSRF-Token 头。",
        version="0.1.0",
        # /docs and /openapi.json are routes of their own (web/routes/docs.py): offline
        # assets, signed-in users only
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # The transaction first: every other dependency and the handler run inside it.
        dependencies=[Depends(db_transaction, scope="function"), Depends(verify_csrf)],
    )
    load_counters()
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_session_factory = make_session_factory(engine, read_first=True)

    static_dir = resources.files("jinghai.web") / "static"
    # Swagger UI 5 (it reads OpenAPI 3.1) as shipped in the fastapi-offline package
    swagger_dir = resources.files("fastapi_offline") / "static"
    app.mount("/static/swagger-ui", StaticFiles(directory=str(swagger_dir)), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")

    tiles = ""
    if settings.map_tile_url:
        parts = urlsplit(settings.map_tile_url.replace("{s}", "a"))
        tiles = f"{parts.scheme}://{parts.netloc}".replace("://a.", "://*.")
    csp = SECURITY_HEADERS["Content-Security-Policy"].format(tiles=tiles)

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        if request.method in UNSAFE_METHODS and not same_origin(request):
            # A second line behind the CSRF token: a browser names the page a write came
            # from, and a write from another site is refused whatever it carries.
            response = JSONResponse({"detail": "跨站请求被拒绝"}, status_code=403)
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, csp if name == "Content-Security-Policy" else value)
        new_csrf = getattr(request.state, "new_anon_csrf", None)
        if new_csrf:
            response.set_cookie(ANON_CSRF_COOKIE, new_csrf, httponly=True, samesite="strict",
                                secure=settings.cookies_secure)
        return response

    # Outermost of our own layers: bodies are limited before anything reads them.
    app.add_middleware(BodyLimitMiddleware)

    @app.exception_handler(JinghaiError)
    async def _domain_error(request: Request, exc: JinghaiError) -> Response:
        if _wants_json(request):
            body = {"detail": exc.message}
            if exc.details is not None:
                body["errors"] = exc.details
            return JSONResponse(body, status_code=exc.status_code)
        if isinstance(exc, NotAuthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return render(request, "error.html", {"message": exc.message},
                      status_code=exc.status_code)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception):
        # A number past what the database stores (SQLite's 64-bit INTEGER, PostgreSQL's
        # numeric ranges) in a path, query or body: the input is wrong, not the server.
        log.info("out-of-range input on %s: %s", request.url.path, exc.__class__.__name__)
        return await _domain_error(request, InvalidInput("数字超出范围，请检查后重试"))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            # Where and what, never the input itself: it may be binary or hostile.
            errors = [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in exc.errors()]
            # an input model's own Chinese message (a domain schema's validator) when it wrote one
            detail = written_message(exc.errors()) or "请求内容有误"
            return JSONResponse({"detail": detail, "errors": errors}, status_code=422)
        return render(request, "error.html", {"message": "提交的内容格式有误，请检查后重试"},
                      status_code=422)

    from jinghai.web.routes import include_all

    include_all(app)
    return app


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory jinghai.web.app:create_app_from_env``."""
    settings = Settings()
    settings.refuse_unsafe_secret()
    return create_app(settings)
