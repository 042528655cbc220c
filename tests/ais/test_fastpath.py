"""The vectorised position decoder gives pyais' fields, value for value, on every position
report (types 1, 2, 3, 18) in every real recording."""

from __future__ import annotations

import numpy as np
from pyais.bit_vector import bit_vector
from pyais.messages import MSG_CLASS

from jinghai.ais import fastpath
from jinghai.ais.nmea import Message, iter_messages


def _position_payloads(recordings):
    out = []
    for path in recordings:
        lines = path.read_text(encoding="latin-1").splitlines()
        for m in iter_messages(lines):
            if isinstance(m, Message) and m.payload[0] in fastpath.FAST_FIRST_CHARS \
                    and len(m.payload) * 6 - m.fill >= 168:
                out.append((m.payload, m.fill))
    return out


def test_every_field_equals_pyais_on_all_recordings(recordings):
    payloads = _position_payloads(recordings)
    assert len(payloads) > 15_000
    texts = [p for p, _ in payloads]
    raw_a = fastpath.decode_raw(texts, fastpath.CLASS_A)
    raw_b = fastpath.decode_raw(texts, fastpath.CLASS_B)
    mismatches = []
    for i, (payload, fill) in enumerate(payloads):
        bits = bit_vector(payload.encode(), fill)
        msg_type = bits.get(0, 6)
        expected = MSG_CLASS[msg_type].from_vector(bits).asdict()
        raw = raw_b if msg_type == 18 else raw_a
        for name in raw:
            value = raw[name][i:i + 1]
            if name in ("lon", "lat"):
                value = fastpath.lat_lon(value)
            elif name in ("speed", "course"):
                value = value / 10.0
            elif name == "turn":
                value = fastpath.turn(value)
            if expected[name] != value[0]:
                mismatches.append((payload, name, expected[name], value[0]))
    assert mismatches == []


def test_stored_columns_apply_not_available_codes():
    # gpsd sample.aivdm: speed 102.3 is "n/a", heading 511 "n/a", class B has no status
    cols = fastpath.decode_positions(["15RTgt0PAso;90TKcjM8h6g208CQ", "B52K>;h00Fc>jpUlNV@ikwpUoP06"])
    assert cols["msg_type"].tolist() == [1, 18]
    assert cols["mmsi"].tolist() == [371798000, 338087471]
    assert cols["lon"].tolist() == [-123.395383, -74.072132]
    assert cols["lat"].tolist() == [48.381633, 40.684540]
    assert cols["nav_status"].tolist() == [0, 15]
    assert cols["heading"].tolist() == [215, 511]
    assert np.isclose(cols["sog"][0], 12.3) and np.isclose(cols["sog"][1], 0.1)


def _accepted(result):
    payloads, fills, times, sources = result
    return [(i, p, f, t, s) for i, (p, f, t, s) in enumerate(zip(payloads, fills, times, sources,
                                                                strict=True)) if p is not None]


def test_chunk_framing_equals_line_framing(recordings):
    """The numpy framing accepts exactly the lines the per-line framing accepts, with the
    same payload, fill, tag time and source: on every recording and on damaged lines."""
    import random

    from jinghai.ais.nmea import LineParser

    lines = []
    for path in recordings:
        lines += path.read_bytes().decode("latin-1").splitlines()
    rng = random.Random(7)
    damaged = []
    for _ in range(20_000):
        line = rng.choice(lines)
        pos = rng.randrange(len(line) + 1)
        damaged.append(line[:pos] + chr(rng.randrange(1, 256)).replace("\n", " ") + line[pos + 1:])
    parser = LineParser()
    for chunk in (lines, damaged, lines[:1], ["", "!", "\\"]):
        expected = _accepted(fastpath.frame_simple(chunk, parser._tag))
        assert _accepted(fastpath.frame_chunk(chunk, parser._tag)) == expected
    assert len(_accepted(fastpath.frame_chunk(lines, parser._tag))) > 10_000
