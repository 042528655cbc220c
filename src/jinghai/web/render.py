"""Template rendering with what every page needs: user, CSRF token, notices, labels."""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from jinghai.notify import queries as notices

templates = Jinja2Templates(directory=str(resources.files("jinghai.web") / "templates"))

WEEKDAYS = "一二三四五六日"

# (label, href, roles that see it). Domains add their pages with ``register_nav``.
NAV: list[tuple[str, str, set[str]]] = [
    ("日报填报", "/report/entry", {"liaison", "office"}),
    ("报送情况", "/report/board", {"office", "viewer", "admin"}),
    ("全区日报", "/report/daily", {"office", "viewer", "admin"}),
    ("趋势分析", "/report/trends", {"office", "viewer", "admin"}),
]
NAV_TAIL: list[tuple[str, str, set[str]]] = [
    ("审计记录", "/audit", {"office", "admin"}),
    ("用户管理", "/admin/users", {"admin"}),
]


def register_nav(label: str, href: str, roles: set[str]) -> None:
    if all(h != href for _, h, _ in NAV):
        NAV.append((label, href, roles))


def nav_for(user) -> list[tuple[str, str]]:
    if user is None:
        return []
    return [(label, href) for label, href, roles in NAV + NAV_TAIL if user.role in roles]


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo("Asia/Shanghai")).strftime(fmt)


def cn_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def num(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def coord(lon, lat) -> str:
    """29.8941°N 122.0414°E: four decimals (about 10 m) read on a screen; the full
    precision stays in the data."""
    if lon is None or lat is None:
        return ""
    lon, lat = float(lon), float(lat)
    return (f"{abs(lat):.4f}°{'N' if lat >= 0 else 'S'} "
            f"{abs(lon):.4f}°{'E' if lon >= 0 else 'W'}")


templates.env.filters["coord"] = coord
templates.env.filters["localtime"] = local_time
templates.env.filters["cndate"] = cn_date
templates.env.filters["num"] = num
templates.env.globals["weekday"] = lambda d: "周" + WEEKDAYS[d.weekday()]


def unread_count(request: Request, user) -> int:
    """Counted in the request's own transaction while it is open (a second one would wait
    for the first's lock on SQLite); an error page, rendered after it ended, opens its own."""
    if user is None:
        return 0
    current = getattr(request.state, "db", None)
    if current is not None and current.in_transaction():
        return notices.unread_count(current, user)
    session = request.app.state.read_session_factory()  # a read: no write lock
    try:
        return notices.unread_count(session, user)
    finally:
        session.close()


#: What a button did, shown once on the page it leads back to (``?ok=<key>``): a click
#: must never end on an unchanged page without a word.
NOTICES = {
    "acknowledged": "已签收该预警",
    "closed": "已处置该预警",
    "step_started": "已开始该步骤",
    "step_done": "已完成该步骤",
}


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> Response:
    auth = getattr(request.state, "auth", None)
    user = getattr(request.state, "viewer", None)
    ctx = {
        "request": request,
        "user": user,
        "csrf_token": auth.csrf_token if auth else "",
        "unread": unread_count(request, user),
        "path": request.url.path,
        "nav": nav_for(user),
        # Entry buttons follow permissions: the leadership and the admin read, staff write.
        "can_write": user is not None and user.role in ("office", "liaison"),
        "notice": NOTICES.get(request.query_params.get("ok", "")),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
