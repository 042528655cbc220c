"""The engine's connection handling, on a real PostgreSQL server."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from jinghai import db
from jinghai.db import make_engine


def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced(
        throwaway_database_url, monkeypatch):
    url = throwaway_database_url("postgresql")
    engine = make_engine(url)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    # the server ends that backend (a restart, an idle timeout) while it sits in the pool
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # it has been idle long enough
    with engine.connect() as conn:
        second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    engine.dispose()
    assert second != first
