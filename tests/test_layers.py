"""The common layer: declared once, importing nothing above it (DESIGN.md "Layers")."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest

import reconnect_lib
from reconnect_lib import options

PACKAGE = Path(reconnect_lib.__file__).parent
#: The common layer.
COMMON = ("_imports", "errors", "options", "weeks", "schema", "files", "money", "config")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _package_imports(path: Path) -> set[str]:
    """The package modules a file imports anywhere (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PACKAGE).parts) - 1
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("reconnect_lib"):
                    parts = node.module.split(".")[1:]
                    found.add(parts[0] if parts else "")
                continue
            up = node.level - 1 - depth  # levels above the package root
            assert up <= 0, f"{path}: relative import leaves the package"
            base = list(path.relative_to(PACKAGE).parts[: depth - (node.level - 1)])
            target = base + (node.module.split(".") if node.module else [])
            if target:
                found.add(target[0])
            else:  # ``from . import x``: each name is a module
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reconnect_lib."):
                    found.add(alias.name.split(".")[1])
    return found


@pytest.mark.parametrize("name", COMMON)
def test_common_modules_import_only_common(name: str) -> None:
    imported = _package_imports(PACKAGE / f"{name}.py")
    assert imported <= set(COMMON), f"{name}.py imports {sorted(imported - set(COMMON))} from above common"


def test_options_imports_nothing_from_the_package() -> None:
    assert _package_imports(PACKAGE / "options.py") <= {"errors"}


def _literal_values(node: ast.Subscript) -> tuple[object, ...] | None:
    if not (isinstance(node.value, ast.Name) and node.value.id == "Literal"):
        return None
    elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if not all(isinstance(e, ast.Constant) for e in elts):
        return None
    return tuple(e.value for e in elts)  # type: ignore[attr-defined]


def test_each_option_type_is_declared_once_in_options() -> None:
    declared = {
        get_args(getattr(options, name)): name
        for name in ("MeasureFrom", "ValueBasis", "Strategy", "Engine", "DecimalMark", "FirstChannel")
    }
    repeats = []
    for path in _modules():
        if path.name == "options.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Subscript) and (values := _literal_values(node)) in declared:
                repeats.append(f"{path.relative_to(PACKAGE)}:{node.lineno} repeats {declared[values]}")
    assert repeats == []


def test_the_stages_use_the_option_types_of_options() -> None:
    client_base, config, engines, plan, value = (
        importlib.import_module(f"reconnect_lib.{name}")
        for name in ("client_base", "config", "engines", "plan", "value")
    )

    assert client_base.MEASURE_FROM_CHOICES is options.MEASURE_FROM_CHOICES
    assert value.BASIS_CHOICES is options.BASIS_CHOICES
    assert plan.STRATEGIES is options.STRATEGIES
    assert engines.ENGINES is options.ENGINES
    assert config.Strategy is options.Strategy
    assert config.FirstChannel is plan.PrimaryChannel is options.FirstChannel


def test_iso_weeks_are_read_and_written_in_one_place() -> None:
    plan, reports, weeks = (
        importlib.import_module(f"reconnect_lib.{n}") for n in ("plan", "reports", "weeks")
    )
    assert plan.iso_week is reports.iso_week is weeks.iso_week
    assert plan.week_monday is reports.week_start is weeks.week_monday
    defined = [
        f"{path.relative_to(PACKAGE)}:{node.name}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name in {"iso_week", "week_monday", "week_start"}
    ]
    assert defined == ["weeks.py:iso_week", "weeks.py:week_monday"]


@pytest.mark.parametrize(
    "week", ["2026-48", "2025-W53", "2026-W54", "2026-W4", " 2026-W48", "2026-W48\n", None]
)
def test_a_bad_week_is_one_config_error_everywhere(week: object) -> None:
    from reconnect_lib.errors import ConfigError

    plan, reports = (importlib.import_module(f"reconnect_lib.{n}") for n in ("plan", "reports"))
    messages = []
    for read in (plan.week_monday, reports.week_start):
        with pytest.raises(ConfigError, match="is not an ISO week") as caught:
            read(week)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_report_error_is_declared_with_the_other_errors() -> None:
    from reconnect_lib import errors

    reports = importlib.import_module("reconnect_lib.reports")
    assert reports.ReportError is errors.ReportError
    assert issubclass(errors.ReportError, errors.ReconnectError)
    declared = [
        str(path.relative_to(PACKAGE))
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name == "ReportError"
    ]
    assert declared == ["errors.py"]


def test_data_file_suffixes_are_listed_once() -> None:
    known = {*options.CSV_SUFFIXES, *options.EXCEL_SUFFIXES, *options.PARQUET_SUFFIXES}
    repeats = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in _modules()
        if path.name != "options.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Tuple | ast.List | ast.Set)
        and sum(isinstance(e, ast.Constant) and e.value in known for e in node.elts) > 1
    ]
    assert repeats == []
    read, engines = (importlib.import_module(f"reconnect_lib.{n}") for n in ("load.read", "engines"))
    assert read.CSV_SUFFIXES is engines.CSV_SUFFIXES is options.CSV_SUFFIXES
    assert read.PARQUET_SUFFIXES is engines.PARQUET_SUFFIXES is options.PARQUET_SUFFIXES


# --- no import cycle --------------------------------------------------------------


def _module_name(path: Path) -> str:
    """``load/cells.py`` -> ``load.cells``; a package's ``__init__.py`` is the package ("" for the root)."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` but those under ``if TYPE_CHECKING:`` (names for annotations, never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in (child, *_runtime_nodes(child)))
            continue
        yield node
        yield from _runtime_nodes(node)


def _import_graph(*, runtime: bool = False) -> dict[str, set[str]]:
    """Which package modules each module imports, anywhere in it (top level, in functions, in TYPE_CHECKING).

    Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``: those count too,
    except a package the importer is inside (its ``__init__`` is already running).
    With `runtime`, imports under ``if TYPE_CHECKING:`` are left out.
    """
    paths = {_module_name(p): p for p in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        own = name.split(".") if name else []
        here = own if path.name == "__init__.py" else own[:-1]  # the package relative imports start from
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _runtime_nodes(tree) if runtime else ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - (node.level - 1)]
                    module = base + (node.module.split(".") if node.module else [])
                elif node.module and node.module.split(".")[0] == "reconnect_lib":
                    module = node.module.split(".")[1:]
                else:
                    continue
                subs = {".".join([*module, a.name]) for a in node.names} & paths.keys()
                targets |= subs  # ``from .pkg import mod`` imports the submodule
                if node.module or len(subs) < len(node.names):  # ``from . import mod`` needs no more
                    targets.add(".".join(module))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "reconnect_lib":
                        targets.add(".".join(alias.name.split(".")[1:]))
        edges = set()
        for target in targets:
            parts = target.split(".") if target else []
            for n in range(len(parts) + 1):
                ancestor = ".".join(parts[:n])
                if ancestor in paths and (n == len(parts) or parts[:n] != own[:n]):
                    edges.add(ancestor)
        edges.discard(name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_sees_function_level_and_package_imports() -> None:
    graph = _import_graph()
    assert "load.cells" in graph["load.tables"]  # from .cells import ...
    assert "schema" in graph["load.cells"]  # from .. import schema as s
    assert "engines" in graph["load.scan"]  # inside scan_inputs
    assert {"load", "load.cells"} <= graph["outcomes"]  # from .load.cells import: runs load's __init__
    assert "load" not in graph["load.tables"]  # its own package is already importing
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_the_package_modules() -> None:
    assert _cycles(_import_graph()) == []


def test_the_input_dtypes_are_declared_once_below_load_and_engines() -> None:
    from reconnect_lib import engines, load, schema

    assert load.DTYPES is schema.INPUT_DTYPES
    text = [c for c, t in schema.INPUT_DTYPES.items() if t == "string"]
    assert {c: engines.pandas_dtypes()[c] for c in text} == dict.fromkeys(text, "string")


_READ_KEYS = ("date_format", "dayfirst", "decimal", "delimiter", "encoding", "sheet")


def test_the_read_options_of_a_campaign_are_taken_from_its_config_in_one_place() -> None:
    """``[data]``'s read options become a ReadOptions in load/read_options.py only; everything
    else is handed that object, so no reader can miss or misname one of them."""
    read_from_config = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr in (*_READ_KEYS, "column_map", "columns")):
                continue
            owner = node.value
            # (``data.columns`` of a frame named data is no option)
            if (isinstance(owner, ast.Attribute) and owner.attr == "data") or (
                isinstance(owner, ast.Name) and owner.id == "data" and node.attr != "columns"
            ):
                read_from_config.append(f"{path.relative_to(PACKAGE)}:{node.lineno} reads data.{node.attr}")
    assert {entry.split(":")[0] for entry in read_from_config} == {"load/read_options.py"}, read_from_config


def test_load_is_a_package_of_modules_by_job_behind_one_face() -> None:
    load = importlib.import_module("reconnect_lib.load")
    assert Path(load.__file__).name == "__init__.py"
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (PACKAGE / "load").glob("*.py")}
    assert max(lines.values()) <= 900, lines
    public = {"load_inputs", "load_clients", "scan_inputs", "read_table", "Inputs", "ReadOptions", "DTYPES"}
    assert public <= set(load.__all__)
    # the face defines nothing: each public function and class lives in the module of its job
    defined_in_face = [
        name
        for name in load.__all__
        if getattr(getattr(load, name), "__module__", "reconnect_lib.load.x") == "reconnect_lib.load"
    ]
    assert defined_in_face == []


# --- the stages read no file and no store -----------------------------------------------

#: The pipeline's stages: pure functions over frames (DESIGN.md, "stages").
STAGES = ("history", "client_base", "dormancy", "value", "plan", "metrics", "clv")
#: What reads files or the outcome store, or shows: a stage that imported one of them would do I/O.
READERS_AND_FACES = (
    "load", "outcomes", "pipeline", "weekly", "reports", "exports", "files", "cli", "notebook",
    "plots", "widgets", "init", "sample",
)  # fmt: skip


def _in(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in roots)


def test_the_stages_import_no_reader_of_files_or_the_store_and_no_face() -> None:
    graph = _import_graph(runtime=True)
    stages = [name for name in graph if _in(name, STAGES)]
    assert {"history", "plan", "metrics.status", "clv.bgnbd"} <= set(stages)
    found = {stage: sorted(t for t in graph[stage] if _in(t, READERS_AND_FACES)) for stage in stages}
    assert {stage: targets for stage, targets in found.items() if targets} == {}


def test_imports_for_annotations_only_are_not_runtime_imports() -> None:
    assert "load" in _import_graph()["history"]  # Inputs, for the annotations
    assert "load" not in _import_graph(runtime=True)["history"]
