"""Engine, sessions and the declarative base shared by every domain's models."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on the way in and out, whatever the backend stores.

    SQLite has no timezone type; PostgreSQL's ``timestamptz`` returns the session zone.
    Both come back as aware UTC here, so comparisons never mix naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


#: Connections a pool keeps and may open beyond that. The web server runs synchronous
#: handlers on a pool of threads (``Settings.web_threads``); a handler that waits for a
#: pooled connection while others sit idle only adds latency (SQLAlchemy's 5 + 10 made
#: the 16th simultaneous request wait, up to the 30 s pool timeout). A SQLite connection
#: is a file handle; PostgreSQL's default max_connections is 100, shared with workers.
POOL_SIZE = 10
POOL_OVERFLOW = {"sqlite": 150, "postgresql": 30}
#: How long a writer waits for the write lock (SQLite's busy timeout, the in-process lock).
LOCK_TIMEOUT_S = 30
#: A pooled PostgreSQL connection idle for longer than this is pinged before use (a server
#: restart or a firewall may have dropped it). One busy a moment ago is not: the ping is a
#: round trip per request, and under load the slowest part of a short one.
PING_AFTER_IDLE_S = 10.0


def make_engine(url: str, **kwargs) -> Engine:
    if "poolclass" not in kwargs and ":memory:" not in url and url.rstrip("/") != "sqlite:":
        kwargs.setdefault("pool_size", POOL_SIZE)  # a file or a server: a QueuePool
        kwargs.setdefault("max_overflow",
                          POOL_OVERFLOW["sqlite" if url.startswith("sqlite") else "postgresql"])
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": LOCK_TIMEOUT_S}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            # pysqlite defers BEGIN on its own, which breaks SAVEPOINTs and lets a RELEASE
            # commit; we take over and emit BEGIN ourselves (SQLAlchemy's documented recipe).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            # IMMEDIATE: take the write lock at the start. A deferred transaction that read
            # and then wrote failed at once ("database is locked") whenever another
            # connection — the AIS ingestor, the alert worker, another user — had committed
            # in between; busy_timeout cannot help a stale snapshot. Waiting at BEGIN can.
            # A read-first session (see :func:`make_session_factory`) begins deferred: under
            # WAL it reads beside a writer, and takes the lock only when it writes.
            if conn.get_execution_options().get(READ_FIRST):
                conn.exec_driver_sql("BEGIN")
                conn.info[_DEFERRED] = True
            else:
                _begin_immediate(conn)

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(conn) -> None:
            _release_write_lock(conn.info)

        @event.listens_for(engine, "checkin")
        def _sqlite_checkin(_dbapi_conn, record) -> None:
            # a connection returned without commit or rollback (invalidated, closed)
            _release_write_lock(record.info)

        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


_CHECKED_IN = "jinghai_checked_in"


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections that sat idle in the pool: a failed
    ping makes the pool drop the connection and hand out a fresh one (its documented
    ``DisconnectionError`` protocol). A dead connection used within ``PING_AFTER_IDLE_S``
    of its last use fails that request, and the pool then drops its other connections."""

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_conn, record) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # just opened, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("connection lost while idle in the pool") from exc


#: Execution option / session info key of read-first sessions.
READ_FIRST = "jinghai_read_first"
_DEFERRED = "jinghai_deferred"


def make_session_factory(engine: Engine, *, read_first: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``. ``read_first``: on SQLite the transaction begins deferred
    (no write lock: under WAL any number of readers run beside the one writer) and is
    turned into a write transaction at its first write (an ORM flush or DML statement):
    the read snapshot ends and ``BEGIN IMMEDIATE`` waits for the lock there, so the
    write never fails on a stale snapshot. What was read before that point may since have
    changed: for requests that only read, or read something not changed by others before
    they write (a login verifying a password hash, then adding its session row).
    PostgreSQL readers never wait for writers; the option changes nothing there."""
    if read_first:
        return sessionmaker(bind=engine.execution_options(**{READ_FIRST: True}),
                            expire_on_commit=False, info={READ_FIRST: True})
    return sessionmaker(bind=engine, expire_on_commit=False)


#: SQLite has one writer at a time. Writers of this process queue on a lock of ours (one
#: per connection pool, i.e. per database file and engine) before BEGIN IMMEDIATE: the
#: next one starts the moment the last one commits, where SQLite's busy handler polls with
#: sleeps of up to 100 ms and lets a newcomer overtake a writer that has waited for
#: seconds. Other processes (the CLI, an ingestor) still meet at SQLite's own lock.
_write_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_HOLDS = "jinghai_write_lock"


def _begin_immediate(conn) -> None:
    """BEGIN IMMEDIATE on SQLite, after this process's earlier writers."""
    if _HOLDS not in conn.info:
        lock = _write_locks.setdefault(conn.engine.pool, threading.Lock())
        # Not forever: a thread holding a write transaction that opens a second one on
        # another connection goes on to wait at SQLite's lock, and fails as it always did.
        if lock.acquire(timeout=LOCK_TIMEOUT_S):
            conn.info[_HOLDS] = lock
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _release_write_lock(conn.info)
        raise
    conn.info[_DEFERRED] = False


def _release_write_lock(info: dict) -> None:
    lock = info.pop(_HOLDS, None)
    if lock is not None:
        lock.release()


def _take_write_lock(session: Session) -> None:
    if not session.info.get(READ_FIRST):
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite" or not conn.info.get(_DEFERRED):
        return
    if session.in_nested_transaction():
        raise RuntimeError("a read-first session must write before any SAVEPOINT")
    conn.exec_driver_sql("COMMIT")  # end the read snapshot (it wrote nothing)
    _begin_immediate(conn)


@event.listens_for(Session, "before_flush")
def _write_lock_before_flush(session: Session, _context, _instances) -> None:
    _take_write_lock(session)


@event.listens_for(Session, "do_orm_execute")
def _write_lock_before_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _take_write_lock(state.session)


def serialize_on(session: Session, key: str) -> None:
    """Make concurrent transactions about ``key`` (one report section of one day, say) run
    one after the other, from here to their commit, so that a read-then-write (find the
    row, create it if missing) never races another. On PostgreSQL a transaction-scoped
    advisory lock. On SQLite the database's one write lock: a writing transaction holds it
    from its start, a read-first one (:func:`make_session_factory`) takes it here, and
    what it reads from here on is current. Call it as late as the race allows: whatever
    runs after it, up to the commit, runs one transaction at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": key})
    else:
        _take_write_lock(session)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
