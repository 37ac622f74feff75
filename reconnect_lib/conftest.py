"""pytest's setup for the docstring examples of reconnect_lib (``--doctest-modules``, pyproject.toml).

Each example runs from the repository root, whatever folder pytest was started
in, so an example may name ``data/sample/...`` as a README reader would. A module
that imports an optional package (Spark, Polars, DuckDB, PostgreSQL's driver) at
its top is not collected where that package is not installed: its examples
cannot run there, and its import would fail the whole collection.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Packages of the extras (pyproject.toml) and of the engines a user installs to use.
OPTIONAL = frozenset({"pyspark", "polars", "duckdb", "psycopg"})


def missing_optional(path: Path) -> set[str]:
    """The optional packages `path` imports at its top level that are not installed."""
    imported = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    return {name for name in imported & OPTIONAL if importlib.util.find_spec(name) is None}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix == ".py" and missing_optional(collection_path):
        return True
    return None  # let pytest decide


@pytest.fixture(autouse=True)
def _run_from_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
