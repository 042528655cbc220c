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


def _buffer_vs_pyais(lines: list[str]):
    """decode_buffer on the joined lines; every decoded line checked against the line
    parser (time, source, one whole sentence) and pyais (the fields)."""
    import pyais

    from jinghai.ais.nmea import LineParser, Sentence, checksum

    blob = ("\n".join(lines) + "\n").encode("latin-1")
    got = fastpath.decode_buffer(blob)
    parser = LineParser()
    mismatches = []
    for k, j in enumerate(got["line"].tolist()):
        items = parser.parse(lines[j])
        # every line it takes is one whole single-part VDM sentence for the line parser,
        # with the same time and source
        assert len(items) == 1 and isinstance(items[0], Sentence), lines[j]
        ref = items[0]
        assert (ref.total, ref.own) == (1, False), lines[j]
        assert (np.isnan(got["ts"][k]) if ref.ts is None else got["ts"][k] == ref.ts), lines[j]
        assert (got["sources"][got["source"][k]] if got["source"][k] >= 0 else "") == \
            ref.source, lines[j]
        body = f"AIVDM,1,1,,A,{ref.payload},{ref.fill}"
        msg = pyais.decode(f"!{body}*{checksum(body):02X}").asdict()
        expected = {
            "msg_type": msg["msg_type"], "mmsi": msg["mmsi"], "lon": msg["lon"],
            "lat": msg["lat"], "heading": msg["heading"] if msg["heading"] < 360 else 511,
            "nav_status": 15 if msg["msg_type"] == 18 else msg["status"],
        }
        for name, want in expected.items():
            if got[name][k] != want:
                mismatches.append((lines[j], name, want, got[name][k]))
        for name, field, na in (("sog", "speed", 102.3), ("cog", "course", 360.0)):
            want = msg[field]
            value = got[name][k]
            if want >= na:
                ok = np.isnan(value)
            else:
                ok = value == np.float32(want)
            if not ok:
                mismatches.append((lines[j], name, want, value))
    return got, mismatches


def test_buffer_decode_equals_pyais_on_every_recording(recordings):
    """The whole-buffer path: every position report it decodes in every real recording has
    pyais' fields (msg type, MMSI, lon/lat to 1e-6, speed, course, heading, status) and the
    line framing's time and source; what it leaves is listed for the line parser."""
    total = 0
    for path in recordings:
        lines = path.read_bytes().decode("latin-1").splitlines()
        got, mismatches = _buffer_vs_pyais(lines)
        assert mismatches == [], path
        decoded = set(got["line"].tolist())
        assert decoded.isdisjoint(got["rest"].tolist())
        assert decoded | set(got["rest"].tolist()) == {i for i, ln in enumerate(lines) if ln}
        total += len(decoded)
    assert total > 8_000


def test_buffer_decode_leaves_damaged_lines_to_the_parser(recordings):
    """A damaged copy of a position line (checksum, payload byte, fill, CRLF, suffix naming
    a station) is never decoded with wrong fields: it is decoded correctly or left."""
    import random

    lines = []
    for path in recordings:
        lines += [ln for ln in path.read_bytes().decode("latin-1").splitlines() if ",1,1," in ln]
    rng = random.Random(11)
    damaged = []
    for _ in range(5_000):
        line = rng.choice(lines)
        pos = rng.randrange(len(line) + 1)
        damaged.append(line[:pos] + chr(rng.randrange(33, 127)) + line[pos + 1:])
    got, mismatches = _buffer_vs_pyais(damaged)
    assert mismatches == []
    assert 0 < len(got["line"]) < len(damaged)
    # CRLF lines decode like LF lines
    sample = [ln.split("*")[0] + "*" + ln.split("*")[1][:2] for ln in lines
              if ln.startswith("!") and "*" in ln][:300]
    lf = fastpath.decode_buffer(("\n".join(sample) + "\n").encode())
    crlf = fastpath.decode_buffer(("\r\n".join(sample) + "\r\n").encode())
    assert len(lf["line"]) > 100
    assert lf["mmsi"].tolist() == crlf["mmsi"].tolist()
    # fields after the checksum naming a station (USCG/NAIS): the station is the source,
    # as for the line parser; two candidate fields, or an odd one, are left to it
    tagged = "\\s:x,c:1764000000*40\\" + sample[lf["line"][0]]
    variants = [tagged, tagged + ",r003669946", tagged + ",d-080,S2118,b0036,1325394060",
                tagged + ",r003669946,b003669947", tagged + ",rx1", tagged + ",r00366994é",
                tagged + ",r" + "1" * 30]
    got, mismatches = _buffer_vs_pyais(variants)
    assert mismatches == []
    assert got["line"].tolist() == [0, 1, 2, 4]
    assert [got["sources"][i] for i in got["source"]] == ["x", "r003669946", "b0036", "x"]
    assert got["rest"].tolist() == [3, 5, 6]


def _ingest(path, store_dir, **kw):
    from jinghai.ais.ingest import Ingestor
    from jinghai.ais.store import PositionStore

    ingestor = Ingestor(PositionStore(store_dir), **kw)
    stats = ingestor.ingest_file(path)
    rows = PositionStore(store_dir).query(
        "SELECT * FROM positions ORDER BY ts, mmsi, lon, lat, sog, cog, heading, nav_status,"
        " msg_type, receivers")
    counts = stats.as_dict()
    counts["outcomes"] = {k: v for k, v in counts["outcomes"].items() if v}  # +0 leaves a key
    return counts, rows.to_pylist()


def _tagged_copies(recordings, path, copies: int = 3) -> None:
    """The recordings' sentences behind tag blocks, as an aggregator serves them: each copy
    heard by another receiver a few seconds later (de-dup merges the receivers), one
    copy shifted past the de-dup window (stored again)."""
    from jinghai.ais.nmea import checksum

    base = []
    for rec in recordings:
        for line in rec.read_bytes().decode("latin-1").splitlines():
            line = line.strip().rsplit("\\", 1)[-1]
            if line.startswith("!") and line[3:6] in ("VDM", "VDO"):
                base.append(line)
    with open(path, "w", encoding="latin-1") as fh:
        for copy in range(copies):
            for i, line in enumerate(base):
                tag = f"s:rx{copy},c:{1_764_000_000 + (copy // 2) * 600 + copy + i // 100}"
                fh.write(f"\\{tag}*{checksum(tag):02X}\\{line}\n")


def test_ingest_through_the_fast_path_stores_what_pyais_stores(recordings, tmp_path):
    """An ingest whose position reports go through ``decode_buffer`` (the default) stores
    exactly the rows, and counts exactly the outcomes, of an ingest where every line goes
    through the line parser and every message through pyais: on every real recording as
    it is, and on all of them behind tag blocks from several receivers; with small batches
    too (a batch boundary falls inside a chunk of lines)."""
    tagged = tmp_path / "tagged.nmea"
    _tagged_copies(recordings, tagged)
    decoded_fast = 0
    for i, path in enumerate([*recordings, tagged]):
        fast = _ingest(path, tmp_path / f"fast-{i}", batch_rows=10**6)
        slow = _ingest(path, tmp_path / f"slow-{i}", batch_rows=10**6, fast=False)
        assert fast[0] == slow[0], path
        assert fast[1] == slow[1], path
        decoded_fast += fast[0]["positions"]
    assert decoded_fast > 30_000
    # receivers of the copies were merged onto the stored rows
    assert any(row["receivers"] == "rx0,rx1" for row in fast[1])
    # Small batches: the same counts and positions. (Which receivers a row lists may
    # differ: a copy arriving after its first copy's batch was written cannot join it, and
    # the pyais path drops a "no position" report before it counts towards a batch.)
    fast = _ingest(tagged, tmp_path / "fast-small", batch_rows=997)
    slow = _ingest(tagged, tmp_path / "slow-small", batch_rows=997, fast=False)
    assert fast[0] == slow[0]
    assert [{**r, "receivers": None} for r in fast[1]] == \
        [{**r, "receivers": None} for r in slow[1]]
