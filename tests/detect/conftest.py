"""The detectors' shared test inputs: the synthetic Beilun scenario, its zones and fleet."""

from __future__ import annotations

import pytest

from jinghai.detect import Fleet
from jinghai.detect import synthetic as s
from jinghai.geo import ZoneIndex, load_demo_zones


@pytest.fixture(scope="module")
def scenario() -> s.Scenario:
    return s.beilun_scenario()


@pytest.fixture(scope="module")
def zones() -> ZoneIndex:
    return ZoneIndex(load_demo_zones())


@pytest.fixture(scope="module")
def fleet(scenario: s.Scenario) -> Fleet:
    return Fleet.build(scenario.own_mmsis, scenario.fishing_mmsis, scenario.static)
