"""The package's shape: every module short enough to read in a sitting, and no
import cycle between its modules, lazy (function-level) imports included.
Read statically with ast; fastnn.io's resolve() of saved class names imports
by a name in a table, at load time only, and is not an import statement."""
import ast
import os

import fastnn

PACKAGE = os.path.dirname(os.path.abspath(fastnn.__file__))
MAX_LINES = 400


def modules():
    return sorted(f[:-3] for f in os.listdir(PACKAGE) if f.endswith(".py"))


def imported_modules(name):
    """The package modules `name` imports anywhere in its code."""
    with open(os.path.join(PACKAGE, name + ".py")) as f:
        tree = ast.parse(f.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:                       # from .model import MLP
                found.add(node.module.split(".")[0])
            else:                                 # from . import ops, reference
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fastnn"):
            parts = node.module.split(".")
            found.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "fastnn":
                    found.add(parts[1] if len(parts) > 1 else "__init__")
    return found & set(modules())


def test_every_module_is_under_the_line_limit():
    long = {}
    for name in modules():
        with open(os.path.join(PACKAGE, name + ".py")) as f:
            n = sum(1 for _ in f)
        if n >= MAX_LINES:
            long[name] = n
    assert not long, "modules of %d lines or more: %s" % (MAX_LINES, long)


def test_no_import_cycle():
    graph = {name: imported_modules(name) for name in modules()}
    assert graph["model"] and "_stream" in graph["model"]  # the walk sees imports at all
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in modules():
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles: %s" % [" -> ".join(c) for c in cycles]
