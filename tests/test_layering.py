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


# --- import graph between domain packages -------------------------------------------------

#: Entry points and wiring: they may import every domain, and no domain imports them.
ENTRY_PACKAGES = {"web", "cli", "migrations", "templates_data"}
WIRING_MODULES = {"jinghai.models", "jinghai.demo", "jinghai.migrate", "jinghai.wiring",
                  "jinghai.rounds"}


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _runtime_imports(path: Path) -> list[tuple[str, int]]:
    """Every ``jinghai`` module a file imports at run time, at module level or inside a
    function (an import hidden in a function still makes a loop), resolved from relative
    form; imports under ``if TYPE_CHECKING:`` are not run and do not count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                name = ".".join(["jinghai", *base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            found.append((name, node.lineno))
            if name == "jinghai":  # from jinghai import x
                found += [(f"jinghai.{a.name}", node.lineno) for a in node.names]
    return [(n, line) for n, line in found if n.startswith("jinghai.")]


def _domain_graph() -> dict[str, dict[str, list[str]]]:
    graph: dict[str, dict[str, list[str]]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if len(parts) < 2 or parts[0] in ENTRY_PACKAGES:
            continue
        source = parts[0]
        graph.setdefault(source, {})
        for name, line in _runtime_imports(path):
            target = name.split(".")[1]
            if target != source and (SRC / target).is_dir() and target not in ENTRY_PACKAGES:
                graph[source].setdefault(target, []).append(f"{path.relative_to(SRC)}:{line}")
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_reader_sees_a_known_edge_and_a_planted_loop():
    graph = _domain_graph()
    assert "org" in graph.get("reporting", {}), "reporting imports org: the reader must see it"
    planted = {k: dict(v) for k, v in graph.items()}
    planted.setdefault("org", {})["reporting"] = ["planted"]
    assert any({"org", "reporting"} <= set(c) for c in _cycles(planted))


def test_no_import_cycle_between_domain_packages():
    graph = _domain_graph()
    report = []
    for component in _cycles(graph):
        report.append(" ↔ ".join(component))
        for a in component:
            for b in component:
                if b in graph[a]:
                    report.append(f"    {a} → {b}: {', '.join(graph[a][b][:3])}")
    assert report == [], "import cycles between domain packages:\n" + "\n".join(report)


def test_detect_stays_pure():
    """Detectors are numpy over positions: they must not reach the alert store, the
    database-backed domains, the web or the CLI."""
    offenders = []
    for path in (SRC / "detect").rglob("*.py"):
        for name, line in _runtime_imports(path):
            if name.startswith(("jinghai.alerts", "jinghai.web", "jinghai.cli")):
                offenders.append(f"{path.relative_to(SRC)}:{line} imports {name}")
    assert offenders == []


def test_domains_do_not_import_the_wiring():
    offenders = []
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if len(parts) < 2 or parts[0] in ENTRY_PACKAGES:
            continue
        for name, line in _runtime_imports(path):
            if name in WIRING_MODULES:
                offenders.append(f"{path.relative_to(SRC)}:{line} imports {name}")
    assert offenders == []


def test_no_swallowed_import_errors():
    """A typo in a module name must fail loudly: ``except ImportError`` is allowed only
    around an optional third-party package, said so in a comment on that line."""
    offenders = []
    for path in SRC.rglob("*.py"):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ("except ImportError" in text or "except ModuleNotFoundError" in text) \
                    and "optional third-party" not in text:
                offenders.append(f"{path.relative_to(SRC)}:{number}: {text.strip()}")
    assert offenders == []
