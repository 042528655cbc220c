"""MMSI validity rules (ITU-R M.585 formats, ITU MID table)."""

from __future__ import annotations

import pytest

from jinghai.detect import IdentityParams, mmsi_problems

FAKE = IdentityParams().fake_mmsis


@pytest.mark.parametrize(("mmsi", "expected"), [
    (413123456, []),  # China
    (244123456, []),  # Netherlands
    (24420010, ["not 9 digits (a group call number sending ship positions)"]),
    (2442001, ["not 9 digits (a coast station number sending ship positions)"]),
    (1000000000, ["not 9 digits"]),
    (0, ["not 9 digits"]),
    (123456789, ["known fake value"]),
    (111111111, ["known fake value"]),
    (999999999, ["known fake value"]),
    (412000000, ["known fake value (MID followed by zeros)"]),
    (200123456, ["unknown MID 200"]),
    (970123456, []),  # AIS-SART
    (992441234, []),  # AtoN, Netherlands
    (111413123, []),  # SAR aircraft, China
])
def test_mmsi_problems(mmsi: int, expected: list[str]) -> None:
    assert mmsi_problems(mmsi, FAKE) == expected


def test_coast_station_number_is_fine_outside_position_reports() -> None:
    assert mmsi_problems(4131234, FAKE, ship_report=False) == []
