"""Every documented example runs: the README's Python blocks and the docstrings of the package.

The docstring examples of reconnect_lib run as pytest items (``--doctest-modules``
in pyproject.toml); the tests here make sure they are collected and that none is
an example in name only (every one skipped, or a face with none).
"""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import reconnect_lib

ROOT = Path(__file__).parents[1]


def test_readme_python_examples_run(monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert len(namespace["scored"]) == len(namespace["campaign"].scored) == 532


def runnable_examples(module: ModuleType) -> list[doctest.Example]:
    """The `>>>` examples of `module` that run (not marked ``+SKIP``), as pytest's doctest finds them."""
    return [
        example
        for test in doctest.DocTestFinder().find(module)
        for example in test.examples
        if not example.options.get(doctest.SKIP)
    ]


def package_modules() -> list[ModuleType]:
    modules = [reconnect_lib]
    for info in pkgutil.walk_packages(reconnect_lib.__path__, "reconnect_lib."):
        if info.name != "reconnect_lib.conftest":
            modules.append(importlib.import_module(info.name))
    return modules


def test_pytest_runs_the_docstring_examples_of_the_package(pytestconfig):
    assert pytestconfig.getoption("doctestmodules")
    assert "reconnect_lib" in pytestconfig.getini("testpaths")
    assert set(pytestconfig.getini("doctest_optionflags")) >= {"NORMALIZE_WHITESPACE", "ELLIPSIS"}


def test_every_module_with_examples_runs_at_least_one():
    """An example marked ``+SKIP`` is never run: a module whose every example is skipped tests nothing."""
    documented = [m for m in package_modules() if ">>>" in Path(m.__file__).read_text(encoding="utf-8")]
    assert len(documented) >= 15
    assert [m.__name__ for m in documented if not runnable_examples(m)] == []


#: The modules a notebook user reads (the package's faces): each shows what it does by an example that runs.
FACES = ["config", "engines", "errors", "notebook", "pipeline", "plots", "reports", "weekly"]
#: Faces whose module docstring shows no example that doctest runs yet (errors.py's is a ``::`` block).
WITHOUT_EXAMPLES: set[str] = set()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason=f"reconnect_lib/{name}.py has no `>>>` example yet"),
        )
        if name in WITHOUT_EXAMPLES
        else name
        for name in FACES
    ],
)
def test_each_face_runs_an_example(name):
    assert runnable_examples(importlib.import_module(f"reconnect_lib.{name}"))


def test_the_reliability_section_names_tests_that_exist():
    """Each test the README's Reliability section cites is a test of the suite, so the table cannot rot."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reliability", 1)[1].split("\n## ", 1)[0]
    cited_files = set(re.findall(r"`?(test_\w+\.py)`?", section))
    cited_tests = set(re.findall(r"`(test_\w+)`", section)) - {f.removesuffix(".py") for f in cited_files}
    assert len(cited_tests) >= 10
    for name in cited_files:
        assert (ROOT / "tests" / name).is_file(), name
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    assert cited_tests <= defined, sorted(cited_tests - defined)
