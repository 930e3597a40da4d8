"""The package's layout carries its design: stages import only earlier stages, no cycles.

The stages, in the order data flows through them (README, "Layout"): the shared base
(``errors``, ``datafile``, ``outputs``), ``inputs``, ``config``, ``match``, ``decode``,
``run``, ``aggregate``, ``render``, ``export``, the drivers (``fleet``, ``live``) and
``cli``. Every import counts, at module level or inside a function, type-only or not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "logscan"
#: Each top-level module or folder of the package and its place in the flow.
STAGES = {
    "__init__": 0, "errors": 0, "datafile": 0, "outputs": 0,
    "inputs": 1, "config": 2, "match": 3, "decode": 4, "run": 5, "aggregate": 6,
    "render": 7, "export": 8, "fleet": 9, "live": 9, "cli": 10, "__main__": 11,
}  # fmt: skip


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``from a import b`` counts as ``a.b``
    when that is a module, else as ``a``)."""
    modules = {module_name(p, package.parent): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)
            elif isinstance(node, ast.ImportFrom) and node.level:  # relative: also counted
                parts = name.split(".")
                package = parts if path.name == "__init__.py" else parts[:-1]
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    found.add(full if full in modules else module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif (  # importlib.import_module("logscan.x"): an import too
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets (each as the modules along it, first repeated)."""
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == 1:
                found.append([*stack[stack.index(other) :], other])
            elif other not in state:
                visit(other)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES[parts[1] if len(parts) > 1 else "__init__"]


def test_every_module_belongs_to_a_stage():
    assert sorted({m.split(".")[1] for m in import_graph() if "." in m} - set(STAGES)) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_no_stage_imports_a_later_one():
    graph = import_graph()
    later = sorted(f"{a} -> {b}" for a, others in graph.items() for b in others if stage(b) > stage(a))
    assert later == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.py": "from logscan import b", "b.py": "import logscan.a"}, [["logscan.a", "logscan.b", "logscan.a"]]),
        ({"a.py": "def f():\n    from logscan.b import x", "b.py": "from logscan.a import y"},
         [["logscan.a", "logscan.b", "logscan.a"]]),
        ({"a.py": "from logscan import b", "b.py": ""}, []),
        ({"a.py": "from . import b", "b.py": "import importlib\nimportlib.import_module('logscan.a')"},
         [["logscan.a", "logscan.b", "logscan.a"]]),
    ],
)  # fmt: skip
def test_the_graph_sees_imports_at_module_level_and_in_functions(tmp_path, files, expected):
    """The check itself: a cycle through a function-level import is a cycle."""
    package = tmp_path / "logscan"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in files.items():
        (package / name).write_text(text)
    assert cycles(import_graph(package)) == expected


def test_command_modules_are_thin():
    """No command module (one that defines a click command) over ~200 lines: the library does
    the work."""
    commands = [
        p
        for p in (PACKAGE / "cli").glob("*.py")
        if "@click.command" in p.read_text() or "@click.group" in p.read_text()
    ]
    assert len(commands) >= 8
    long = {p.name: n for p in commands if (n := len(p.read_text().splitlines())) > 230}
    assert long == {}
