"""The import graph: no cycles, no arrow from a lower layer to a higher one.

Read with the standard library's ``ast`` rather than import-linter: the whole rule fits in this
file, it needs no configuration language, and it sees every import (inside functions and
``TYPE_CHECKING`` blocks too: a lazy import is still a dependency of the design, only a
cheaper one at run time). An import of ``graderlib.x`` by name through ``importlib`` is not
seen; there are two, in the CLI, the top layer, where nothing can point upward.

Every module must be placed in a layer: a new module makes this test fail until its author
decides where it belongs.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module may import from its own layer and the layers below, never above.
# Names are module paths under ``graderlib.``; a package's name covers all its modules, and
# the longest name that fits decides (``generate.cli`` is a command, ``generate`` is not).
# Some names are placed ahead of their modules (loader, integrations), as DESIGN.md lays the
# house out. The verify package spans layers: its patch parser, facts and sandbox runner are
# standard-library-level tools that the sandbox, the verdict and the judge build on.
# evaluate.engine (where per-task work runs: a process pool or Ray) knows nothing of graderlib,
# so the task generator can run on it too.
LAYERS: list[tuple[str, set[str]]] = [
    ("foundations", {"cwe", "locate", "nesting", "pyparse", "near", "settings", "data",
                     "evaluate.engine"}),
    ("vocabulary", {"taxonomy", "annotations", "verify.patch", "verify.facts", "verify.runner"}),
    ("models", {"findings", "task", "catalog", "loader", "policy", "report", "generate"}),
    ("analysis", {"matching", "detectors"}),
    ("grading", {"grading", "sarif", "verify.sandbox"}),
    ("verify", {"verify"}),
    ("evaluate", {"episode", "agents", "scorecard", "evaluate", "testing"}),
    ("integrations", {"integrations"}),
    ("cli", {"cli", "__main__"}),
]  # fmt: skip
# Detectors find code; they know nothing of how findings are scored (data flows one way).
INDEPENDENT = {"detectors": {"matching", "policy", "report", "grading"}}


def _modules(package: Path) -> dict[str, Path]:
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if "bases" in parts[:-1]:  # generator templates: data, not code of the package
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules(ROOT / "graderlib")


def _imports(path: Path, known: set[str]) -> set[str]:
    """The graderlib modules ``path`` imports (``from pkg import module`` names the module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "graderlib")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] != "graderlib":
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level and "graderlib" in path.parts:
            raise AssertionError(f"{path}: relative import; graderlib imports absolutely")
    return found


GRAPH = {name: _imports(path, set(MODULES)) - {name} for name, path in MODULES.items()}


def _layer(module: str) -> int:
    """The layer of ``graderlib.<x>``: the longest listed prefix of ``x`` decides."""
    inner = module.removeprefix("graderlib.")
    placed = [
        (len(name), number)
        for number, (_, names) in enumerate(LAYERS)
        for name in names
        if inner == name or inner.startswith(name + ".")
    ]
    assert placed, f"{module} is in no layer: add it to LAYERS in {__file__}"
    return max(placed)[1]


def test_the_import_graph_has_no_cycle() -> None:
    graph = {m: deps for m, deps in GRAPH.items() if m != "graderlib"}  # the root: a facade
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_no_module_imports_a_higher_layer_or_the_root() -> None:
    upward = []
    for module, deps in GRAPH.items():
        if module == "graderlib":
            continue
        assert "graderlib" not in deps, f"{module} imports the root package (a facade)"
        for dep in deps:
            if _layer(dep) > _layer(module):
                upward.append(
                    f"{module} ({LAYERS[_layer(module)][0]}) -> {dep} ({LAYERS[_layer(dep)][0]})"
                )
    assert not upward, "imports of a higher layer:\n" + "\n".join(sorted(upward))


def test_detectors_know_nothing_of_grading() -> None:
    for package, forbidden in INDEPENDENT.items():
        for module, deps in GRAPH.items():
            if not module.startswith(f"graderlib.{package}"):
                continue
            wrong = {d for d in deps if d.removeprefix("graderlib.").split(".")[0] in forbidden}
            assert not wrong, f"{module} imports {sorted(wrong)}"


def test_env_imports_only_the_graderlib_root() -> None:
    env_modules = _modules(ROOT / "env")
    known = set(MODULES)
    wrong = {
        f"{name} imports {dep}"
        for name, path in env_modules.items()
        for dep in _imports(path, known)
        if dep != "graderlib"
    }
    assert not wrong, "env must use graderlib's public API:\n" + "\n".join(sorted(wrong))


def test_the_checker_sees_what_it_must() -> None:
    """The reading of imports itself: a checker that sees nothing would pass everything."""
    assert "graderlib.matching" in GRAPH["graderlib.grading"]
    # ``from graderlib.verify import runner`` names the module, not the package:
    assert "graderlib.verify.runner" in GRAPH["graderlib.verify.sandbox"]
    assert _layer("graderlib.verify.verify") > _layer("graderlib.verify.sandbox")
    assert sum(len(deps) for deps in GRAPH.values()) > 100
