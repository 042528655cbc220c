"""AIS ingest throughput beside a plain pyais decode loop, in one run, on the same file.

    .venv/bin/python benchmarks/bench_ais_ingest.py [--sentences 1000000] [--keep DIR]

Builds (in a temp dir) a file of real recordings from shared/data/nmea repeated with shifted
receiver times: every sentence gets an IEC 62320 tag block ``\\s:rxN,c:epoch*hh\\`` (as an
aggregator serves them), copies 10 minutes apart so the de-dup window keeps each copy.
Then, each phase in its own process (so peak memory is per phase):

1. plain pyais loop: ``for line in file: pyais.decode(line)`` (errors caught and counted);
2. pyais stream: ``for msg in pyais.FileReaderStream(file): msg.decode()`` (assembles
   multi-part messages, the fairer baseline for a whole file);
3. full ingest: ``Ingestor.ingest_file`` - file to de-duplicated Parquet positions in the
   store (checksums, tag blocks, assembly, de-dup, static decoding, Parquet writes), as
   ``jinghai ais ingest`` runs it: position reports through ``fastpath.decode_buffer``;
   and the same with ``Ingestor(fast=False)``, every line through the line parser and
   pyais (the path the fast one is tested against; it stores the same rows);
4. fast path on the position reports (types 1-3, 18): framing + vectorised decode, vs
   ``pyais.decode(line)`` on the same lines.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("JINGHAI_SHARED_DATA", ROOT / ".." / "shared" / "data")) / "nmea"
SKIP = ("LICENSE", ".chk", ".json", ".md")


def _base_sentences() -> list[str]:
    """Every sentence line of every recording, without its tag block or framing noise."""
    out = []
    for path in sorted(DATA.glob("*/*")):
        if any(s in path.name for s in SKIP):
            continue
        for line in path.read_bytes().decode("latin-1").splitlines():
            line = line.strip()
            if "\\" in line:
                line = line.rsplit("\\", 1)[-1]
            if line.startswith("!") and line[3:6] in ("VDM", "VDO"):
                out.append(line)
    return out


def build(path: Path, sentences: int) -> int:
    from jinghai.ais.nmea import checksum

    base = _base_sentences()
    t0 = 1_764_000_000
    n = 0
    with open(path, "w") as fh:
        copy = 0
        while n < sentences:
            for i, line in enumerate(base):
                tag = f"s:rx{copy % 7},c:{t0 + copy * 600 + i // 100}"
                fh.write(f"\\{tag}*{checksum(tag):02X}\\{line}\n")
                n += 1
                if n >= sentences:
                    break
            copy += 1
    return n


class Clock:
    """CPU seconds of this process (robust on a shared machine) and wall seconds."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def stop(self) -> tuple[float, float]:
        return time.process_time() - self.cpu, time.perf_counter() - self.wall


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rates(n: int, clock: Clock) -> dict:
    cpu, wall = clock.stop()
    return {"cpu_s": cpu, "wall_s": wall, "rate": n / cpu, "wall_rate": n / wall}


def phase(name: str, path: Path) -> dict:
    lines = path.read_text(encoding="latin-1").splitlines() if name != "ingest" else None
    if name == "pyais_loop":
        import pyais

        errors = 0
        clock = Clock()
        for line in lines:
            try:
                pyais.decode(line)
            except Exception:  # noqa: BLE001 - fragments, bad checksums, bad payloads
                errors += 1
        return {**_rates(len(lines), clock), "errors": errors}
    if name == "pyais_stream":
        from pyais.stream import FileReaderStream

        decoded = errors = 0
        clock = Clock()
        with FileReaderStream(str(path)) as stream:
            for msg in stream:
                try:
                    msg.decode()
                    decoded += 1
                except Exception:  # noqa: BLE001
                    errors += 1
        return {**_rates(len(lines), clock), "messages": decoded, "errors": errors}
    if name in ("ingest", "ingest_pyais"):
        from jinghai.ais.ingest import Ingestor
        from jinghai.ais.store import PositionStore

        with open(path, "rb") as fh:
            n = sum(1 for _ in fh)
        with tempfile.TemporaryDirectory() as store_dir:
            ingestor = Ingestor(PositionStore(store_dir), fast=name == "ingest")
            clock = Clock()
            stats = ingestor.ingest_file(path)
            result = _rates(n, clock)
            rows = PositionStore(store_dir).query("SELECT count(*) AS n FROM positions")
        return {**result, "positions": stats.positions,
                "stored_rows": rows.to_pylist()[0]["n"], "outcomes": dict(stats.outcomes)}
    if name == "fastpath":
        import pyais

        from jinghai.ais import fastpath
        from jinghai.ais.nmea import LineParser

        pos = [ln for ln in lines if ",1,1," in ln and ln.rsplit("\\", 1)[-1].split(",")[5][:1]
               in fastpath.FAST_FIRST_CHARS]
        clock = Clock()
        parser = LineParser()
        payloads = []
        for i in range(0, len(pos), 8192):  # the chunk size the ingestor reads files in
            payloads += [p for p in fastpath.frame_chunk(pos[i:i + 8192], parser._tag)[0]
                         if p is not None]
        cols = fastpath.decode_positions(payloads)
        framed = _rates(len(pos), clock)
        clock = Clock()
        cols_only = fastpath.decode_positions(payloads)
        decoded = _rates(len(payloads), clock)
        clock = Clock()
        for line in pos:
            try:
                pyais.decode(line)
            except Exception:  # noqa: BLE001, S110 - same lines, same failures as above
                pass
        py = _rates(len(pos), clock)
        assert len(cols["mmsi"]) == len(cols_only["mmsi"]) == len(payloads)
        return {"lines": len(pos), "rate_framing_and_decode": framed["rate"],
                "rate_decode_only": decoded["rate"], "pyais_rate": py["rate"],
                "wall": {"framing_and_decode": framed["wall_rate"],
                         "decode_only": decoded["wall_rate"], "pyais": py["wall_rate"]}}
    raise SystemExit(f"unknown phase {name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--phase", default=None)
    ap.add_argument("--file", type=Path, default=None)
    args = ap.parse_args()
    if args.phase:
        result = phase(args.phase, args.file)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "bench.nmea"
        path.parent.mkdir(parents=True, exist_ok=True)
        n = build(path, args.sentences)
        print(f"file: {n:,} sentences, {path.stat().st_size / 1e6:.1f} MB "
              "(rates per CPU second of each phase's process; wall-clock rates in brackets)")
        results = {}
        for name in ("pyais_loop", "pyais_stream", "ingest", "ingest_pyais", "fastpath"):
            out = subprocess.run([sys.executable, __file__, "--phase", name, "--file", str(path)],
                                 capture_output=True, text=True, check=True)
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        loop, stream = results["pyais_loop"], results["pyais_stream"]
        ing, fast = results["ingest"], results["fastpath"]
        print(f"plain pyais loop     {loop['rate']:>12,.0f} sentences/s [{loop['wall_rate']:,.0f}]"
              f"  ({loop['errors']:,} raised)  peak {loop['peak_mb']:.0f} MB")
        print(f"pyais stream         {stream['rate']:>12,.0f} sentences/s "
              f"[{stream['wall_rate']:,.0f}]  ({stream['messages']:,} messages)  "
              f"peak {stream['peak_mb']:.0f} MB")
        slow = results["ingest_pyais"]
        print(f"full ingest          {ing['rate']:>12,.0f} sentences/s [{ing['wall_rate']:,.0f}]"
              f"  ({ing['positions']:,} positions stored)  peak {ing['peak_mb']:.0f} MB")
        print(f"full ingest, pyais   {slow['rate']:>12,.0f} sentences/s "
              f"[{slow['wall_rate']:,.0f}]  ({slow['positions']:,} positions stored)  "
              f"peak {slow['peak_mb']:.0f} MB")
        print(f"fast path (frame+decode, {fast['lines']:,} position lines) "
              f"{fast['rate_framing_and_decode']:>12,.0f} /s; decode only "
              f"{fast['rate_decode_only']:,.0f} /s; pyais.decode on the same lines "
              f"{fast['pyais_rate']:,.0f} /s  peak {fast['peak_mb']:.0f} MB  wall {fast['wall']}")
        print(f"ratio full ingest / plain pyais loop  {ing['rate'] / loop['rate']:.2f}x")
        print(f"ratio full ingest, fast path / pyais path (Ingestor(fast=False))  "
              f"{ing['rate'] / slow['rate']:.2f}x")
        print(f"ratio full ingest / pyais stream      {ing['rate'] / stream['rate']:.2f}x")
        print(f"ratio fast path (frame+decode) / plain pyais loop over the file  "
              f"{fast['rate_framing_and_decode'] / loop['rate']:.2f}x")
        print(f"ratio fast path (frame+decode) / pyais.decode  "
              f"{fast['rate_framing_and_decode'] / fast['pyais_rate']:.2f}x")
        print(f"ratio fast path (decode only) / pyais.decode   "
              f"{fast['rate_decode_only'] / fast['pyais_rate']:.2f}x")
        print(f"outcomes: {ing['outcomes']}")


if __name__ == "__main__":
    main()
