"""Reads of the AIS tables for pages and APIs (the web does not query models itself)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jinghai.ais.models import AisVessel


def vessel_static(session: Session, mmsi: int) -> AisVessel | None:
    """The latest static data (name, call sign, type, size) heard from ``mmsi``, if any."""
    return session.get(AisVessel, mmsi)
