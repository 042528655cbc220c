"""Framing: checksums, tag blocks, $PGHP, USCG suffixes, leading timestamps, multi-part
assembly across channels and sources, and what becomes a reject."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from jinghai.ais.nmea import (
    Assembler,
    LineParser,
    Message,
    Reject,
    Sentence,
    checksum,
    iter_messages,
    parse_timestamp,
)
from jinghai.ais.quarantine import Reason
from jinghai.ais.sources import iter_file_lines

GOOD = "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"


def _ts(*args) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_checksum_is_checked():
    parser = LineParser()
    [s] = parser.parse(GOOD)
    assert isinstance(s, Sentence) and s.payload == "13HOI:0P0000VOHLCnHQKwvL05Ip"
    [bad] = parser.parse(GOOD.replace("*23", "*24"))
    assert bad.reason == Reason.BAD_CHECKSUM
    [cut] = parser.parse(GOOD[:30])
    assert cut.reason == Reason.TRUNCATED
    assert checksum("AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0") == 0x23


def test_tag_block_gives_receiver_time_and_source(nmea_dir):
    line = (nmea_dir / "kystverket/cvagner_norwegian.raw").read_text().splitlines()[0]
    [s] = LineParser().parse(line)
    assert (s.ts, s.source) == (1733782034.0, "2573238")


def test_tag_block_with_wrong_checksum_is_not_trusted():
    parser = LineParser()
    [s] = parser.parse("\\s:rEV02,c:1334337317*00\\" + GOOD)
    assert (s.ts, s.source) == (None, "")
    assert parser.tag_blocks_ignored == 1


def test_pghp_time_applies_to_the_next_sentence_only(nmea_dir):
    lines = (nmea_dir / "pyais/gatehouse.nmea").read_text().splitlines()
    msgs = [m for m in iter_messages(lines) if isinstance(m, Message)]
    assert msgs[0].ts == _ts(2008, 5, 9, 0, 0, 0, 10_000)  # ...,0,0,0,10 = 10 ms
    assert msgs[1].ts is None  # no $PGHP before the second sentence


def test_uscg_suffix_gives_station_and_epoch(nmea_dir):
    lines = (nmea_dir / "libais/test.aivdm").read_text().splitlines()
    first = next(m for m in iter_messages(lines) if isinstance(m, Message))
    assert (first.source, first.ts) == ("b003669794", 1272412827.0)


def test_millisecond_epoch_after_checksum(nmea_dir):
    parser = LineParser()
    [s] = parser.parse("!AIVDM,1,1,,B,IFICEMae<`HfcEV4M8aEWM<2VH1j6?;6<t9>,0*51,1327992119173")
    assert s.ts == 1327992119.173


def test_leading_timestamps_as_recorders_write_them():
    parser = LineParser()
    for prefix, expected in [("2024-05-01 12:00:00.250 ", _ts(2024, 5, 1, 12, 0, 0, 250000)),
                             ("2024-05-01T12:00:00Z,", _ts(2024, 5, 1, 12)),
                             ("2024-05-01T20:00:00+08:00 ", _ts(2024, 5, 1, 12)),
                             ("1714564800.5 ", 1714564800.5),
                             ("[1714564800000] ", 1714564800.0)]:
        [s] = parser.parse(prefix + GOOD)
        assert s.ts == expected, prefix
    [r] = parser.parse("yesterday " + GOOD)
    assert r.reason == Reason.MALFORMED
    assert parse_timestamp("not a time") is None


def test_vendor_extra_field_is_tolerated(nmea_dir):
    line = (nmea_dir / "signalk/gofree-merrimac.log").read_text().splitlines()
    first = next(x for x in line if x.startswith("!AIVDM"))
    [s] = LineParser().parse(first)
    assert isinstance(s, Sentence) and s.payload.startswith("13")


def test_two_tagged_sentences_on_one_line_assemble(nmea_dir):
    line = (nmea_dir / "gfw_ais_tools/spire-test.nmea").read_text().splitlines()[0]
    msgs = [m for m in iter_messages([line]) if isinstance(m, Message)]
    assert len(msgs) == 1 and msgs[0].payload.startswith("502CuBh") and len(msgs[0].raws) == 2


def test_non_ais_lines_are_ignored_and_garbage_is_malformed():
    parser = LineParser()
    for line in ["", "   ", "# comment", "$GPGGA,184353.07,1929.045,S,02410.506,E,1,04*6D",
                 ",1541030400", "!GPGSV,1,1,00*79"]:
        assert parser.parse(line) == [], line
    [r] = parser.parse("53l3sj42A590=5Q2220UHE:04=@Ttr222222221@9HH>46ii0=D532Dp")
    assert r.reason == Reason.MALFORMED
    [e] = parser.parse("!AIVDM,1,1,,B,,0*25")
    assert e.reason == Reason.EMPTY_PAYLOAD


def _frag(channel, seq, n, payload, source="", total=2):
    return Sentence(total, n, seq, channel, payload, 0, None, source, f"{channel}{seq}{n}",
                    link=source)


def test_fragments_interleaved_across_channels_and_sources():
    asm = Assembler()
    events = [asm.add(_frag("A", "1", 1, "5a"), 0), asm.add(_frag("B", "1", 1, "5b"), 1),
              asm.add(_frag("A", "1", 1, "5c", source="r2"), 2),
              asm.add(_frag("B", "1", 2, "B2"), 3), asm.add(_frag("A", "1", 2, "A2"), 4),
              asm.add(_frag("A", "1", 2, "C2", source="r2"), 5)]
    payloads = [m.payload for m, _ in events if m is not None]
    assert payloads == ["5bB2", "5aA2", "5cC2"]
    assert all(orphans == [] for _, orphans in events)


def test_orphans_missing_first_part_repeated_part_and_stale(nmea_dir):
    lines = (nmea_dir / "dma_aislib/retry_example.txt").read_text().splitlines()
    out = list(iter_messages(lines))
    orphans = [r for r in out if isinstance(r, Reject)]
    assert [r.reason for r in orphans] == [Reason.ORPHAN_FRAGMENT] * 2
    asm = Assembler(max_gap=10)
    asm.add(_frag("A", "3", 1, "5a"), 0)
    _, expired = asm.add(_frag("A", "1", 1, "1x", total=1), 200)
    assert expired == [("A31", 0)]


def test_gzip_files_are_read_by_content(tmp_path, nmea_dir):
    src = nmea_dir / "pyais/messages.ais"
    target = tmp_path / "messages.nmea"  # no .gz suffix on purpose
    target.write_bytes(gzip.compress(src.read_bytes()))
    assert list(iter_file_lines(target)) == src.read_text().splitlines()


def test_literal_crlf_text_splits_into_sentences(nmea_dir):
    line = next(x for x in (nmea_dir / "dma_aislib/ais250.txt").read_text().splitlines()
                if "\\r\\n" in x)
    msgs = [m for m in iter_messages([line]) if isinstance(m, Message)]
    assert len(msgs) == 1 and len(msgs[0].raws) == 2


def test_tag_block_groups_join_fragments_around_other_sentences(nmea_dir):
    # libais tagblock.nmea: part 1 of group 1604, a single sentence, then part 2
    lines = (nmea_dir / "libais/tagblock.nmea").read_text().splitlines()
    msgs = [m for m in iter_messages(lines) if isinstance(m, Message)]
    joined = [m for m in msgs if len(m.raws) == 2]
    assert len(joined) == 1 and joined[0].payload.startswith("53@o0E")
    assert (joined[0].source, joined[0].ts) == ("rORBCOMM008", 1418169601.0)
    assert (joined[0].first_line, joined[0].last_line) == (0, 2)
