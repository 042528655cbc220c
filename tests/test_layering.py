"""Domains hold the logic; the web and the CLI are thin doors into them. A domain module
that imports the web, the CLI or their frameworks breaks that, and this test says where."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "jinghai"
DOORS = ("jinghai.web", "jinghai.cli", "fastapi", "starlette", "typer", "uvicorn")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domains_do_not_import_web_or_cli():
    offenders = []
    domain_files = [p for p in SRC.rglob("*.py")
                    if p.relative_to(SRC).parts[0] not in ("web", "cli", "migrations")]
    assert len(domain_files) > 20
    for path in domain_files:
        for name in _imports(path):
            if name.startswith(DOORS):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []
