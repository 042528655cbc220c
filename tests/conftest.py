"""Shared fixtures: a real database per backend, schema built by the migrations, and each
test inside a transaction that is rolled back.

Every test that takes ``session`` runs twice: on SQLite and on PostgreSQL. PostgreSQL is
the server on this machine (``JINGHAI_TEST_POSTGRES_URL``); where it cannot be reached the
PostgreSQL runs are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from jinghai.accounts.models import Role, User
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.db import make_engine
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template
from jinghai.wiring import load_counters

load_counters()  # as every entry point does at start

# The suite runs the app in development mode: plain-HTTP cookies (the test client and the
# browser tests speak http://) and the default secret key. Tests of production mode pass
# ``dev=False`` themselves. Set before any Settings() is made; subprocesses inherit it.
os.environ.setdefault("JINGHAI_DEV", "true")

POSTGRES_ADMIN_URL = os.environ.get(
    "JINGHAI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SHARED_DATA = Path(os.environ.get("JINGHAI_SHARED_DATA",
                                  Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))


def _postgres_reason() -> str | None:
    try:
        eng = create_engine(POSTGRES_ADMIN_URL)
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"


def make_postgres_database() -> tuple[str, callable]:
    """Create an empty database; returns its URL and a function that drops it."""
    name = f"jinghai_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    reason = _postgres_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    url, drop = make_postgres_database()
    yield url
    drop()


def _database_maker(tmp_path_factory, drops: list):
    """``make(backend)``: a new, empty database of that backend; PostgreSQL ones are dropped
    by the caller through ``drops``."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'jinghai.db'}"
        reason = _postgres_reason()
        if reason:
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI=true requires PostgreSQL: {reason}")
            pytest.skip(reason)
        url, drop = make_postgres_database()
        drops.append(drop)
        return url

    return make


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory):
    """Make a new, empty database of a backend: ``fresh_database_url("sqlite"|"postgresql")``.
    For tests whose writes must commit (live servers, CLI runs). Dropped at the end."""
    drops: list = []
    yield _database_maker(tmp_path_factory, drops)
    for drop in drops:
        drop()


@pytest.fixture()
def throwaway_database_url(tmp_path_factory):
    """Like ``fresh_database_url``, but each database is dropped (WITH FORCE) when the test
    ends, not when the session does: a test's app may leave a pooled connection behind, and
    a few hundred such tests would exhaust the server's connection limit."""
    drops: list = []
    yield _database_maker(tmp_path_factory, drops)
    for drop in drops:
        drop()


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    conn = engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


@pytest.fixture()
def operation(session: Session):
    op = init_operation(session, load_template())
    session.flush()
    return op


def _user(session: Session, username: str, role: Role, unit_key: str | None = None) -> User:
    return add_user(session, None, UserIn(username=username, password="correct-horse-9",
                                          role=role, unit_key=unit_key))


@pytest.fixture()
def office(session, operation) -> User:
    return _user(session, "office1", Role.OFFICE)


@pytest.fixture()
def viewer(session, operation) -> User:
    return _user(session, "leader1", Role.VIEWER)


@pytest.fixture()
def admin(session, operation) -> User:
    return _user(session, "admin1", Role.ADMIN)


@pytest.fixture()
def make_liaison(session, operation):
    def make(unit_key: str, username: str | None = None) -> User:
        return _user(session, username or f"liaison_{unit_key}", Role.LIAISON, unit_key)

    return make


def pytest_sessionstart(session) -> None:
    """Under CI the real recordings must be there: a test that skips for want of them would
    hide that the AIS and detection suites did not run."""
    if os.environ.get("CI") == "true" and not SHARED_DATA.is_dir():
        raise pytest.UsageError(
            f"CI=true requires the shared data at {SHARED_DATA.resolve()} "
            "(set JINGHAI_SHARED_DATA to its location)")
