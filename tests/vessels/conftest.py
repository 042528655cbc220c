"""Vessel-registry fixtures: the fisheries liaison who keeps the roster, and a vessel."""

from __future__ import annotations

import pytest

from jinghai.vessels.service import add_vessel


@pytest.fixture()
def agri(make_liaison):
    return make_liaison("agriculture", "agri1")


@pytest.fixture()
def vessel(session, agri):
    return add_vessel(session, agri, {
        "registry_no": "浙甬渔60123", "name": "浙甬渔60123", "home_port": "郭巨",
        "mmsi": "412345678", "beidou_no": "BD1234567",
        "owner": {"kind": "个人", "name": "王海军", "phone": "13805741234",
                  "id_code": "330206197001011234"},
    })
