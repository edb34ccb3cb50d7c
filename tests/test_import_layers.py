"""Dependencies run one way: schema ← normalize ← extract ← the rest of reja, with no cycle between
sibling modules and no `except ImportError` fallback around reja's own modules.

The layers are read from pyproject's import-linter contract (`make lint` runs import-linter itself);
this test reads the sources with `ast`, so `make test` fails on an upward import or a cycle too.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _lower_layers() -> list[str]:
    """['reja.extract', 'reja.normalize', 'reja.schema'], highest first, from the layers contract."""
    contract = next(c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    container = contract["containers"][0]
    return [f"{container}.{layer.strip()}" for layer in contract["layers"][1:]]


LOWER = _lower_layers()


def rank(module: str) -> int:
    """0 for the top (reja itself), then one more for each layer down."""
    for i, layer in enumerate(LOWER, start=1):
        if module == layer or module.startswith(layer + "."):
            return i
    return 0


def sources() -> dict[str, str]:
    """Module name → source text of every module reja installs (pyproject's package-dir)."""
    setup = PYPROJECT["tool"]["setuptools"]
    found = {}
    for package in setup["packages"]:
        folder = REPO / setup["package-dir"].get(package, package.replace(".", "/"))
        for f in folder.glob("*.py"):
            name = package if f.stem == "__init__" else f"{package}.{f.stem}"
            found[name] = f.read_text(encoding="utf-8")
    return found


def imports_of(module: str, source: str, known: set[str]) -> list[tuple[str, int]]:
    """(imported reja module, line) for every import anywhere in the module, lazy ones included."""
    is_package = any(m.startswith(module + ".") for m in known)
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "reja"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "reja":
                continue
            # `from reja.review import corrections` imports the module reja.review.corrections
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            out += [(s, node.lineno) for s in subs] or [(target, node.lineno)]
    return out


def upward_edges(modules: dict[str, str]) -> list[str]:
    known = set(modules)
    return [f"{m} (line {line}) imports {t}" for m, src in sorted(modules.items())
            for t, line in imports_of(m, src, known) if rank(t) < rank(m)]  # fmt: skip


def sibling_cycles(modules: dict[str, str]) -> list[list[str]]:
    """Cycles among the children of each package, a child standing for everything under it (as
    import-linter's acyclic_siblings contract)."""
    known = set(modules)
    edges = {(m, t) for m, src in modules.items() for t, _ in imports_of(m, src, known)}
    cycles = []
    for parent in sorted({m.rsplit(".", 1)[0] for m in known if "." in m}):
        def child(name: str, parent: str = parent) -> str | None:
            if not name.startswith(parent + "."):
                return None
            return parent + "." + name[len(parent) + 1 :].split(".")[0]

        graph: dict[str, set[str]] = {}
        for a, b in edges:
            ca, cb = child(a), child(b)
            if ca and cb and ca != cb:
                graph.setdefault(ca, set()).add(cb)
        cycles += [c for c in _strongly_connected(graph) if len(c) > 1]
    return cycles


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def own_import_fallbacks(modules: dict[str, str]) -> list[str]:
    """`try: from reja… import … except ImportError: <carry on>` — a missing own module must fail, not
    degrade. Translating the ImportError into a clearer error (ending in `raise`) is allowed."""
    bad = []
    for m, src in sorted(modules.items()):
        for node in ast.walk(ast.parse(src)):
            if not isinstance(node, ast.Try):
                continue
            handlers = [h for h in node.handlers
                        if h.type is not None and any(n in ast.unparse(h.type) for n in ("ImportError", "ModuleNotFoundError"))]
            # a handler that raises a clearer error is no fallback: only one that carries on is
            if not handlers or all(isinstance(h.body[-1], ast.Raise) for h in handlers):
                continue
            body = ast.Module(body=node.body, type_ignores=[])
            if imports_of(m, ast.unparse(body), set(modules)):
                bad.append(f"{m} line {node.lineno}")
    return bad


MODULES = sources()


def test_the_layers_are_the_users_stack():
    assert LOWER == ["reja.extract", "reja.normalize", "reja.schema"]
    assert {"reja.extract.readers", "reja.normalize.match", "reja.schema.catalogue", "reja.batch"} <= set(MODULES)


def test_no_module_imports_a_layer_above_its_own():
    assert upward_edges(MODULES) == []


def test_no_cycle_between_sibling_modules():
    assert sibling_cycles(MODULES) == []


def test_no_fallback_around_reja_s_own_modules():
    assert own_import_fallbacks(MODULES) == []


# the checks themselves can fail
@pytest.mark.parametrize("source", ["from reja.batch import run_import", "import reja.extract.plan",
                                    "def f():\n    from reja.normalize.keys import match_key"])  # fmt: skip
def test_an_upward_import_is_found(source):
    fake = {**MODULES, "reja.schema.fake": source}
    assert [e for e in upward_edges(fake) if e.startswith("reja.schema.fake ")]


def test_a_cycle_is_found():
    fake = {"reja.a": "from reja import b", "reja.b": "import reja.c.x", "reja.c": "", "reja.c.x": "from ..a import y"}
    assert sibling_cycles(fake) == [["reja.a", "reja.b", "reja.c"]]


def test_a_fallback_is_found_and_a_clearer_error_is_not_one():
    fake = {"reja.extract.fake": "try:\n    from reja.normalize import keys\nexcept ImportError:\n    keys = None",
            "reja.extract.fake2": "try:\n    from reja.normalize import keys\nexcept ImportError as e:\n    raise OSError(e)"}
    found = own_import_fallbacks({**MODULES, **fake})
    assert "reja.extract.fake line 1" in found and not any(f.startswith("reja.extract.fake2") for f in found)
