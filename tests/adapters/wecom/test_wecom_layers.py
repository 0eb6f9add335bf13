"""Layer rule: the WeCom adapter imports engine, cards, its own package and client libraries only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "adapters" / "wecom"
ALLOWED = {"adapters", "engine", "cards", "wechatpy", "defusedxml", "aiohttp"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_adapter_never_imports_bot_or_admin_web() -> None:
    files = sorted(PACKAGE.glob("*.py"))
    assert files
    for path in files:
        outside = _imports(path) - ALLOWED - set(sys.stdlib_module_names) - {"__future__"}
        assert not outside, f"{path.name} imports {sorted(outside)}"
