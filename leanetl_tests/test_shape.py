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


# The one exception: the local VAN load reads the whole history into one unpartitioned table.
NOT_DAILY = {"volunteers/assets.py"}


def test_every_daily_step_is_declared_one_way() -> None:
    for path in sorted(DEFS.glob("*/*.py")):
        name = str(path.relative_to(DEFS))
        if name not in NOT_DAILY:
            text = path.read_text()
            assert "dg.multi_asset(" not in text and "@per_day" not in text, name
