"""Network sources against real local sockets: a TCP server replaying a recording (that
drops the client and starts late), and UDP datagrams."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from jinghai.ais.ingest import Ingestor
from jinghai.ais.sources import TcpSource, UdpSource, make_source
from jinghai.ais.store import PositionStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReplayServer(threading.Thread):
    """Serves ``chunks[i]`` to the i-th client, then hangs up on it."""

    def __init__(self, port: int, chunks: list[bytes]) -> None:
        super().__init__(daemon=True)
        self.port, self.chunks = port, chunks
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.served = 0

    def run(self) -> None:
        for chunk in self.chunks:
            conn, _ = self.sock.accept()
            with conn:
                conn.sendall(chunk)
            self.served += 1
        self.sock.close()


def _wait(pred, timeout=15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_tcp_client_reconnects_and_delivers_every_line(tmp_path, nmea_dir):
    lines = (nmea_dir / "kystverket/cvagner_norwegian.raw").read_text().splitlines()
    half = len(lines) // 2
    chunks = ["\n".join(lines[:half]).encode() + b"\n", "\n".join(lines[half:]).encode() + b"\n"]
    port = _free_port()
    ingestor = Ingestor(PositionStore(tmp_path))
    got: list[str] = []

    def on_line(line, arrived, source):
        got.append(line)
        ingestor.feed_line(line, arrived, source)

    source = TcpSource(f"tcp://127.0.0.1:{port}", on_line, backoff=0.05, max_backoff=0.2)
    source.start()  # nothing listens yet: the client must keep retrying
    time.sleep(0.3)
    assert source.connections == 0
    server = ReplayServer(port, chunks)
    server.start()
    try:
        assert _wait(lambda: len(got) == len(lines)), (len(got), len(lines))
    finally:
        source.stop()
    assert got == lines
    assert source.connections >= 2 and server.served == 2
    ingestor.close()
    assert ingestor.stats.lines == len(lines) and ingestor.stats.balanced()
    assert ingestor.stats.positions > 100
    receivers = set(PositionStore(tmp_path).query(
        "SELECT DISTINCT receivers FROM positions")["receivers"].to_pylist())
    assert "2573238" in receivers  # tag-block station ids, not the feed name


def test_udp_listener_receives_datagrams(tmp_path, nmea_dir):
    lines = (nmea_dir / "pyais/nmea_data_sample.txt").read_text().splitlines()[:200]
    ingestor = Ingestor(PositionStore(tmp_path), max_delay=0.0)
    written = []
    ingestor.add_listener(written.append)
    source = make_source("udp://127.0.0.1:0", ingestor.feed_line, name="udp-test")
    assert isinstance(source, UdpSource)
    source.start()
    assert source.ready.wait(5)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
        for i in range(0, len(lines), 10):  # ten sentences a datagram
            out.sendto("\r\n".join(lines[i:i + 10]).encode(), ("127.0.0.1", source.port))
    try:
        assert _wait(lambda: source.lines == len(lines))
    finally:
        source.stop()
    ingestor.close()
    assert ingestor.stats.lines == len(lines) and ingestor.stats.balanced()
    assert sum(t.num_rows for t in written) == ingestor.stats.positions > 100
    assert set(written[0]["receivers"].to_pylist()) == {"udp-test"}


def test_bad_urls_are_refused():
    with pytest.raises(ValueError):
        TcpSource("http://example.org", lambda *a: None)
