"""Where lines come from: files (plain or gzip), a TCP client, a UDP listener.

Shore stations and aggregators serve NMEA over a plain TCP stream; the client reconnects
with exponential backoff for as long as it runs. Both network sources call
``on_line(line, arrived, source)`` from their own thread, the signature of
:meth:`jinghai.ais.ingest.Ingestor.feed_line`.
"""

from __future__ import annotations

import gzip
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)

OnLine = Callable[[str, float, str], None]


def iter_file_lines(path: Path | str) -> Iterator[str]:
    """Lines of a recording, gunzipped when it is gzip (by magic, not by name)."""
    path = Path(path)
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(path, "rt", encoding="latin-1", newline="") as fh:
        for line in fh:
            yield line.rstrip("\r\n")


def _host_port(url: str, scheme: str) -> tuple[str, int]:
    parsed = urlparse(url)
    if parsed.scheme != scheme or not parsed.hostname or parsed.port is None:
        raise ValueError(f"expected {scheme}://HOST:PORT, got {url!r}")
    return parsed.hostname, parsed.port


class _Thread:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=type(self).__name__, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class TcpSource(_Thread):
    """Reads lines from ``tcp://host:port``; reconnects with backoff (``backoff`` doubling
    up to ``max_backoff`` seconds) after a refused or lost connection."""

    def __init__(self, url: str, on_line: OnLine, *, name: str = "", backoff: float = 0.5,
                 max_backoff: float = 30.0, timeout: float = 1.0) -> None:
        super().__init__()
        self.host, self.port = _host_port(url, "tcp")
        self.on_line = on_line
        self.name = name or f"{self.host}:{self.port}"
        self.backoff, self.max_backoff, self.timeout = backoff, max_backoff, timeout
        self.connections = 0
        self.lines = 0

    def run(self) -> None:
        delay = self.backoff
        while not self._stop.is_set():
            try:
                with socket.create_connection((self.host, self.port), timeout=self.timeout) as s:
                    self.connections += 1
                    delay = self.backoff
                    log.info("AIS feed %s connected", self.name)
                    self._read(s)
            except OSError as exc:
                log.warning("AIS feed %s: %s; retrying in %.1fs", self.name, exc, delay)
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self.max_backoff)

    def _read(self, s: socket.socket) -> None:
        s.settimeout(self.timeout)
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return  # closed by the server: reconnect
            buf += chunk
            *lines, buf = buf.split(b"\n")
            now = time.time()
            for raw in lines:
                self.lines += 1
                self._deliver(raw.decode("latin-1").rstrip("\r"), now)
            if len(buf) > 1_000_000:  # a peer sending no newlines
                buf = b""

    def _deliver(self, line: str, now: float) -> None:
        try:
            self.on_line(line, now, self.name)
        except Exception:  # the consumer's failure must not kill the feed
            log.exception("AIS feed %s: consumer failed", self.name)


class UdpSource(TcpSource):
    """Listens on ``udp://host:port``; each datagram holds one or more lines."""

    def __init__(self, url: str, on_line: OnLine, *, name: str = "",
                 timeout: float = 0.5) -> None:
        _Thread.__init__(self)
        self.host, self.port = _host_port(url, "udp")
        self.on_line = on_line
        self.name = name or f"udp:{self.port}"
        self.timeout = timeout
        self.lines = 0
        self.ready = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.host, self.port))
        self.port = self.sock.getsockname()[1]

    def run(self) -> None:
        self.sock.settimeout(self.timeout)
        self.ready.set()
        try:
            while not self._stop.is_set():
                try:
                    data, _ = self.sock.recvfrom(65535)
                except TimeoutError:
                    continue
                except OSError:
                    return
                now = time.time()
                for raw in data.split(b"\n"):
                    if raw.strip():
                        self.lines += 1
                        self._deliver(raw.decode("latin-1").rstrip("\r"), now)
        finally:
            self.sock.close()


def make_source(url: str, on_line: OnLine, name: str = "") -> TcpSource:
    """A source for ``tcp://`` or ``udp://`` URLs."""
    if url.startswith("udp://"):
        return UdpSource(url, on_line, name=name)
    return TcpSource(url, on_line, name=name)
