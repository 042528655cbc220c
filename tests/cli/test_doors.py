"""The commands that replaced module ``main``s: ``jinghai ais simulate`` serves the demo
feed on TCP, ``jinghai zones build-demo`` writes the demo geography."""

from __future__ import annotations

import json
import socket
import threading
import time

from pyais import decode
from typer.testing import CliRunner

from jinghai.cli.main import app

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ais_simulate_serves_tag_blocked_nmea_over_tcp() -> None:
    port = _free_port()
    lines: list[str] = []

    def client() -> None:
        deadline = time.monotonic() + 60  # the simulation takes a while to build
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    buf = b""
                    while buf.count(b"\n") < 20:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        buf += chunk
                    lines.extend(buf.decode("ascii").splitlines()[:20])
                    return
            except OSError:
                time.sleep(0.1)

    reader = threading.Thread(target=client)
    reader.start()
    result = runner.invoke(app, ["ais", "simulate", "--port", str(port), "--seconds", "4"])
    reader.join()
    assert result.exit_code == 0, result.output
    assert f"tcp://127.0.0.1:{port}" in result.output
    assert len(lines) == 20
    assert all(line.startswith("\\s:") for line in lines)
    single = next(line.rsplit("\\", 1)[-1] for line in lines if "VDM,1,1," in line)
    assert decode(single).mmsi > 0


def test_zones_build_demo_writes_the_demo_geography(tmp_path) -> None:
    out = tmp_path / "demo.geojson"
    result = runner.invoke(app, ["zones", "build-demo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert data["type"] == "FeatureCollection"
    assert "landing_point" in kinds
