"""The demo's fishing boats report their port calls as real owners do.

The simulated feed (``jinghai.ais.simulate``) runs each registry boat on a periodic plan:
lying at its home port, steaming out, trawling, steaming home. An owner announces the
return before the boat is in (进港报告) and the departure when it leaves (出港报告); here
the plan says when, so the reports are filed through the same verb as the owners' phone
page. One boat in ``FORGETFUL_EVERY`` forgets, so the inbox still shows a genuine
unreported arrival now and then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.db import utcnow
from jinghai.errors import InvalidInput
from jinghai.geo.models import ZoneRecord
from jinghai.portcalls.schemas import PortReportIn
from jinghai.portcalls.service import _file
from jinghai.vessels.models import FishingVessel

FORGETFUL_EVERY = 12
#: How long before arriving an owner reports the return (steaming home from the grounds).
REPORT_LEAD = timedelta(minutes=40)


def _calls(vessel: Any, epoch: datetime, start: datetime, end: datetime
           ) -> Iterable[tuple[str, datetime]]:
    """(direction, time) of the plan's home-port calls in [start, end): the plan starts
    lying at home, so an arrival is the end of a period and a departure the end of the
    first leg."""
    period, phase = float(vessel.period), float(vessel.phase)
    stay = float(vessel.legs[0].duration)
    k0 = int(np.floor(((start - epoch).total_seconds() + phase) / period)) - 1
    k1 = int(np.ceil(((end - epoch).total_seconds() + phase) / period)) + 1
    for k in range(k0, k1 + 1):
        arrive = epoch + timedelta(seconds=k * period - phase)
        leave = arrive + timedelta(seconds=stay)
        for direction, at in (("entry", arrive), ("exit", leave)):
            if start <= at < end:
                yield direction, at


def file_demo_port_reports(session: Session, sim: Any, epoch: datetime, start: datetime,
                           end: datetime) -> int:
    """File the entry and exit reports of every simulated registry boat's home-port calls
    between ``start`` and ``end``; returns how many were filed."""
    ports = [(r.id, r.name, shapely.geometry.shape(r.geometry)) for r in session.scalars(
        select(ZoneRecord).where(ZoneRecord.kind == "port", ZoneRecord.active.is_(True)))]
    now = utcnow()
    n = 0
    for i, v in enumerate(x for x in sim.vessels if x.kind == "fishing"):
        if i % FORGETFUL_EVERY == FORGETFUL_EVERY - 1:
            continue
        boat = session.scalar(select(FishingVessel).where(FishingVessel.mmsi == str(v.mmsi)))
        if boat is None:
            continue
        home = shapely.Point(*v.legs[0].path[0])
        port = next((name for _, name, g in ports if g.contains(home)), boat.home_port)
        for direction, at in _calls(v, epoch, start, end):
            if at > now + timedelta(days=2):
                continue
            when = at - REPORT_LEAD if direction == "entry" else at
            try:
                _file(session, None, PortReportIn(
                    vessel=boat.registry_no, direction=direction, port=port,
                    event_time=at, crew_count=3 + v.mmsi % 5, reporter_name="船东",
                    note="示范：船东按时报告"), "owner_link", min(when, now))
            except InvalidInput:
                continue
            n += 1
    session.flush()
    return n


def seed_demo_port_calls(session: Session, sim: Any, hours_back: int = 30,
                         hours_ahead: int = 36) -> int:
    """The reports for the demo feed's window: the backfilled hours and the day ahead."""
    from jinghai.ais.simulate import EPOCH

    now = utcnow()
    return file_demo_port_reports(session, sim, EPOCH, now - timedelta(hours=hours_back),
                                  now + timedelta(hours=hours_ahead))


__all__ = ["file_demo_port_reports", "seed_demo_port_calls"]
