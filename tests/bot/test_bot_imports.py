"""The bot is a client of the HTTP API: it imports neither `api` nor `attribution`, and no module cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"


def _imports(path: Path) -> set[str]:
    """The modules a file imports, relative imports resolved inside `bot`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found.add(f"bot.{base}" if node.level else base)
    return found


def test_no_module_of_the_bot_imports_the_api_or_the_engine() -> None:
    files = sorted(BOT.rglob("*.py"))
    assert len(files) > 5
    for path in files:
        for name in _imports(path):
            assert name.split(".")[0] not in {"api", "attribution", "spacy"}, (path.name, name)


def test_bot_modules_import_one_way() -> None:
    graph = {f"bot.{p.stem}": {m for m in _imports(p) if m.startswith("bot.")} for p in BOT.glob("*.py")}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_loading_the_discord_bot_loads_neither_the_api_nor_spacy() -> None:
    code = (
        "import sys, bot, bot.discord_client, bot.commands; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'api', 'attribution', 'spacy', 'litestar'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
