"""The ingestor end to end on real recordings: stored positions, de-dup with receivers,
quarantine by reason in the database, static data and its history, listeners, resume."""

from __future__ import annotations

from sqlalchemy import func, select

from jinghai.ais.ingest import Ingestor
from jinghai.ais.models import AisQuarantine, AisStaticChange, AisVessel
from jinghai.ais.quarantine import quarantine_counts
from jinghai.ais.store import PositionStore


def test_every_recording_balances_and_quarantine_matches_the_table(session, session_factory,
                                                                   tmp_path, recordings):
    store = PositionStore(tmp_path / "store")
    ingestor = Ingestor(store, session_factory, batch_rows=1000)
    totals: dict[str, int] = {}
    positions = 0
    for path in recordings:
        stats = ingestor.ingest_file(path)
        assert stats.balanced(), path
        assert stats.lines == len(path.read_bytes().splitlines()), path
        positions += stats.positions
        for reason, n in stats.quarantined.items():
            totals[reason] = totals.get(reason, 0) + n
    assert store.query("SELECT count(*) AS n FROM positions").to_pylist() == [{"n": positions}]
    assert quarantine_counts(session) == totals
    for reason in ("bad_checksum", "orphan_fragment", "impossible_value", "empty_payload",
                   "unsupported_type", "truncated", "undecodable", "malformed"):
        assert totals.get(reason, 0) > 0, reason
    long_raw = session.scalar(select(func.max(func.length(AisQuarantine.raw))))
    assert long_raw <= 500


def test_duplicates_across_receivers_are_stored_once_with_all_receivers(tmp_path):
    line = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"
    store = PositionStore(tmp_path)
    got = []
    ingestor = Ingestor(store)
    ingestor.add_listener(got.append)
    ingestor.feed_line(f"\\s:r1,c:1700000000*{_cs('s:r1,c:1700000000')}\\{line}")
    ingestor.feed_line(f"\\s:r2,c:1700000004*{_cs('s:r2,c:1700000004')}\\{line}")
    ingestor.feed_line(f"\\s:r3,c:1700000100*{_cs('s:r3,c:1700000100')}\\{line}")  # later
    ingestor.flush()
    table = got[0]
    assert table["receivers"].to_pylist() == ["r1,r2", "r3"]
    assert ingestor.stats.outcomes["duplicate"] == 1
    assert store.query("SELECT count(*) AS n FROM positions").to_pylist() == [{"n": 2}]


def _cs(body: str) -> str:
    from jinghai.ais.nmea import checksum

    return f"{checksum(body):02X}"


def test_static_data_and_its_changes(session, session_factory, tmp_path, nmea_dir):
    changed = []
    ingestor = Ingestor(PositionStore(tmp_path), session_factory)
    ingestor.add_static_listener(changed.extend)
    stats = ingestor.ingest_file(nmea_dir / "gpsd/ais_unpack_sixbit.log")
    assert stats.balanced()
    vessel = session.get(AisVessel, 244538000)
    assert (vessel.name, vessel.callsign, vessel.imo, vessel.ship_type) == \
        ("ARCTIC SUNRISE", "PE6851", 7382902, 38)
    assert vessel.length == 49 and vessel.destination == "AMSTERDAM"
    assert 244538000 in changed
    # the same vessel renames itself: the change is kept
    from jinghai.ais.ingest import apply_static

    apply_static(session, [(244538000, vessel.last_static_at.timestamp() + 60,
                            {"name": "NEW NAME"})])
    change = session.scalars(select(AisStaticChange).where(
        AisStaticChange.mmsi == 244538000)).one()
    assert (change.field, change.old, change.new) == ("name", "ARCTIC SUNRISE", "NEW NAME")


def test_resume_from_checkpoint_skips_what_was_written(tmp_path, nmea_dir):
    path = nmea_dir / "dma_aislib/stream_example.txt"
    clean = Ingestor(PositionStore(tmp_path / "clean"), batch_rows=500)
    clean.ingest_file(path)
    ckpt = tmp_path / "ckpt.json"
    first = Ingestor(PositionStore(tmp_path / "resumed"), checkpoint=ckpt, batch_rows=500)
    # a run that stops after its third batch: feed only part of the file, no close()
    first._origin = str(path.resolve())
    from jinghai.ais.sources import iter_file_lines

    for n, line in enumerate(iter_file_lines(path)):
        if first._batch_no >= 3:
            break
        first._feed(line, 0.0, path.name, n)
        first._line_no = n
    second = Ingestor(PositionStore(tmp_path / "resumed"), checkpoint=ckpt, batch_rows=500)
    stats = second.ingest_file(path)
    assert stats.balanced()
    query = "SELECT * FROM positions ORDER BY ts, mmsi, lon, lat, receivers"
    assert PositionStore(tmp_path / "resumed").query(query) == \
        PositionStore(tmp_path / "clean").query(query)
    assert stats.as_dict()["outcomes"] == clean.stats.as_dict()["outcomes"]


def test_positions_move_last_seen_of_known_vessels(session, session_factory, tmp_path,
                                                   nmea_dir):
    ingestor = Ingestor(PositionStore(tmp_path), session_factory)
    ingestor.ingest_file(nmea_dir / "gpsd/ais-nmea.log")
    vessel = session.get(AisVessel, 371255000)  # type 5 first, then its type 3 reports
    session.refresh(vessel)
    last = PositionStore(tmp_path).query(
        "SELECT max(ts) AS ts FROM positions WHERE mmsi = 371255000").to_pylist()[0]["ts"]
    assert vessel.last_seen == max(last, vessel.last_static_at)
    assert vessel.first_seen <= vessel.last_static_at


def test_live_batch_survives_a_database_failure(tmp_path, nmea_dir):
    def broken_factory():
        raise RuntimeError("database is down")

    written = []
    ingestor = Ingestor(PositionStore(tmp_path), broken_factory)
    ingestor.add_listener(written.append)
    for line in (nmea_dir / "kystverket/cvagner_norwegian.raw").read_text().splitlines():
        ingestor.feed_line(line)
    ingestor.close()
    assert sum(t.num_rows for t in written) == ingestor.stats.positions == 146
