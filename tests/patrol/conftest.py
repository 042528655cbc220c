from __future__ import annotations

import pytest

from jinghai.geo.service import seed_demo_zones


@pytest.fixture()
def zones(session, operation):
    seed_demo_zones(session)
    session.flush()


@pytest.fixture()
def agri_vessel(session, operation, make_liaison):
    from jinghai.vessels.schemas import VesselIn
    from jinghai.vessels.service import add_vessel

    agri = make_liaison("agriculture")
    return add_vessel(session, agri, VesselIn.model_validate(
        {"registry_no": "浙甬渔901", "name": "浙甬渔901",
         "owner": {"kind": "个人", "name": "张三"}}))
