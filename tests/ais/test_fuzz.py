"""100,000 mutated real sentences thrown at parsing, decoding and ingest: nothing raises,
and every line is accounted for - stored, duplicate, other, ignored or quarantined - with
the counts matching the store and the quarantine table."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from jinghai.ais.ingest import Ingestor, decode_stream
from jinghai.ais.models import AisQuarantine
from jinghai.ais.nmea import checksum
from jinghai.ais.store import PositionStore

N = 100_000
NOISE = [chr(c) for c in range(256) if chr(c) not in "\r\n"]




def _refix(line: str) -> str:
    """Recompute a sentence's checksum so a mutated payload reaches the decoders."""
    start, star = line.find("!"), line.rfind("*")
    if start < 0 or star <= start:
        return line
    return f"{line[:star]}*{checksum(line[start + 1:star]):02X}{line[star + 3:]}"


def mutate(rng: random.Random, line: str, other: str) -> str:
    op = rng.randrange(9)
    pos = rng.randrange(len(line) + 1)
    if op == 0:  # flip one character
        return line[:pos] + rng.choice(NOISE) + line[pos + 1:]
    if op == 1:  # truncate
        return line[:pos]
    if op == 2:  # insert noise
        return line[:pos] + "".join(rng.choices(NOISE, k=rng.randint(1, 8))) + line[pos:]
    if op == 3:  # delete a span
        return line[:pos] + line[pos + rng.randint(1, 10):]
    if op == 4:  # payload change with a valid checksum: decoders see garbage
        return _refix(line[:pos] + rng.choice("0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw,*\\!") + line[pos + 1:])
    if op == 5:  # two lines run together
        return line[:pos] + other[rng.randrange(len(other) + 1):]
    if op == 6:  # the line as recorded
        return line
    if op == 7:  # repeated (a second receiver)
        return line + line[: rng.randrange(len(line) + 1)]
    return _refix(line[:pos] + line[pos + 1:])  # a dropped character, checksum fixed


def _corpus(recordings) -> list[str]:
    lines = []
    for path in recordings:
        lines += [ln for ln in path.read_bytes().decode("latin-1").splitlines() if ln.strip()]
    return lines


def test_fuzzed_sentences_never_crash_and_always_add_up(session, session_factory, tmp_path,
                                                        recordings):
    rng = random.Random(20261129)
    corpus = _corpus(recordings)
    lines = [mutate(rng, rng.choice(corpus), rng.choice(corpus)) for _ in range(N)]
    path = tmp_path / "fuzz.nmea"
    path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")

    # decoding alone (no store) goes through everything without raising
    results = list(decode_stream(lines))
    assert results

    store = PositionStore(tmp_path / "store")
    ingestor = Ingestor(store, session_factory, batch_rows=7_000)
    stats = ingestor.ingest_file(path)
    assert stats.lines == N
    assert stats.balanced()
    assert stats.sentences >= stats.lines - stats.ignored  # each non-ignored line counted
    stored = store.query("SELECT count(*) AS n FROM positions").to_pylist()[0]["n"]
    assert stored == stats.positions > 1_000
    rows = session.scalar(select(func.count()).select_from(AisQuarantine))
    assert rows == sum(stats.quarantined.values()) > 10_000
    bad = store.query("SELECT count(*) AS n FROM positions WHERE mmsi <= 0 OR abs(lat) > 90 "
                      "OR abs(lon) > 180 OR sog > 102.2 OR cog >= 360 OR heading > 511")
    assert bad.to_pylist() == [{"n": 0}]

    # the same lines one by one (the live path) count the same
    one_by_one = Ingestor(PositionStore(tmp_path / "live"))
    for line in lines:
        one_by_one.feed_line(line, arrived=0.0)
    one_by_one.close()
    assert one_by_one.stats.lines == N and one_by_one.stats.balanced()
