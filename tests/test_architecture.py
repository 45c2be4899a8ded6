"""The package's structure (issue 21): subpackages are layers, every import runs down (or within a layer, without
a loop), and every module says what it is for. Read from the code's own imports (every one, also inside functions;
an import only for type annotations, under ``if TYPE_CHECKING:``, is not one)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "src" / "fittrial"
# bottom to top: a module may import from its own layer and the layers below
LAYERS = ["base", "language", "inputs", "publish", "models", "analyses", "report", "design", "desk", "steps"]


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        out[name] = path
    return out


def imports(path: Path) -> set[str]:
    """The fittrial modules a file imports (absolute imports; the package is written with them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import 'from {'.' * node.level}{node.module or ''}': expected an "
                                 "absolute one")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fittrial"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("fittrial")}
    return found


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_is_in_a_layer_and_says_what_it_is_for():
    for name, path in modules().items():
        if name == "fittrial":
            continue
        assert layer(name) is not None, f"{name}: not in a layer ({', '.join(LAYERS)})"
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{name}: no docstring stating its concern"


def test_imports_run_down_the_layers():
    upward = []
    for name, path in modules().items():
        here = layer(name)
        for imported in imports(path):
            there = layer(imported)
            if here is not None and there is not None and there > here:
                upward.append(f"{name} -> {imported}")
    assert not upward, "imports that run back up: " + "; ".join(upward)


def test_no_import_cycle():
    graph = {name: {m for m in imports(path) if m in modules()} for name, path in modules().items()}
    seen, stack, cycles = set(), [], []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(graph):
        visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def imported_names(text: str) -> list[tuple[str, str]]:
    """(module, name) of every ``from fittrial... import name`` and ``import fittrial...`` (name "") in a text."""
    out = []
    for line in text.splitlines():
        m = re.match(r"\s*from (fittrial[\w.]*) import \(?([\w, ]+)", line)
        if m:
            out += [(m.group(1), n.split(" as ")[0].strip()) for n in m.group(2).split(",") if n.strip()]
        m = re.match(r"\s*import (fittrial[\w.]*)", line)
        if m:
            out.append((m.group(1), ""))
    return out


@pytest.mark.parametrize("folder", ["workflow/scripts", "workflow/rules", "tools", "tests", "Snakefile"])
def test_outside_the_package_imports_only_what_exists(folder):
    """Scripts, rules, tools and tests name modules and functions that exist (no leftover of the flat layout)."""
    known = set(modules())
    missing = []
    where = ROOT / folder
    paths = [where] if where.is_file() else sorted(p for p in where.rglob("*") if p.suffix in (".py", ".smk"))
    for path in paths:
        for module, name in imported_names(path.read_text(encoding="utf-8")):
            if module not in known:
                missing.append(f"{path.relative_to(ROOT)}: {module}")
            elif name and f"{module}.{name}" not in known and not hasattr(importlib.import_module(module), name):
                missing.append(f"{path.relative_to(ROOT)}: {module}.{name}")
    assert not missing, missing


def resolves(dotted: str) -> bool:
    """Does ``fittrial.a.b.c`` name a module, or something in one (a function, a class, an attribute of a class)?"""
    parts = dotted.rstrip(".").split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_the_docs_name_modules_and_functions_that_exist():
    """Every ``fittrial.…`` and ``src/fittrial/….py`` the README, the config and its README, the docs, the rules and
    the tools mention exists (so a reader following a reference finds it)."""
    texts = [ROOT / "README.md", *(ROOT / "config").glob("*"), *(ROOT / "docs").rglob("*.md"),
             *(ROOT / "workflow").rglob("*.smk"), *(ROOT / "workflow").rglob("*.py"), *(ROOT / "tools").glob("*.py"),
             *PACKAGE.rglob("*.py")]
    broken = []
    for path in texts:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for ref in sorted(set(re.findall(r"\bfittrial(?:\.[A-Za-z_]\w*)+", text))):
            if not resolves(ref):
                broken.append(f"{path.relative_to(ROOT)}: {ref}")
        for ref in sorted(set(re.findall(r"src/fittrial/[\w/]+\.\w+", text))):
            if not (ROOT / ref).exists():
                broken.append(f"{path.relative_to(ROOT)}: {ref}")
    assert not broken, broken
