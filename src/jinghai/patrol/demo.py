"""A month of patrol work for the demo, made through the patrol services: the coast guard's
sea patrols on its own boats (their tracks are the demo AIS feed's coast-guard boats,
``jinghai.ais.simulate``), the border stations' anchorage patrols, the police's and the
sub-districts' coastal patrols with check-ins at their landing points, boarding checks.
A few landing points are left unvisited lately, so the coverage map shows them overdue."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.geo.metric import offset_lonlat
from jinghai.geo.models import ZoneRecord
from jinghai.geo.service import seed_demo_zones
from jinghai.patrol.queries import REQUIRED_INTERVAL_DAYS
from jinghai.patrol.service import (
    add_track_points,
    attach_ais_track,
    check_in,
    end_mission,
    record_patrol_inspection,
    start_mission,
)

#: Landing points the demo's sub-districts have neglected: last visit this many days ago.
NEGLECTED = {"lp-xq-01": 5, "lp-gj-02": 12, "lp-cx-01": 4}
#: The coast guard's joint sweep on the demo's spike days brings this many people out.
SWEEP_CREW = 260


def _cid(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128)).hex


def _at(day: date, tz: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tz).astimezone(UTC)


def _sim_rows(sim, mmsi: int, start: datetime, end: datetime, step_s: int = 120) -> list[dict]:
    from jinghai.ais.simulate import EPOCH

    rows = []
    t = start
    while t <= end:
        state = sim.by_mmsi(mmsi).state((t - EPOCH).total_seconds())
        if state is not None:
            rows.append({"mmsi": mmsi, "ts": t, "lon": state["lon"], "lat": state["lat"]})
        t += timedelta(seconds=step_s)
    return rows


def _walk(rng: random.Random, lon: float, lat: float, start: datetime, n: int) -> list[dict]:
    """A leader's phone fixes around a landing point, every 10 minutes."""
    out = []
    for i in range(n):
        x, y = offset_lonlat(lon, lat, rng.uniform(-150, 150), rng.uniform(-150, 150))
        out.append({"ts": start + timedelta(minutes=10 * i), "lon": float(x), "lat": float(y)})
    return out


def _due(rng: random.Random, zone: ZoneRecord, offset: int) -> bool:
    """Whether a landing point is patrolled ``offset`` days before today."""
    if zone.id in NEGLECTED and offset < NEGLECTED[zone.id]:
        return False
    need = REQUIRED_INTERVAL_DAYS.get(zone.subtype or "", 2)
    return need <= 1 or rng.random() < 1.0 / need + 0.15


def _feed_fishing(session: Session) -> list:
    """The registry boats the demo feed sails (as ``jinghai demo`` starts it), so the
    simulation here is the feed's own and its coast-guard boats are where the feed puts
    them at every moment."""
    from jinghai.ais.simulate import FishingSpec
    from jinghai.vessels.models import FishingVessel

    rows = session.execute(select(
        FishingVessel.mmsi, FishingVessel.name, FishingVessel.home_port,
    ).where(FishingVessel.mmsi.is_not(None), FishingVessel.status == "active")
        .order_by(FishingVessel.registry_no).limit(40)).all()
    return [FishingSpec(int(m), name, port, class_b=i % 4 != 0)
            for i, (m, name, port) in enumerate(rows) if m and m.isdigit()]


def seed_patrols(session: Session, rng: random.Random, days: list[date],
                 users: dict[str, User], tz: ZoneInfo, *, spike_days: Iterable[int] = (),
                 now: datetime | None = None) -> int:
    """``days`` of patrol work ending today (the last day); returns the missions made.
    Work after ``now`` (today's later hours) is not invented: a mission still under way
    stays open."""
    from jinghai.ais.simulate import PATROL_MMSIS, Simulation
    from jinghai.vessels.models import FishingVessel

    if session.scalar(select(ZoneRecord.id).limit(1)) is None:
        seed_demo_zones(session)
    now = now or datetime.now(UTC)
    today = days[-1]
    spikes = {today - timedelta(days=d) for d in spike_days}
    sim = Simulation(fishing=_feed_fishing(session) or None)
    registry = list(session.scalars(select(FishingVessel.registry_no)
                                    .order_by(FishingVessel.registry_no)))
    landing = list(session.scalars(select(ZoneRecord).where(
        ZoneRecord.kind == "landing_point", ZoneRecord.active.is_(True))
        .order_by(ZoneRecord.id)))
    units = {u.unit.name: key for key, u in users.items() if u.unit is not None}
    made = 0

    def finish(user: User, mission, end: datetime, **kw) -> None:
        if end <= now:
            end_mission(session, user, mission.id, {"end_at": end, **kw}, now=end)

    for day in days:
        offset = (today - day).days
        # -- 海上巡航: the coast guard's boats, tracks from their AIS ---------------------------
        cg = users.get("coast_guard")
        if cg is not None:
            boats = rng.sample(range(len(PATROL_MMSIS)), 2)
            crews = [rng.randint(10, 28) for _ in boats]
            if day in spikes:
                boats = list(range(len(PATROL_MMSIS)))
                crews = [SWEEP_CREW - 2 * (SWEEP_CREW // 3), SWEEP_CREW // 3, SWEEP_CREW // 3]
            for k, crew in zip(boats, crews, strict=True):
                mmsi = PATROL_MMSIS[k]
                start = _at(day, tz, rng.choice((6, 7, 8, 13)), rng.randrange(0, 60, 5))
                if start > now:
                    continue
                end = start + timedelta(hours=rng.uniform(4, 7))
                m = start_mission(session, cg, {
                    "kind": "sea", "crew_count": crew, "start_at": start,
                    "title": "联合巡航" if day in spikes else "海上巡航",
                    "boats": [{"name": f"海警{31101 + k}", "mmsi": mmsi,
                               "boat_type": "patrol_boat"}]}, now=start)
                attach_ais_track(session, m, _sim_rows(sim, mmsi, start, min(end, now)),
                                 PATROL_MMSIS)
                for _ in range(rng.randint(1, 4) if registry else 0):
                    at = start + timedelta(minutes=rng.randint(20, 200))
                    if at > now:
                        break
                    record_patrol_inspection(session, cg, {
                        "mission_id": m.id, "registry_no": rng.choice(registry), "at": at,
                        "persons_checked": rng.randint(3, 12),
                        "illegal": rng.random() < 0.03}, now=at)
                finish(cg, m, end)
                made += 1
        # -- 口岸: the border stations patrol the international anchorage ---------------------
        for key in ("bs_beilun", "bs_daxie", "bs_meishan"):
            bs = users.get(key)
            if bs is None or rng.random() < 0.35:
                continue
            start = _at(day, tz, rng.randint(8, 15), rng.randrange(0, 60, 5))
            if start > now:
                continue
            m = start_mission(session, bs, {
                "kind": "anchorage", "crew_count": rng.randint(3, 6), "start_at": start,
                "boats": [{"name": f"{bs.unit.name[:2]}边检艇", "boat_type": "speedboat"}]},
                now=start)
            pts = [{"ts": start + timedelta(minutes=10 * i), "lon": 122.135 + 0.008 * i,
                    "lat": 29.83 + rng.uniform(0, 0.025)} for i in range(6)]
            add_track_points(session, bs, m.id, {"points": pts})
            at = start + timedelta(minutes=30)
            check_in(session, bs, {"client_id": _cid(rng), "zone_id": "anch-intl-xiazhimen",
                                   "at": at, "lon": pts[3]["lon"], "lat": pts[3]["lat"],
                                   "vessels_checked": rng.randint(0, 3),
                                   "mission_id": m.id}, now=at)
            finish(bs, m, start + timedelta(hours=1))
            made += 1
        # -- 沿海: each sub-district walks its landing points; the police checks some ---------
        for unit_name, key in sorted(units.items()):
            user = users[key]
            if user.unit.kind != "sub_district":
                continue
            mine = [z for z in landing if z.sub_district and unit_name.startswith(z.sub_district)]
            todo = [z for z in mine if _due(rng, z, offset)]
            if not todo:
                continue
            start = _at(day, tz, rng.randint(7, 10), rng.randrange(0, 60, 5))
            if start > now:
                continue
            spike = day in spikes and key == "sd_guoju"
            m = None
            if not spike:  # on the spike day the police went, the sub-district did not
                m = start_mission(session, user, {"kind": "coastal",
                                                  "crew_count": rng.randint(8, 20),
                                                  "start_at": start}, now=start)
            t = start
            for z in todo:
                lon, lat = z.geometry["coordinates"]
                t += timedelta(minutes=rng.randint(30, 70))
                if t > now:
                    break
                if m is not None:
                    add_track_points(session, user, m.id,
                                     {"points": _walk(rng, lon, lat, t - timedelta(minutes=20), 3)})
                x, y = offset_lonlat(lon, lat, rng.uniform(-120, 120), rng.uniform(-120, 120))
                check_in(session, user, {
                    "client_id": _cid(rng), "zone_id": z.id, "at": t, "lon": float(x),
                    "lat": float(y), "persons_checked": rng.randint(0, 8) + (20 if spike else 0),
                    "vessels_checked": rng.randint(0, 3),
                    "mission_id": m.id if m else None}, now=t)
            if m is not None:
                finish(user, m, t + timedelta(minutes=30))
                made += 1
        police = users.get("police")
        if police is not None and landing:
            start = _at(day, tz, rng.randint(8, 14), rng.randrange(0, 60, 5))
            if start <= now:
                m = start_mission(session, police, {
                    "kind": "coastal", "crew_count": rng.randint(30, 60), "start_at": start,
                    "vehicles": rng.randint(2, 6),
                    "boats": [{"name": "公安巡逻艇", "boat_type": "speedboat"}]
                    if rng.random() < 0.5 else []}, now=start)
                t = start
                for z in rng.sample([z for z in landing if z.id not in NEGLECTED], 2):
                    lon, lat = z.geometry["coordinates"]
                    t += timedelta(minutes=rng.randint(40, 90))
                    if t > now:
                        break
                    x, y = offset_lonlat(lon, lat, rng.uniform(-100, 100), rng.uniform(-100, 100))
                    check_in(session, police, {
                        "client_id": _cid(rng), "zone_id": z.id, "at": t, "lon": float(x),
                        "lat": float(y), "persons_checked": rng.randint(2, 15),
                        "vessels_checked": rng.randint(0, 4), "mission_id": m.id}, now=t)
                finish(police, m, t + timedelta(hours=1),
                       persons_checked=0, vehicles_checked=0)
                made += 1
    session.flush()
    return made
