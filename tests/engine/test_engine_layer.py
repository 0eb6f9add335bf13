"""The engine stays at the bottom: it imports no web, template or chat library and no upper layer."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = ("aiohttp", "jinja2", "wechatpy", "dingtalk_stream", "admin_web", "bot", "cards", "adapters")


def test_no_engine_module_imports_an_upper_layer_or_a_web_library() -> None:
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ENGINE.parent)}: {name}")
    assert offenders == []
