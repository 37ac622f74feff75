"""Every documented example runs: the README's Python blocks and the docstrings of the faces."""

import doctest
import os
import re
from pathlib import Path

import pytest

from reconnect_lib import config, engines, errors, notebook, pipeline, plots, reports, weekly

ROOT = Path(__file__).parents[1]


def test_readme_python_examples_run(monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert len(namespace["scored"]) == len(namespace["campaign"].scored) == 532


@pytest.mark.parametrize(
    "module",
    [config, engines, errors, notebook, pipeline, plots, reports, weekly],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module):
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    finally:
        os.chdir(cwd)
    assert result.failed == 0


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
