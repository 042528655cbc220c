"""Fixtures for the AIS tests: the real recordings in shared/data/nmea."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NMEA = Path(os.environ.get("JINGHAI_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / ".." / "shared" / "data")) / "nmea"
SKIP = ("LICENSE", ".chk", ".json", ".md")


@pytest.fixture(scope="session")
def nmea_dir() -> Path:
    if not NMEA.is_dir():
        pytest.skip(f"shared data not found at {NMEA}")
    return NMEA.resolve()


@pytest.fixture(scope="session")
def recordings(nmea_dir) -> list[Path]:
    """Every NMEA recording (not licences nor expected-output files)."""
    return sorted(p for p in nmea_dir.glob("*/*") if not any(s in p.name for s in SKIP))


class SharedSession:
    """A session factory for the Ingestor that hands out the test's (rolled-back) session."""

    def __init__(self, session):
        self.session = session

    def __call__(self):
        return self

    def __enter__(self):
        return self.session

    def __exit__(self, *exc):
        return False


@pytest.fixture()
def session_factory(session) -> SharedSession:
    return SharedSession(session)
