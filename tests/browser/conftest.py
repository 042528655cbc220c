"""Browser tests: the real server in a subprocess on a free port, Debian's chromium driven
by Playwright. Playwright's own browser download is never used (it cannot work offline)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from jinghai.accounts.models import Role
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template

CHROMIUM = os.environ.get("JINGHAI_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct-horse-9"
BROWSER_USERS = {
    "office1": (Role.OFFICE, None),
    "leader1": (Role.VIEWER, None),
    "bs1": (Role.LIAISON, "bs_beilun"),
    "cg1": (Role.LIAISON, "coast_guard"),
    "agri1": (Role.LIAISON, "agriculture"),
    "police1": (Role.LIAISON, "police"),
    "transport1": (Role.LIAISON, "transport"),
}

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_site(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as s:
        init_operation(s, load_template())
        for name, (role, unit) in BROWSER_USERS.items():
            add_user(s, None, UserIn(username=name, password=PASSWORD, role=role, unit_key=unit))
    engine.dispose()


class LiveServer:
    def __init__(self, url: str, data_dir: Path, env: dict[str, str]):
        self.url = url
        self.data_dir = data_dir
        self.env = env


def start_server(database_url: str, data_dir: Path, extra_env: dict | None = None):
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "JINGHAI_DATABASE_URL": database_url,
        "JINGHAI_DATA_DIR": str(data_dir),
        "JINGHAI_PORT": str(port),
    })
    env.update(extra_env or {})
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "jinghai.web.app:create_app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text())
        try:
            if httpx.get(base + "/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + (data_dir / "server.log").read_text())
    return proc, LiveServer(base, data_dir, env)


@pytest.fixture(params=["sqlite", "postgresql"])
def live_server(request, fresh_database_url, tmp_path):
    """A running Jinghai on a fresh database with one user per role (see BROWSER_USERS)."""
    url = fresh_database_url(request.param)
    seed_site(url)
    proc, server = start_server(url, tmp_path)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires chromium at {CHROMIUM} (scripts/setup.sh installs it)")
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture()
def sign_in(page):
    def do(server: LiveServer, username: str, password: str = PASSWORD) -> None:
        page.goto(server.url + "/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")

    return do


@pytest.fixture()
def sign_out(page):
    def do() -> None:
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/login")

    return do
