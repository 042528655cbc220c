"""The brief names the landing points the patrols have not reached within their interval,
from the patrol domain's own records, and drops a point once it is checked in."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta

from docx import Document

from jinghai.brief.export import brief_docx
from jinghai.brief.queries import daily_brief
from jinghai.geo.models import ZoneRecord
from jinghai.geo.service import seed_demo_zones
from jinghai.patrol.queries import overdue_landing_points
from jinghai.patrol.service import check_in

DAY = date(2026, 11, 20)
MORNING = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Beilun


def test_unpatrolled_landing_points_in_the_brief(session, operation, viewer, make_liaison):
    seed_demo_zones(session)
    session.flush()
    before = daily_brief(session, viewer, DAY)
    names = [name for name, _, _, _ in before.unpatrolled]
    assert names == [p.name for p in overdue_landing_points(session, DAY)]
    assert len(names) > 3
    cove = session.get(ZoneRecord, "lp-qjs-01")
    assert cove.name in names
    assert all(since is None for _, _, since, _ in before.unpatrolled)

    lon, lat = cove.geometry["coordinates"]
    check_in(session, make_liaison("sd_qijiashan"),
             {"client_id": uuid.uuid4().hex, "zone_id": "lp-qjs-01", "at": MORNING,
              "lon": lon, "lat": lat}, now=MORNING + timedelta(hours=1))
    after = daily_brief(session, viewer, DAY)
    assert [n for n, _, _, _ in after.unpatrolled] == [n for n in names if n != cove.name]

    text = "\n".join(p.text for p in Document(io.BytesIO(brief_docx(after))).paragraphs)
    assert "五、未按期巡查的登陆点" in text
    assert f"{names[-1] if names[-1] != cove.name else names[0]}（" in text
    assert "从未巡查（要求每" in text
    assert f"{cove.name}（" not in text
