"""Structural rules of the package (DESIGN.md, "Package layout")."""

from __future__ import annotations

import ast
import pathlib
import re

PKG = pathlib.Path(__file__).resolve().parent.parent / "stateline"

# Which subpackages each layer may import (besides itself and the top-level
# modules diagnostics and __init__).
ALLOWED = {
    "lang": set(),
    "models": {"lang"},
    "checker": {"lang", "models"},
    "render": {"models"},
    "otlp": {"models"},
    "prover": {"lang", "models"},
    # trace validation: a search over the model (like checker/) over events read by otlp/
    "validation": {"lang", "models", "checker", "otlp", "render"},
}


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    mods = set()
    rel = path.relative_to(PKG).parts
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[:-1])[: len(rel) - node.level]
                target = ".".join(base + ([node.module] if node.module else []))
                if not target and node.module is None:
                    mods.update(a.name for a in node.names)
                mods.add(target)
            elif node.module and node.module.startswith("stateline"):
                mods.add(node.module.removeprefix("stateline").lstrip("."))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("stateline"):
                    mods.add(a.name.removeprefix("stateline").lstrip("."))
    return {m for m in mods if m}


def test_imports_flow_one_way():
    problems = []
    for path in PKG.rglob("*.py"):
        layer = path.relative_to(PKG).parts[0]
        for mod in _imports(path):
            top = mod.split(".")[0]
            if top == "cli" and layer != "cli" and path.name != "__main__.py":
                problems.append(f"{path.relative_to(PKG)} imports cli")
            if layer in ALLOWED and top in ALLOWED and top != layer and \
                    top not in ALLOWED[layer]:
                problems.append(f"{path.relative_to(PKG)} imports {mod}")
    assert not problems, problems


def test_modules_stay_readable():
    long = [(p.relative_to(PKG).as_posix(), n) for p in PKG.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600]
    assert not long, f"modules over 600 lines: {long}"


def test_every_diagnostic_code_is_listed_once_and_used():
    from stateline.diagnostics import CODES
    used = set()
    for path in PKG.rglob("*.py"):
        if path.name == "diagnostics.py":
            continue
        used.update(re.findall(r"\bSL\d{3}\b", path.read_text()))
    assert used <= set(CODES), sorted(used - set(CODES))
    assert set(CODES) <= used, f"listed but never used: {sorted(set(CODES) - used)}"


def test_nothing_below_imports_the_language_server():
    """`lsp` sits beside `cli` at the top: only `cli` may start it."""
    problems = [f"{path.relative_to(PKG)} imports {mod}"
                for path in PKG.rglob("*.py")
                if path.relative_to(PKG).parts[0] not in ("lsp", "cli")
                for mod in _imports(path) if mod.split(".")[0] == "lsp"]
    assert not problems, problems


def test_nothing_below_imports_the_explorer():
    """`explore` (the web app and the REPL) sits beside `cli` at the top: only `cli`
    starts it."""
    problems = [f"{path.relative_to(PKG)} imports {mod}"
                for path in PKG.rglob("*.py")
                if path.relative_to(PKG).parts[0] not in ("explore", "cli")
                for mod in _imports(path) if mod.split(".")[0] == "explore"]
    assert not problems, problems
