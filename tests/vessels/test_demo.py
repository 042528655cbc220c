"""The demo fleet is plausible and passes the registry's own rules."""

from __future__ import annotations

import random

from jinghai.schemas import parse
from jinghai.vessels.demo import seed_vessels
from jinghai.vessels.schemas import VesselIn


def test_demo_fleet(session, operation):
    fleet = seed_vessels(session, random.Random(1))
    assert len(fleet) == 300
    assert 100 < sum(1 for v in fleet if v.mmsi) < 200
    assert all(v.mmsi.startswith("41") for v in fleet if v.mmsi)
    assert {v.home_port for v in fleet} == {"郭巨", "梅山", "白峰", "穿山"}
    assert len({v.owner_id for v in fleet if v.owner.kind == "enterprise"}) == 15
    for v in fleet[:20]:
        assert parse(VesselIn, {"registry_no": v.registry_no, "name": v.name,
                                "mmsi": v.mmsi}).mmsi == v.mmsi
