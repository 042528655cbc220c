"""Read requests run beside a writer: on SQLite (WAL) a GET takes no write lock, so a
connection holding the lock (the AIS ingestor, the alert worker, another user's save) does
not hold up pages and JSON reads; a write request still waits for it. Measured with
threads and events: the reads must finish while the writer still holds its lock."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import text

from jinghai.db import make_engine

from .conftest import PASSWORD


def test_reads_are_not_blocked_by_a_writer_holding_the_lock(app, site_url):
    writer = make_engine(site_url)
    locked, release, writer_done = threading.Event(), threading.Event(), threading.Event()

    def hold_the_lock():
        with writer.begin() as conn:  # BEGIN IMMEDIATE on SQLite: the write lock
            conn.execute(text("UPDATE users SET display_name = display_name || '' "
                              "WHERE username = 'admin1'"))
            locked.set()
            release.wait(60)
        writer_done.set()

    with TestClient(app) as client:
        r = client.post("/api/auth/login", json={"username": "office1", "password": PASSWORD})
        assert r.status_code == 200
        csrf = r.json()["csrf_token"]
        holder = threading.Thread(target=hold_the_lock, daemon=True)
        holder.start()
        assert locked.wait(30)
        statuses: list[tuple[str, int]] = []
        reads_done = threading.Event()

        def read():
            for path in ("/api/me", "/", "/api/map/layers", "/clues"):
                statuses.append((path, client.get(path).status_code))
            reads_done.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        # the reads finish while the writer still holds its lock (busy_timeout is 30 s:
        # a read that waited for the lock would still be waiting when this gives up)
        finished_under_lock = reads_done.wait(25)
        still_locked = not writer_done.is_set()
        write_status: list[int] = []
        write_done = threading.Event()
        if site_url.startswith("sqlite"):
            def write():
                write_status.append(client.post(
                    "/api/clues", headers={"X-CSRF-Token": csrf},
                    json={"source_kind": "agency", "content": "锁测试线索"}).status_code)
                write_done.set()

            threading.Thread(target=write, daemon=True).start()
            # a write request does queue behind the lock (the check is meaningful)
            write_waited = not write_done.wait(1.0)
        release.set()
        holder.join(30)
        reader.join(30)
        if site_url.startswith("sqlite"):
            assert write_done.wait(30)
            assert write_waited
            assert write_status == [201]
    writer.dispose()
    assert finished_under_lock and still_locked
    assert [s for _, s in statuses] == [200, 200, 200, 200], statuses


def test_writers_of_one_engine_queue_and_an_ended_writer_lets_the_next_in(tmp_path):
    """SQLite writers of one process queue on the engine's lock before BEGIN IMMEDIATE:
    a second writer waits while the first holds it, and starts once the first ends, by
    rollback as by closing its session without a commit (the lock must never leak)."""
    from jinghai.db import make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    factory = make_session_factory(engine)
    with factory() as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
        s.commit()
    for end in ("rollback", "close"):
        first = factory()
        first.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock
        second_done = threading.Event()

        def second(done: threading.Event) -> None:
            with factory() as s:
                s.execute(text("INSERT INTO t VALUES (2)"))
                s.commit()
            done.set()

        threading.Thread(target=second, args=(second_done,), daemon=True).start()
        waited = not second_done.wait(1.0)
        getattr(first, end)()
        assert second_done.wait(10), end
        assert waited, end
    with factory() as s:
        assert s.execute(text("SELECT x FROM t")).scalars().all() == [2, 2]
    engine.dispose()
