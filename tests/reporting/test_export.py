"""The one export door (:mod:`jinghai.reporting.export`) that the web and the CLI share."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from jinghai.errors import InvalidInput
from jinghai.reporting.export import export_file, render_export


@pytest.mark.parametrize(("fmt", "days", "period", "message"), [
    ("xlsx", 1, "day", "只能导出单日"),
    ("csv", 0, "week", "周报和月报导出为 xlsx 或 pdf"),
    ("pdf", 0, "year", "周期只能是"),
    ("doc", 0, "day", "导出格式只能是"),
])
def test_the_door_refuses_what_it_cannot_make_before_reading_anything(fmt, days, period,
                                                                      message, operation):
    start = operation.start_date
    with pytest.raises(InvalidInput, match=message):
        render_export(None, None, fmt, start, start + timedelta(days=days), period)


def test_one_door_names_the_file_and_gives_the_same_bytes(session, office, operation):
    day = operation.start_date
    file = export_file(session, office, "json", day, day + timedelta(days=1))
    week = export_file(session, office, "xlsx", day, period="week")

    assert (file.filename, file.media_type) == (
        f"jinghai-daily-{day:%Y%m%d}-{day + timedelta(days=1):%Y%m%d}.json", "application/json")
    assert file.data == render_export(session, office, "json", day, day + timedelta(days=1))
    assert len(json.loads(file.data)) == 2
    assert (week.filename, week.data[:2]) == (f"jinghai-weekly-{day:%Y%m%d}.xlsx", b"PK")
