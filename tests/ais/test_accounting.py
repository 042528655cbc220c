"""Issue 10, point 9: every line accounted for, and a file without receiver times gives
the same store however it is batched, run again or resumed after a crash.

The recording is gpsd's ais-nmea-type6-fid55.log (1,487 lines without tag blocks or
$PGHP: no times; 152 two-part messages), mutated by dropping some second parts so that
first parts wait across checkpoints and are given up later."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from jinghai.ais.ingest import Ingestor
from jinghai.ais.models import AisQuarantine
from jinghai.ais.store import PositionStore

QUERY = "SELECT * FROM positions ORDER BY ts, mmsi, lon, lat, receivers"


@pytest.fixture()
def mutated(nmea_dir, tmp_path):
    lines = (nmea_dir / "gpsd/ais-nmea-type6-fid55.log").read_text().splitlines()
    out, dropped = [], 0
    for i, line in enumerate(lines):
        if re.match(r"^!..VDM,2,2,", line) and i % 3 == 0:
            dropped += 1
            continue
        out.append(line)
    assert dropped > 30
    path = tmp_path / "mutated.nmea"
    path.write_text("\n".join(out) + "\n")
    return path


def _quarantined(session, path) -> int:
    return session.scalar(select(func.count(AisQuarantine.id)).where(
        AisQuarantine.origin == str(path.resolve())[-300:]))


def test_first_parts_waiting_at_a_checkpoint_are_counted(session, session_factory, mutated,
                                                         tmp_path):
    ingestor = Ingestor(PositionStore(tmp_path / "s"), session_factory,
                        checkpoint=tmp_path / "ckpt.json", batch_rows=40, fragment_gap=20)
    stats = ingestor.ingest_file(mutated)
    assert stats.outcomes["orphan_fragment"] > 30
    assert sum(stats.outcomes.values()) == stats.sentences
    assert stats.balanced()
    assert _quarantined(session, mutated) == sum(stats.quarantined.values())


def test_a_file_without_times_stores_the_same_however_batched_or_rerun(mutated, tmp_path):
    tables, outcomes = [], []
    for n, rows in enumerate((40, 300, 50_000, 300)):
        ingestor = Ingestor(PositionStore(tmp_path / f"s{n}"), batch_rows=rows)
        outcomes.append(dict(ingestor.ingest_file(mutated).outcomes))
        tables.append(PositionStore(tmp_path / f"s{n}").query(QUERY))
    assert len(tables[0]) > 500
    assert all(t == tables[0] for t in tables)
    assert all(o == outcomes[0] for o in outcomes)


def test_crash_and_resume_equals_one_clean_run(session, session_factory, mutated, tmp_path,
                                               monkeypatch):
    clean = Ingestor(PositionStore(tmp_path / "clean"), batch_rows=40, fragment_gap=20)
    clean_stats = clean.ingest_file(mutated)

    store = PositionStore(tmp_path / "resumed")
    ckpt = tmp_path / "ckpt.json"
    crashing = Ingestor(store, session_factory, checkpoint=ckpt, batch_rows=40,
                        fragment_gap=20)
    calls = {"n": 0}
    real_append = store.append

    def append_then_die(table, part=None):
        calls["n"] += 1
        if calls["n"] == 7:  # the database side of this batch is written, its part is not
            raise OSError("killed")
        return real_append(table, part=part)

    monkeypatch.setattr(store, "append", append_then_die)
    with pytest.raises(OSError):
        crashing.ingest_file(mutated)
    monkeypatch.setattr(store, "append", real_append)

    resumed = Ingestor(PositionStore(tmp_path / "resumed"), session_factory, checkpoint=ckpt,
                       batch_rows=40, fragment_gap=20)
    stats = resumed.ingest_file(mutated)
    assert stats.balanced()
    assert dict(stats.outcomes) == dict(clean_stats.outcomes)
    assert PositionStore(tmp_path / "resumed").query(QUERY) == \
        PositionStore(tmp_path / "clean").query(QUERY)
    assert _quarantined(session, mutated) == sum(stats.quarantined.values())
