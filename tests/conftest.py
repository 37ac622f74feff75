"""Shared test setup: hypothesis profiles and pandas/Polars parametrisation.

Hypothesis profiles (as pandera does): ``check`` is the edit-test loop of
``make check`` (every property still runs, on a few examples), ``default`` is
quick for a developer's run, ``ci`` is thorough. Pick one with the environment
variable ``HYPOTHESIS_PROFILE`` (``HYPOTHESIS_PROFILE=ci pytest``).

Fixtures for tests that run on both engines:

- ``engine``: ``"pandas"`` or ``"polars"`` (a test using it runs once per engine);
- ``to_engine``: converts a pandas frame built in a test to the engine's frame
  type (Polars dates become ``pl.Date``, as reconnect_lib.load produces them);
- ``convert``: the same conversion as a function ``convert(frame, engine)``
  (session-scoped, so hypothesis tests can use it);
- ``records``: any frame as a list of plain-Python row dicts (dates as
  ``datetime.date``, missing values as ``None``, floats rounded to 9 places), so
  outputs of different engines compare with ``==`` (session-scoped).

Layers (markers, registered in pyproject.toml; ``make check`` deselects all four):

- ``slow``: notebook runs, killed subprocesses, large data (marked in the test files);
- ``spark``: every test using the ``spark`` fixture (PySpark in local mode);
- ``browser``: every test of a ``test_browser_*.py`` file (Chromium, JupyterLab);
- ``postgres``: every test run against the PostgreSQL store (``store_url`` = "postgresql").

The sample firms' reports, built once per session and shared (``sample_report``,
``hostile_report``): with pytest-xdist each worker is a process of its own, so the
first worker to ask for a report builds it under a file lock in a folder all
workers of the session share, and the others read it. Tests only read these
reports; a test that needs other inputs, or changes a report, builds its own.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd
import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

settings.register_profile("check", max_examples=10, deadline=None)
settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ENGINES = ("pandas", "polars")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


# --- layers ---------------------------------------------------------------------------------


def layers_of(item: pytest.Item) -> set[str]:
    """The markers of the layers `item` belongs to by what it uses (its fixtures, its file)."""
    layers = set()
    if "spark" in getattr(item, "fixturenames", ()):
        layers.add("spark")
    if item.path.name.startswith("test_browser_"):
        layers.update(("browser", "slow"))
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("store_url") == "postgresql":
        layers.add("postgres")
    return layers


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for name in sorted(layers_of(item)):
            item.add_marker(getattr(pytest.mark, name))


def pandas_to_engine(frame: pd.DataFrame, engine: str) -> Any:
    """`frame` as the given engine's frame (a copy for pandas)."""
    if engine == "pandas":
        return frame.copy()
    if engine == "polars":
        import polars as pl

        out = pl.from_pandas(frame)
        dates = [name for name, dtype in out.schema.items() if isinstance(dtype, pl.Datetime)]
        return out.with_columns(pl.col(c).cast(pl.Date) for c in dates)
    raise ValueError(f"unknown engine {engine!r}")


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        return _plain(value.item())
    if isinstance(value, float):
        return round(value, 9)
    return value


def frame_records(frame: Any) -> list[dict[str, Any]]:
    """Any eager frame as plain-Python row dicts, comparable across engines."""
    rows = nw.from_native(frame, eager_only=True).rows(named=True)
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def to_engine(engine: str) -> Callable[[pd.DataFrame], Any]:
    return lambda frame: pandas_to_engine(frame, engine)


@pytest.fixture(scope="session")
def convert() -> Callable[[pd.DataFrame, str], Any]:
    return pandas_to_engine


@pytest.fixture(scope="session")
def records() -> Callable[[Any], list[dict[str, Any]]]:
    return frame_records


@pytest.fixture
def consulting_copy(tmp_path: Path) -> Path:
    """campaign.toml of a copy of the sample consulting firm whose reports go into tmp_path/reports."""
    sample = Path(__file__).parents[1] / "data" / "sample" / "consulting-firm"
    folder = tmp_path / "firm"
    folder.mkdir()
    for name in ("clients.csv", "transactions.csv", "contacts.csv"):
        shutil.copy(sample / name, folder / name)
    text = (sample / "campaign.toml").read_text(encoding="utf-8")
    (folder / "campaign.toml").write_text(
        text.replace('"../../../reports"', '"../reports"'), encoding="utf-8"
    )
    return folder / "campaign.toml"


# --- the sample firms' reports, built once per session ---------------------------------------

REPORT_STEMS = {"overview": "client_base_overview", "weekly": "weekly_campaign_report"}


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this session shares (the session's own without xdist)."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's basetemp is <the session's basetemp>/popen-gwN.
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    folder.mkdir(exist_ok=True)
    return folder


def built_once(folder: Path, build: Callable[[Path], None]) -> Path:
    """`folder`, which ``build(folder)`` fills the first time any worker asks (the others wait and read).

    A build that fails leaves no folder behind, so the next test to ask tries again
    (and fails with its own traceback) rather than reading half a build.
    """
    with FileLock(folder.with_name(folder.name + ".lock")):
        done = folder / ".built"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            try:
                build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            done.touch()
    return folder


def run_sample_report(kind: str, config: Path, reports_folder: Path) -> Any:
    """The `kind` report of a campaign for the ISO week of its as_of, into `reports_folder`."""
    from reconnect_lib.config import load_config
    from reconnect_lib.reports import run_report
    from reconnect_lib.weeks import iso_week

    cfg = load_config(config)
    return run_report(
        kind,
        config=cfg.source,
        campaign=cfg.campaign.name,
        reports_folder=reports_folder,
        week=iso_week(cfg.campaign.as_of),
        as_of=cfg.campaign.as_of,
        progress=False,
    )


def _report_paths(folder: Path, kind: str) -> Any:
    """The ReportPaths of the one report built into `folder`."""
    from reconnect_lib.reports import ReportPaths

    (html,) = folder.glob(f"*/*/{REPORT_STEMS[kind]}.html")
    return ReportPaths(notebook=html.with_suffix(".ipynb"), html=html, numbers=html.with_suffix(".json"))


@pytest.fixture(scope="session")
def sample_report(shared_folder: Path) -> Callable[[str, str], Any]:
    """``sample_report(kind, firm)``: the ReportPaths of a sample firm's report, as the sample is.

    Built on first use, once per session, into ``<shared>/<kind>-<firm>/<firm>/<week>/``.
    Read it, never change it: copy it into tmp_path first.
    """

    def report(kind: str, firm: str) -> Any:
        folder = built_once(
            shared_folder / f"{kind}-{firm}",
            lambda out: run_sample_report(kind, SAMPLE / firm / "campaign.toml", out),
        )
        return _report_paths(folder, kind)

    return report


@pytest.fixture(scope="session")
def hostile_report(shared_folder: Path) -> Callable[[str], Any]:
    """``hostile_report(kind)``: a report of the consulting firm with markup in every user-supplied text.

    The firm is ``browser_support.hostile_firm("consulting-firm", ...)``: campaign
    name and description, every client's name and company, the busiest account
    owner. Both reports are built together (one after the other: the weekly one
    writes the firm's outcome store), once per session, on first use.
    """
    from browser_support import hostile_firm

    def build(folder: Path) -> None:
        config = hostile_firm("consulting-firm", folder / "firm")
        for kind in REPORT_STEMS:
            run_sample_report(kind, config, folder / kind)

    def report(kind: str) -> Any:
        return _report_paths(built_once(shared_folder / "hostile", build) / kind, kind)

    return report
