"""``jinghai ais ingest`` and ``jinghai ais quarantine`` as a user runs them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from jinghai.cli.main import app


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ingest_prints_counts_and_quarantine_lists_reasons(backend, tmp_path, nmea_dir,
                                                           fresh_database_url, monkeypatch):
    monkeypatch.setenv("JINGHAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JINGHAI_DATABASE_URL", fresh_database_url(backend))
    runner = CliRunner()
    files = [str(nmea_dir / "knapply_maritime/20181101.log"),
             str(nmea_dir / "pyais/nmea_data_sample.txt")]
    result = runner.invoke(app, ["ais", "ingest", *files])
    assert result.exit_code == 0, result.output
    assert "positions stored" in result.output
    assert "quarantined: unsupported_type" in result.output
    assert "quarantined: empty_payload" in result.output
    assert (tmp_path / "ais" / "checkpoint.json").exists()
    assert list((tmp_path / "ais" / "positions").glob("day=*/part-*.parquet"))

    result = runner.invoke(app, ["ais", "quarantine", "--reason", "empty_payload",
                                 "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "empty_payload" in result.output and "空报文" in result.output
    assert "!AIVDM,1,1,,B,,0*25" in result.output

    # a second run of the same files is a no-op thanks to the checkpoint
    before = sorted(p.name for p in (tmp_path / "ais").rglob("part-*.parquet"))
    result = runner.invoke(app, ["ais", "ingest", *files, "--quiet"])
    assert result.exit_code == 0
    assert result.output.count("此前已导入") == 2
    assert sorted(p.name for p in (tmp_path / "ais").rglob("part-*.parquet")) == before


def test_compact_merges_closed_days(tmp_path, nmea_dir, monkeypatch):
    monkeypatch.setenv("JINGHAI_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    path = nmea_dir / "kystverket/aisnet_Ais1000Lines.nm4"  # 2019-08-07, tag-block times
    assert runner.invoke(app, ["ais", "ingest", str(path), "--no-db", "--quiet",
                               "--batch-rows", "100"]).exit_code == 0
    parts = list((tmp_path / "ais" / "positions").rglob("part-*.parquet"))
    assert len(parts) > 4
    result = runner.invoke(app, ["ais", "compact"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "ais" / "positions").rglob("part-*.parquet"))) == 1
    assert "2019-08-07: 合并" in result.output
    assert runner.invoke(app, ["ais", "compact", "--before", "yesterday"]).exit_code == 2


def test_listen_refuses_a_bad_url(tmp_path, monkeypatch):
    monkeypatch.setenv("JINGHAI_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["ais", "listen", "ftp://x:1", "--no-db"])
    assert result.exit_code == 2


def test_listen_stores_what_a_tcp_feed_sends(tmp_path, nmea_dir, monkeypatch):
    import socket
    import threading

    lines = (nmea_dir / "kystverket/cvagner_norwegian.raw").read_bytes()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.sendall(lines)
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    monkeypatch.setenv("JINGHAI_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["ais", "listen", f"tcp://127.0.0.1:{port}", "--seconds",
                                      "1.5", "--flush-every", "0.3", "--no-db"])
    assert result.exit_code == 0, result.output
    from jinghai.ais.store import PositionStore

    stored = PositionStore(tmp_path / "ais").query("SELECT count(*) AS n FROM positions")
    assert stored.to_pylist()[0]["n"] == 146  # as when the file is ingested (test_ingest)
