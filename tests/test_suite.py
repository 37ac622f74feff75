"""The suite's own layers: what `make check` leaves out is marked, whatever file it is in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("slow", "spark", "browser", "postgres")
#: Files holding tests of every layer but slow (which the test files mark themselves).
POSTGRES_PARAM = re.compile(r"[\[-]postgresql[\]-]")  # store_url's id in a test id
FILES = ["tests/test_engines.py", "tests/test_outcomes.py", "tests/test_browser_report.py"]

# Writes {test id: {"marks": its markers, "fixtures": the fixtures it uses}} to the file the option names.
PLUGIN = '''
import json

def pytest_addoption(parser):
    parser.addoption("--markers-to")

def pytest_collection_finish(session):
    marks = {
        item.nodeid: {"marks": sorted({m.name for m in item.iter_markers()}), "fixtures": item.fixturenames}
        for item in session.items
    }
    with open(session.config.getoption("markers_to"), "w") as out:
        json.dump(marks, out)
'''


def test_make_check_leaves_out_every_slow_layer():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (expression,) = re.findall(r"^FAST := (.+)$", makefile, re.M)
    assert expression.strip() == " and ".join(f"not {layer}" for layer in LAYERS)
    (check,) = re.findall(r"^check:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert '-m "$(FAST)"' in check
    # each property on a few examples, unless HYPOTHESIS_PROFILE says otherwise
    assert "HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-check} " in check
    assert settings.get_profile("check").max_examples < settings.get_profile("default").max_examples


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> dict[str, dict[str, list[str]]]:
    """Each test of FILES and the markers pytest gives it, collected as `make check` would."""
    folder = tmp_path_factory.mktemp("collect")
    (folder / "markers_plugin.py").write_text(PLUGIN, encoding="utf-8")
    out = folder / "markers.json"
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*command, "-p", "markers_plugin", f"--markers-to={out}", *FILES],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow  # a pytest run of its own: collects three test files
@pytest.mark.parametrize(
    ("layer", "belongs"),
    [
        ("spark", lambda test, fixtures: "spark" in fixtures),
        ("browser", lambda test, fixtures: test.startswith("tests/test_browser_")),
        ("postgres", lambda test, fixtures: "store_url" in fixtures and bool(POSTGRES_PARAM.search(test))),
    ],
    ids=["spark", "browser", "postgres"],
)
def test_each_layer_is_marked_by_what_it_uses(collected, layer, belongs):
    marked = {test for test, it in collected.items() if layer in it["marks"]}
    assert marked, f"no test is marked {layer}"
    assert marked == {test for test, it in collected.items() if belongs(test, it["fixtures"])}
    if layer == "browser":  # the browser tests are slow too: `pytest -m "not slow"` leaves them out
        assert all("slow" in collected[test]["marks"] for test in marked)


# --- reports shared by the tests of a session --------------------------------------------------


def test_a_shared_folder_is_built_once_and_a_failed_build_is_retried(tmp_path):
    from conftest import built_once

    builds = []

    def build(folder: Path) -> None:
        builds.append(folder)
        folder.mkdir()
        (folder / "report.html").write_text(f"build {len(builds)}", encoding="utf-8")

    with ThreadPoolExecutor(4) as pool:  # four workers asking at once
        folders = set(pool.map(lambda _: built_once(tmp_path / "report", build), range(4)))
    assert folders == {tmp_path / "report"}
    assert builds == [tmp_path / "report"]
    assert (tmp_path / "report" / "report.html").read_text(encoding="utf-8") == "build 1"

    def broken(folder: Path) -> None:
        folder.mkdir()
        (folder / "half.html").write_text("half", encoding="utf-8")
        raise RuntimeError("the notebook failed")

    with pytest.raises(RuntimeError, match="the notebook failed"):
        built_once(tmp_path / "other", broken)
    assert not (tmp_path / "other").exists()  # nobody reads half a build
    assert (built_once(tmp_path / "other", build) / "report.html").read_text(encoding="utf-8") == "build 2"


# --- the package's docstring examples ---------------------------------------------------------


def test_a_module_needing_an_optional_package_that_is_missing_is_not_collected(tmp_path, monkeypatch):
    import importlib.util

    from reconnect_lib import conftest as doctest_setup

    module = tmp_path / "spark_scan.py"
    module.write_text('"""On Spark."""\nimport os\n\nfrom pyspark.sql import functions\n', encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("import os\nimport pandas\n", encoding="utf-8")
    installed = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else installed(name, *a)
    )
    assert doctest_setup.missing_optional(module) == {"pyspark"}
    assert doctest_setup.pytest_ignore_collect(module, None) is True
    assert doctest_setup.pytest_ignore_collect(plain, None) is None
