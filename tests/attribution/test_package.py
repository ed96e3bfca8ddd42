"""The engine as a package: a light import, an explicit public surface, no import cycle."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import attribution

PACKAGE = Path(attribution.__file__).parent


def _modules_after(code: str) -> dict[str, bool]:
    probe = code + "\nimport json, sys\nprint(json.dumps({m: m in sys.modules for m in ('spacy', 'thinc', 'attribution.extract')}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: dict[str, bool] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_names_module_does_not_load_spacy() -> None:
    assert _modules_after("import attribution.names") == {"spacy": False, "thinc": False, "attribution.extract": False}


def test_importing_the_package_and_light_names_does_not_load_spacy() -> None:
    code = "import attribution\nfrom attribution import speaker_key, Quote, AttributionError, Thresholds\nimport attribution.records"
    assert _modules_after(code) == {"spacy": False, "thinc": False, "attribution.extract": False}


def test_the_engine_names_load_on_first_use() -> None:
    assert _modules_after("from attribution import extract_quotes")["spacy"] is True


def test_every_public_name_resolves() -> None:
    for name in attribution.__all__:
        assert getattr(attribution, name) is not None, name
    assert set(attribution.__all__) <= set(dir(attribution))


def _imports(path: Path) -> set[str]:
    """The `attribution` modules a file imports (relative or absolute, at any depth)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n.startswith("attribution"))
    return found


def test_no_import_cycle_in_the_engine() -> None:
    files = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
             for p in PACKAGE.rglob("*.py")}
    graph = {m: {n for n in _imports(p) if n in files and n != m} for m, p in files.items()}
    # a package's __init__ re-exporting its own modules is no cycle through them
    for m in graph:
        graph[m] = {n for n in graph[m] if not (n.startswith(m + ".") and files[m].name == "__init__.py")}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            assert state.get(n) != 1, "import cycle: " + " -> ".join([*path, m, n])
            if n not in state:
                visit(n, [*path, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])
    assert "attribution.components.quotes" in graph and "attribution.extract" in graph["attribution.components.quotes"]


def test_the_engine_reads_no_settings_or_environment() -> None:
    """No import from the packages above it (the bottom's one exception tree aside), no
    environment lookups: configuration comes as arguments."""

    def allowed(module: str) -> bool:
        return module == "quotelens.errors" or module.split(".")[0] not in ("quotelens", "api", "bot")

    for p in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level:
                assert allowed(node.module or ""), p
            elif isinstance(node, ast.Import):
                assert all(allowed(a.name) for a in node.names), p
            elif isinstance(node, ast.Attribute):
                assert node.attr not in ("environ", "getenv"), p
            elif isinstance(node, ast.Name):
                assert node.id not in ("environ", "getenv"), p
