"""The project's shape, kept: Dagster wiring in ``defs/`` stays short (each function fits on a
screen, the work is in lib, clients and IO managers)."""

import ast
from pathlib import Path

DEFS = Path(__file__).parents[1] / "leanetl" / "defs"
MAX_DEFS_FUNCTION_LINES = 60


def test_no_defs_function_is_longer_than_a_screen() -> None:
    long = []
    for path in sorted(DEFS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_DEFS_FUNCTION_LINES:
                    long.append(f"{path.relative_to(DEFS)}:{node.name} ({lines} lines)")
    assert long == []


# What reads or writes a store, a database or an API, one call at a time.
IO_CALLS = {
    "put_bytes", "get_bytes", "delete", "list_keys", "list_objects", "find", "replace_one",
    "insert_one", "bulk_write", "upsert_documents", "execute", "query", "read", "contact_ids",
}  # fmt: skip
LOOPS = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# dbt.py walks dbt's events (Dagster's own objects) and counts each model's day slices.
IO_LOOPS_ALLOWED = {"dbt.py"}


def _loop_body(loop: ast.AST) -> list[ast.AST]:
    """What a loop runs per item: not the expression that yields the items (one call)."""
    if isinstance(loop, ast.For):
        return [*loop.body, *loop.orelse]
    if isinstance(loop, ast.While):
        return [loop]
    first, *rest = loop.generators
    parts = [getattr(loop, name) for name in ("elt", "key", "value") if hasattr(loop, name)]
    return [*parts, *first.ifs, *rest]


def test_no_defs_module_loops_over_io() -> None:
    """The loops that read or write item by item live in lib (typed against small protocols) or
    in clients and IO managers; an asset body calls them once."""
    found = []
    for path in sorted(DEFS.rglob("*.py")):
        if str(path.relative_to(DEFS)) in IO_LOOPS_ALLOWED:
            continue
        for loop in (n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, LOOPS)):
            body = [n for part in _loop_body(loop) for n in ast.walk(part)]
            calls = [n for n in body if isinstance(n, ast.Call)]
            names = {c.func.attr for c in calls if isinstance(c.func, ast.Attribute)}
            if names & IO_CALLS:
                found.append(f"{path.relative_to(DEFS)}:{loop.lineno} {sorted(names & IO_CALLS)}")
    assert found == []


# The one exception: the local VAN load reads the whole history into one unpartitioned table.
NOT_DAILY = {"volunteers/assets.py"}


def test_every_daily_step_is_declared_one_way() -> None:
    for path in sorted(DEFS.glob("*/*.py")):
        name = str(path.relative_to(DEFS))
        if name not in NOT_DAILY:
            text = path.read_text()
            assert "dg.multi_asset(" not in text and "@per_day" not in text, name


def _imports(root: Path) -> dict[str, set[str]]:
    """Module -> the leanetl modules it imports (anywhere in it, type-checking imports too)."""
    modules = {}
    for path in root.rglob("*.py"):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found = {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                found = {a.name for a in node.names}
            else:
                continue
            graph[name] |= {m for m in found if m in modules and m != name}
    return graph


def test_no_import_circle() -> None:
    graph = _imports(DEFS.parent)
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join([*path, module])
        if module not in done:
            for imported in sorted(graph[module]):
                visit(imported, (*path, module))
            done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_the_core_never_imports_a_domain_package() -> None:
    """Domains are found (leanetl.domains), never imported by name: only a domain's own package
    imports its modules."""
    graph = _imports(DEFS.parent)
    domains = {f"leanetl.defs.{p.name}" for p in DEFS.iterdir() if (p / "settings.py").exists()}

    def package(module: str) -> str | None:
        return next((d for d in domains if module == d or module.startswith(f"{d}.")), None)

    crossing = [
        f"{module} -> {imported}"
        for module, imported_ones in sorted(graph.items())
        for imported in sorted(imported_ones)
        if package(imported) and package(imported) != package(module)
    ]
    assert crossing == []
