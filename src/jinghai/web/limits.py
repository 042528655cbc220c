"""Request body limits, enforced at the ASGI level before any handler, dependency or the
CSRF check reads the body: an anonymous client cannot make the server spool hundreds of
megabytes to disk before being refused.

A declared ``Content-Length`` over the limit is answered 413 at once, without reading a
byte; a chunked body is counted as it streams and cut off with 413 when it passes the
limit.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024
#: Room for the form's other fields and multipart boundaries around the file itself.
FORM_OVERHEAD = 256 * 1024
#: Every request not listed below: JSON and plain forms.
DEFAULT_LIMIT = 1 * MB

#: (path pattern, limit in bytes); the first match wins.
ROUTE_LIMITS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"^/tip/?$"), 5 * MB + FORM_OVERHEAD),  # the public tip-off photo
    (re.compile(r"^(/api)?/clues/(new|\d+/attachments)$"), 10 * MB + FORM_OVERHEAD),
    (re.compile(r"^/api/clues/?$"), DEFAULT_LIMIT),
    (re.compile(r"^(/api)?/vessels/import$"), 5 * MB + FORM_OVERHEAD),  # roster xlsx
    (re.compile(r"^(/api)?/zones/import$"), 5 * MB + FORM_OVERHEAD),  # GeoJSON
]

TOO_LARGE = "上传内容过大（{mb} MB 以内），请压缩或拆分后重试"


def limit_for(path: str) -> int:
    for pattern, limit in ROUTE_LIMITS:
        if pattern.match(path):
            return limit
    return DEFAULT_LIMIT


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        seen = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            # Past the limit the app is told the client went away: whatever it was doing
            # with the body stops, and its answer is replaced by the 413 below.
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": TOO_LARGE.format(mb=max(1, limit // MB))},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
