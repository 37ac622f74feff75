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
