"""``jinghai zones ...``: the geography the detectors use, from the server's console.

List the zones and layers, import a GeoJSON file (``--dry-run`` checks it without writing),
export them, switch a zone or a whole shipped layer off and on, and load the shipped default
layers (``jinghai init`` already does). Changes are made as the office (the console
operator), audited like changes on the zones page.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jinghai.errors import InvalidInput, JinghaiError
from jinghai.settings import Settings

app = typer.Typer(help="区域与图层（锚地、港口、登陆点等）", no_args_is_help=True)
console = Console()


@contextmanager
def _session():
    from sqlalchemy import inspect

    from jinghai.db import make_engine, make_session_factory, session_scope
    from jinghai.errors import NotFound

    engine = make_engine(Settings().resolved_database_url())
    try:
        if not inspect(engine).has_table("zones"):
            raise NotFound("数据库尚未初始化，请先运行 jinghai init")
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _fail(exc: JinghaiError) -> typer.Exit:
    typer.echo(f"错误：{exc.message}", err=True)
    for line in exc.details or []:
        typer.echo(f"  - {line}", err=True)
    return typer.Exit(exc.exit_code)


def _operator():
    """The console operator as the office (never stored; ``active`` set explicitly since
    a transient User has no column defaults yet)."""
    from jinghai.cli.main import system_user

    user = system_user()
    user.active = True
    return user


@app.command("list")
def list_cmd(
    layer: Annotated[str | None, typer.Option("--layer", help="只列出某个图层")] = None,
) -> None:
    """列出图层和区域（类型、名称、是否启用）。"""
    from jinghai.geo.service import list_zone_records, zone_layers

    try:
        with _session() as s:
            layers = zone_layers(s)
            recs = list_zone_records(s)
            t = Table("图层", "名称", "来源", "区域数", "启用", title="图层")
            for lay in layers:
                t.add_row(lay.key, lay.label, lay.source, str(lay.zones), str(lay.active))
            console.print(t)
            z = Table("id", "类型", "名称", "图层", "状态", title="区域")
            shown = 0
            for r in recs:
                key = str((r.params or {}).get("layer") or "own")
                if layer and key != layer:
                    continue
                z.add_row(r.id, r.kind_label, r.name, key, "启用" if r.active else "停用")
                shown += 1
            console.print(z)
            typer.echo(f"共 {shown} 个区域")
    except JinghaiError as exc:
        raise _fail(exc) from exc


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="GeoJSON 文件（FeatureCollection）",
                                         exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不写入")] = False,
) -> None:
    """导入区域（按 id 新增或更新）；有任何错误则整个文件不导入，并逐条列出问题。"""
    from jinghai.geo.service import import_zones
    from jinghai.geo.zones import zones_from_geojson

    try:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"文件不是 UTF-8 编码的文本：{exc}") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"不是有效的 JSON：{exc}") from exc
        zones = zones_from_geojson(data)
        with _session() as s:
            result = import_zones(s, _operator(), zones, dry_run=dry_run)
    except JinghaiError as exc:
        raise _fail(exc) from exc
    verb = "检查通过，将" if dry_run else "已"
    typer.echo(f"{verb}新增 {result.created} 个、更新 {result.updated} 个区域"
               + ("（未写入）" if dry_run else ""))


@app.command("export")
def export_cmd(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="输出文件；缺省打印")] = None,
    active_only: Annotated[bool, typer.Option("--active-only", help="只导出启用的区域")] = False,
) -> None:
    """导出区域为 GeoJSON（可再导入）。"""
    from jinghai.geo.service import export_zones

    try:
        with _session() as s:
            fc = export_zones(s, active_only=active_only)
    except JinghaiError as exc:
        raise _fail(exc) from exc
    text = json.dumps(fc, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"已导出 {len(fc['features'])} 个区域到 {output}")


def _switch(target: str, on: bool, layer: bool) -> None:
    from jinghai.geo.service import set_layer_active, set_zone_active

    try:
        with _session() as s:
            if layer:
                n = set_layer_active(s, _operator(), target, on)
                typer.echo(f"图层 {target}：{'启用' if on else '停用'} {n} 个区域")
            else:
                set_zone_active(s, _operator(), target, on)
                typer.echo(f"区域 {target} 已{'启用' if on else '停用'}")
    except JinghaiError as exc:
        raise _fail(exc) from exc


@app.command("off")
def off_cmd(
    target: Annotated[str, typer.Argument(help="区域 id，或与 --layer 一起用的图层名")],
    layer: Annotated[bool, typer.Option("--layer", help="停用整个图层")] = False,
) -> None:
    """停用一个区域或整个图层（检测器和地图都不再使用）。"""
    _switch(target, False, layer)


@app.command("on")
def on_cmd(
    target: Annotated[str, typer.Argument(help="区域 id，或与 --layer 一起用的图层名")],
    layer: Annotated[bool, typer.Option("--layer", help="启用整个图层")] = False,
) -> None:
    """重新启用一个区域或整个图层。"""
    _switch(target, True, layer)


@app.command("load-defaults")
def load_defaults_cmd() -> None:
    """载入随软件提供的默认图层（GFW 锚地、世界港口索引港口）中尚未入库的区域。"""
    from jinghai.geo.service import seed_default_layers

    try:
        with _session() as s:
            n = seed_default_layers(s)
    except JinghaiError as exc:
        raise _fail(exc) from exc
    typer.echo(f"已载入 {n} 个默认区域")


@app.command("build-demo")
def build_demo_cmd(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="输出文件；缺省写入随软件提供的演示区域文件")] = None,
) -> None:
    """由海岸线和手工选定的种子点重新生成演示用北仑地理区域（GeoJSON）。"""
    from jinghai.geo.demo_build import write_demo_zones

    path = write_demo_zones(output) if output else write_demo_zones()
    typer.echo(f"已写入 {path}")
