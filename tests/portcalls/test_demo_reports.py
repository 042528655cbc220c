"""The demo's boats file their port reports as owners do: an entry report for each return
home and an exit report for each departure in the window, except the forgetful one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jinghai.ais.simulate import EPOCH, FishingSpec, Simulation
from jinghai.db import utcnow
from jinghai.geo.service import seed_demo_zones
from jinghai.portcalls.demo import FORGETFUL_EVERY, file_demo_port_reports
from jinghai.portcalls.models import PortReport
from jinghai.vessels.schemas import VesselIn
from jinghai.vessels.service import add_vessel


def test_demo_boats_report_their_calls(session, office) -> None:
    seed_demo_zones(session)
    specs = []
    for i in range(FORGETFUL_EVERY):
        m = 412350001 + i
        home = ("郭巨", "梅山", "白峰", "穿山")[i % 4]
        add_vessel(session, office, VesselIn.model_validate(
            {"registry_no": f"浙甬渔{m % 100000:05d}",
             "name": f"浙甬渔{m % 100000:05d}", "mmsi": str(m),
             "home_port": home}))
        specs.append(FishingSpec(m, f"ZHE YONG YU {i}", home))
    sim = Simulation(fishing=specs)
    now = utcnow()
    n = file_demo_port_reports(session, sim, EPOCH, now - timedelta(hours=6),
                               now + timedelta(hours=36))
    reports = session.scalars(select(PortReport)).all()
    assert n == len(reports) > FORGETFUL_EVERY
    by_boat = {r.mmsi for r in reports}
    assert str(specs[-1].mmsi) not in by_boat  # the forgetful owner
    assert len(by_boat) == FORGETFUL_EVERY - 1
    assert {r.direction for r in reports} == {"entry", "exit"}
    meishan = [r for r in reports if r.mmsi == str(specs[1].mmsi)]
    assert meishan and {r.port_name for r in meishan} == {"梅山港区"}  # the port zone's name
