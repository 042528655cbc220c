"""``jinghai zones`` against a real database: init loads the shipped layers; import checks a
file completely (every problem listed, nothing written), --dry-run writes nothing, export
reads back, a whole layer is switched off and the detectors stop using it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jinghai.cli.main import app
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.geo.service import load_zones

runner = CliRunner()

BAD = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "a1", "kind": "harbour", "name": "甲"},
     "geometry": {"type": "Polygon", "coordinates": [[[122, 29.9], [122.1, 30],
                                                      [122.1, 29.9], [122, 30], [122, 29.9]]]}},
    {"type": "Feature", "properties": {"id": "a2", "kind": "landing_point", "name": "乙"},
     "geometry": {"type": "Point", "coordinates": [122.1, 29.9]}},
    {"type": "Feature", "properties": {"id": "a3", "kind": "anchorage", "name": "丙"},
     "geometry": {"type": "Polygon", "coordinates": [[[29.9, 122], [30, 122], [30, 122.1],
                                                      [29.9, 122]]]}},
    {"type": "Feature", "properties": {"kind": "anchorage"},
     "geometry": {"type": "Point", "coordinates": [122.1, 29.9]}},
]}
GOOD = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "lp-x", "kind": "landing_point", "subtype": "岙口",
                                       "name": "试验岙口"},
     "geometry": {"type": "Point", "coordinates": [122.11, 29.87]}}]}


@pytest.fixture(params=["sqlite", "postgresql"])
def env(request, tmp_path, fresh_database_url):
    url = fresh_database_url(request.param)
    env = {"JINGHAI_DATA_DIR": str(tmp_path), "JINGHAI_DATABASE_URL": url}
    result = runner.invoke(app, ["init"], env=env)
    assert result.exit_code == 0, result.output
    assert "默认图层" in result.output
    return env


def _zones(env):
    engine = make_engine(env["JINGHAI_DATABASE_URL"])
    try:
        with session_scope(make_session_factory(engine)) as s:
            return load_zones(s)
    finally:
        engine.dispose()


def test_zones_cli(env, tmp_path: Path) -> None:
    before = _zones(env)
    kinds = {z.kind for z in before}
    assert {"anchorage", "port"} <= kinds and len(before) > 200

    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(BAD, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(app, ["zones", "import", str(bad)], env=env)
    assert r.exit_code == 2
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert "4 个区域要素有误" in err
    for expected in ("harbour", "自相交", "须有 subtype", "经纬度写反", "缺少属性"):
        assert expected in err, expected
    assert len(_zones(env)) == len(before)  # nothing written

    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(app, ["zones", "import", str(good), "--dry-run"], env=env)
    assert r.exit_code == 0 and "将新增 1 个" in r.output and "未写入" in r.output
    assert "lp-x" not in {z.id for z in _zones(env)}
    r = runner.invoke(app, ["zones", "import", str(good)], env=env)
    assert r.exit_code == 0 and "已新增 1 个" in r.output
    assert "lp-x" in {z.id for z in _zones(env)}

    out = tmp_path / "all.geojson"
    r = runner.invoke(app, ["zones", "export", "-o", str(out)], env=env)
    assert r.exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported["features"]) == len(before) + 1

    r = runner.invoke(app, ["zones", "off", "gfw_anchorages", "--layer"], env=env)
    assert r.exit_code == 0, r.output
    left = _zones(env)
    assert "anchorage" not in {z.kind for z in left} and "port" in {z.kind for z in left}
    r = runner.invoke(app, ["zones", "list", "--layer", "gfw_anchorages"], env=env)
    assert r.exit_code == 0 and "停用" in r.output
    r = runner.invoke(app, ["zones", "on", "gfw_anchorages", "--layer"], env=env)
    assert len(_zones(env)) == len(before) + 1
    r = runner.invoke(app, ["zones", "off", "nonexistent-layer", "--layer"], env=env)
    assert r.exit_code == 2 and "没有图层" in (r.stderr if hasattr(r, "stderr") else r.output)


def test_detect_run_cli(env) -> None:
    r = runner.invoke(app, ["detect", "run", "--from", "2026-11-20", "--to", "2026-11-21"],
                      env=env)
    assert r.exit_code == 0, r.output
    assert "0 个船位" in r.output  # an empty store: nothing to find, no error
    r = runner.invoke(app, ["detect", "run", "--from", "2026-11-21", "--to", "2026-11-20"],
                      env=env)
    assert r.exit_code == 2
