"""``jinghai detect run``: the period's findings become alerts; with a Dask scheduler
(``JINGHAI_DASK_SCHEDULER``, here a LocalCluster of 2 workers) the same alerts."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jinghai.alerts.models import Alert
from jinghai.cli.main import app
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.detect import synthetic as s

runner = CliRunner()
SCHEMA = pa.schema([
    ("mmsi", pa.int64()), ("ts", pa.timestamp("us", tz="UTC")), ("lon", pa.float64()),
    ("lat", pa.float64()), ("sog", pa.float32()), ("cog", pa.float32()),
    ("heading", pa.int16()), ("nav_status", pa.int8()), ("msg_type", pa.int8()),
    ("receivers", pa.string())])


def _write_store(root: Path) -> None:
    df = s.beilun_scenario().positions.copy()
    df["receivers"] = "test"
    df["ts"] = df["ts"].dt.as_unit("us")
    for day, part in df.groupby(df["ts"].dt.strftime("%Y-%m-%d"), sort=True):
        d = root / "positions" / f"day={day}"
        d.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(part.reset_index(drop=True), schema=SCHEMA,
                                            preserve_index=False), d / "part-000001.parquet")


def _alerts(url: str) -> dict[str, tuple]:
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as db:
            return {a.event_id: (a.detector, a.kind, a.event_status, a.event_start, a.event_end,
                                 tuple(a.vessels)) for a in db.scalars(select(Alert))}
    finally:
        engine.dispose()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_detect_run_alone_and_on_a_dask_cluster(tmp_path, fresh_database_url, backend):
    from distributed import LocalCluster

    url = fresh_database_url(backend)
    env = {"JINGHAI_DATA_DIR": str(tmp_path), "JINGHAI_DATABASE_URL": url,
           "JINGHAI_DASK_SCHEDULER": ""}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    _write_store(tmp_path / "ais")
    period = ["detect", "run", "--from", "2026-11-20", "--to", "2026-11-22"]

    bad = runner.invoke(app, ["detect", "run", "--from", "2026-11-22", "--to", "2026-11-20"],
                        env=env)
    assert bad.exit_code != 0 and "结束时间须晚于开始时间" in bad.output

    alone = runner.invoke(app, period, env=env)
    assert alone.exit_code == 0, alone.output
    assert "已处理" in alone.output  # progress after each window of the store
    first = _alerts(url)
    assert any(k[1] == "encounter" for k in first.values())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        on_cluster = runner.invoke(app, [*period, "--shards", "2", "--tile-deg", "0.1"],
                                   env={**env, "JINGHAI_DASK_SCHEDULER": cluster.scheduler_address})
    assert on_cluster.exit_code == 0, on_cluster.output
    assert "Dask 集群" in on_cluster.output
    # the same events: the same alerts (updated in place, none added)
    assert _alerts(url) == first
    summary = alone.output.strip().splitlines()[-1]
    assert summary.split("，记录")[0] == on_cluster.output.strip().splitlines()[-1].split("，记录")[0]
