"""Faults while writing: names that escape a folder, kills, read-only targets, full disks, races.

Whatever goes wrong while reconnect writes, nothing the user had is gone, no
half-written file sits at a final path, the error is one readable message, and a
rerun succeeds and removes what the failed run left.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconnect_lib.files import WriteError, safe_folder_name

# --- safe_folder_name --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["consulting-firm", "financial-planner", "Pike & Okoye (2026)", "Büro Müller", "q4_2026.v2"]
)
def test_safe_folder_name_keeps_a_readable_name(name):
    assert safe_folder_name(name) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/abs", "abs"),
        ("../../..", "campaign"),
        ("..", "campaign"),
        (".", "campaign"),
        ("", "campaign"),
        ("a/../../b", "a-.-.-b"),
        ("C:\\Windows\\x", "C-Windows-x"),
        (".hidden", "hidden"),
        ("nul", "_nul"),
        ("COM1.txt", "_COM1.txt"),
        ("line\nbreak\ttab", "line-break-tab"),
        ("trailing. ", "trailing"),
    ],
)
def test_safe_folder_name_makes_one_harmless_folder(name, expected):
    assert safe_folder_name(name) == expected


def test_safe_folder_name_bounds_length_and_keeps_long_names_apart():
    a, b = "x" * 300 + "a", "x" * 300 + "b"
    assert len(safe_folder_name(a)) <= 80
    assert len(safe_folder_name("é" * 300).encode()) <= 160
    assert safe_folder_name(a) != safe_folder_name(b)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_folder_name_never_leaves_its_folder(name):
    out = safe_folder_name(name)
    base = Path("/tmp/sf").resolve()
    assert out
    assert out not in (".", "..")
    assert "/" not in out
    assert "\\" not in out
    assert ".." not in out
    assert not out.startswith((".", "-", " "))
    assert not out.endswith((".", " "))
    assert all(ord(c) >= 32 and c not in '<>:"|?*' for c in out)
    assert len(out) <= 80
    assert len(out.encode("utf-8")) <= 160
    assert Path(out).name == out
    assert (base / out).resolve().parent == base
    assert safe_folder_name(out) == out  # applying it twice changes nothing


# --- helpers -----------------------------------------------------------------------------

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "data" / "sample" / "consulting-firm"
WEEK = "2026-W48"
PYTHON = sys.executable


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def temps(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(".tmp-*"))


@pytest.fixture(scope="module")
def sample_plan():
    from reconnect_lib.config import load_config
    from reconnect_lib.pipeline import scored_base
    from reconnect_lib.plan import plan_from_config

    cfg = load_config(SAMPLE / "campaign.toml")
    campaign = scored_base(cfg, as_of=cfg.campaign.as_of)
    return plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of)


@pytest.fixture
def user_folder(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A user's folder with their own files beside the one reconnect writes into."""
    home = tmp_path / "home"
    home.mkdir()
    planted = {"campaign.toml": b"[campaign]\nname = 'x'\n", "clients.csv": b"client_id\nC1\n"}
    for name, data in planted.items():
        (home / name).write_bytes(data)
    return home, planted


def week_versions(plan, folder: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The bytes of a week written for two firms: the 'old' and the 'new' version of every file."""
    from reconnect_lib.exports import write_week

    versions = []
    for firm in ("Old Firm", "New Firm"):
        scratch = folder / f"version-{len(versions)}"
        write_week(plan, WEEK, scratch, firm=firm)
        versions.append({k: v for k, v in tree(scratch).items() if not k.startswith(".reconnect")})
        shutil.rmtree(scratch)
    return versions[0], versions[1]


def assert_old_or_new(out: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every file reconnect wrote is whole: the old week's bytes or the new week's."""
    for rel, data in tree(out).items():
        if rel.startswith((".reconnect", ".tmp-", "my-")) or "/.tmp-" in rel:
            continue  # reconnect's own bookkeeping, a killed run's scratch, the user's file
        assert data in (old.get(rel), new.get(rel)), f"{rel} is neither the old nor the new file"


# --- plan: a failure at every step -------------------------------------------------------


def _count_replaces(monkeypatch, run) -> int:
    calls = []
    real = os.replace

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, "replace", counting)
    run()
    monkeypatch.setattr(os, "replace", real)
    return len(calls)


def _disk_full_at(monkeypatch, failing: int, *, into: Path | None = None) -> None:
    """Make the `failing`-th os.replace (counting from 0; only those into `into`) fail as a full disk."""
    real = os.replace
    calls = iter(range(10**6))

    def flaky(*args, **kwargs):
        if (into is None or Path(args[1]).parent == into) and next(calls) == failing:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, "replace", flaky)


@pytest.mark.slow
def test_plan_a_failure_at_any_step_loses_nothing_and_a_rerun_completes(
    sample_plan, user_folder, tmp_path, monkeypatch
):
    from reconnect_lib.exports import write_week

    home, planted = user_folder
    old, new = week_versions(sample_plan, tmp_path)
    out = home / "plan"
    write_week(sample_plan, WEEK, out, firm="Old Firm")
    (out / "my-notes.txt").write_bytes(b"mine")
    steps = _count_replaces(monkeypatch, lambda: write_week(sample_plan, WEEK, out, firm="Old Firm"))
    assert steps > 10  # the manifest twice and every file once
    real = os.replace
    for failing in range(steps):
        _disk_full_at(monkeypatch, failing)
        with pytest.raises(WriteError, match="the disk is full"):
            write_week(sample_plan, WEEK, out, firm="New Firm")
        monkeypatch.setattr(os, "replace", real)
        assert {k: tree(home)[k] for k in planted} == planted
        assert (out / "my-notes.txt").read_bytes() == b"mine"
        assert_old_or_new(out, old, new)
        assert temps(home) == []  # a failure that is not a kill cleans up at once
        write_week(sample_plan, WEEK, out, firm="Old Firm")  # back to the old week for the next step
    write_week(sample_plan, WEEK, out, firm="New Firm")
    written = {k: v for k, v in tree(out).items() if not k.startswith(".reconnect") and k != "my-notes.txt"}
    assert written == new


class _HalfWrite:
    """A file whose writes stop half-way with a full disk."""

    def __init__(self, raw):
        self.raw = raw

    def write(self, data):
        self.raw.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.raw.close()


def test_plan_on_a_full_disk_is_one_message_and_changes_nothing(sample_plan, user_folder, monkeypatch):
    import reconnect_lib.files as files_module
    from reconnect_lib.exports import write_week

    home, _ = user_folder
    out = home / "plan"
    write_week(sample_plan, WEEK, out, firm="Old Firm")
    before = tree(home)

    def half_open(*args, **kwargs):
        return _HalfWrite(open(*args, **kwargs))

    monkeypatch.setattr(files_module, "open", half_open, raising=False)
    with pytest.raises(WriteError) as caught:
        write_week(sample_plan, WEEK, out, firm="New Firm")
    assert "the disk is full" in str(caught.value)
    assert "free some disk space" in str(caught.value)
    assert tree(home) == before
    monkeypatch.undo()
    write_week(sample_plan, WEEK, out, firm="New Firm")
    assert temps(home) == []


@pytest.mark.parametrize("blocker", ["file", "under_a_file", "read_only"])
def test_plan_into_an_unwritable_target_is_one_message(sample_plan, user_folder, blocker, monkeypatch):
    from reconnect_lib.exports import write_week

    home, _ = user_folder
    out = home / "plan"
    if blocker == "file":
        out.write_bytes(b"a file where the folder would go")
    elif blocker == "under_a_file":
        (home / "block").write_bytes(b"a file")
        out = home / "block" / "plan"
    else:
        write_week(sample_plan, WEEK, out)
        if os.geteuid() != 0:
            out.chmod(0o555)
        else:  # root writes anywhere: make the folder refuse as a read-only one would

            def refuse(*args, **kwargs):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out))

            monkeypatch.setattr(os, "link", refuse)
            monkeypatch.setattr(os, "replace", refuse)
            monkeypatch.setattr(Path, "mkdir", refuse)
    before = tree(home)
    try:
        with pytest.raises(WriteError) as caught:
            write_week(sample_plan, WEEK, out, firm="New Firm")
    finally:
        monkeypatch.undo()
        if out.is_dir():
            out.chmod(0o755)
    message = str(caught.value)
    assert str(out) in message
    assert "Hint:" in message
    assert ("is a file, not a folder" if blocker != "read_only" else "permission denied") in message
    assert tree(home) == before
    assert temps(home) == []


# --- plan: kill -9 -----------------------------------------------------------------------

KILL_AT_STEP = """
import os, pickle, signal, sys
from reconnect_lib.exports import write_week
plan = pickle.load(open(sys.argv[1], "rb"))
step = int(sys.argv[3])
real = os.replace
calls = [0]
def replace(*args, **kwargs):
    if calls[0] == step:
        os.kill(os.getpid(), signal.SIGKILL)
    calls[0] += 1
    return real(*args, **kwargs)
os.replace = replace
write_week(plan, "2026-W48", sys.argv[2], firm="New Firm")
"""


@pytest.mark.slow
def test_plan_killed_at_any_step_keeps_every_file_whole_and_a_rerun_cleans_up(
    sample_plan, user_folder, tmp_path
):
    from reconnect_lib.exports import write_week

    home, planted = user_folder
    old, new = week_versions(sample_plan, tmp_path)
    out = home / "plan"
    pickled = tmp_path / "plan.pickle"
    pickled.write_bytes(pickle.dumps(sample_plan))
    script = tmp_path / "kill.py"
    script.write_text(KILL_AT_STEP, encoding="utf-8")
    steps = len(new) + 2  # every file, then the manifest before and after
    for step in sorted({0, 1, 2, steps // 2, steps - 2, steps - 1}):
        write_week(sample_plan, WEEK, out, firm="Old Firm")
        done = subprocess.run([PYTHON, str(script), str(pickled), str(out), str(step)], check=False)
        assert done.returncode == -signal.SIGKILL
        assert {k: tree(home)[k] for k in planted} == planted
        assert_old_or_new(out, old, new)
        assert temps(out)  # the killed run's scratch folder is still there...
        write_week(sample_plan, WEEK, out, firm="New Firm")
        assert temps(home) == []  # ...until the next run removes it
        written = {k: v for k, v in tree(out).items() if not k.startswith(".reconnect")}
        assert written == new


@pytest.mark.slow
def test_two_plan_runs_at_once_take_turns(campaign, tmp_path):
    out = tmp_path / "out"
    command = [str(Path(PYTHON).parent / "reconnect"), "plan", "--config", str(campaign), "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert "Traceback" not in "".join(outputs)
    assert temps(tmp_path) == []
    first = tree(out)
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    assert tree(out) == first


@pytest.fixture
def campaign(consulting_copy: Path) -> Path:
    return consulting_copy


@pytest.mark.slow
def test_plan_killed_at_random_times_by_the_clock(campaign, tmp_path):
    # The CLI as a user runs it, killed at a few moments of its run (not a timing assertion:
    # whenever the kill lands, the same things must hold).
    home = campaign.parent
    out = home / "out"
    planted = tree(home)
    command = [str(Path(PYTHON).parent / "reconnect"), "plan", "--config", str(campaign), "--out", str(out)]
    for delay in (0.5, 1.5, 2.5, 4.0):
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert {k: tree(home)[k] for k in planted} == planted
    result = subprocess.run(command, capture_output=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert temps(tmp_path) == []
    assert (out / "plan.csv").exists()


# --- report ------------------------------------------------------------------------------


def tiny_notebooks(folder: Path, extra: str = "") -> Path:
    """Report notebooks of two cells (quick to run) standing in for the real ones."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('config = ""\nas_of = ""\nweek = ""\nsidecar = ""')
    params.metadata["tags"] = ["parameters"]
    sidecar = "import json, pathlib\npathlib.Path(sidecar).write_text(json.dumps({'week': week}))"
    nb.cells = [params, nbformat.v4.new_code_cell(sidecar)]
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    for name in ("client_base_overview.ipynb", "weekly_campaign_report.ipynb"):
        nbformat.write(nb, folder / name)
    return folder


def tiny_report(reports: Path, notebooks: Path, campaign: str = "consulting-firm"):
    from datetime import date

    from reconnect_lib.reports import run_report

    return run_report(
        "weekly",
        config=SAMPLE / "campaign.toml",
        campaign=campaign,
        reports_folder=reports,
        week=WEEK,
        as_of=date(2026, 11, 23),
        notebooks=notebooks,
        progress=False,
        timeout=120,
    )


@pytest.mark.slow
def test_report_stays_in_its_folder_and_a_rerun_removes_what_killed_runs_left(user_folder, tmp_path):
    home, planted = user_folder
    reports = home / "reports"
    notebooks = tiny_notebooks(tmp_path / "nb")
    paths = tiny_report(reports, notebooks, campaign="../../escape")
    assert paths.html == reports / "escape" / WEEK / "weekly_campaign_report.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "nb"]
    assert sorted(p.name for p in home.iterdir()) == [*sorted(planted), "reports"]
    campaign_dir = reports / "escape"
    dead = _dead_pid()
    (campaign_dir / f".tmp-r{dead}-{WEEK}-0123456789").mkdir()
    (campaign_dir / f".tmp-r{dead}-{WEEK}-0123456789" / "weekly_campaign_report.ipynb").write_bytes(b"{")
    legacy = campaign_dir / f".tmp-{WEEK}-ab12cd_9"  # left by a run before names carried a process id
    legacy.mkdir()
    os.utime(legacy, (time.time() - 7200, time.time() - 7200))
    tiny_report(reports, notebooks, campaign="../../escape")
    assert sorted(p.name for p in campaign_dir.iterdir()) == [WEEK]
    assert json.loads(paths.numbers.read_text(encoding="utf-8")) == {"week": WEEK}


def _dead_pid() -> int:
    child = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(child.stdout)


@pytest.mark.slow
def test_a_kernel_that_dies_is_a_report_error_and_the_last_report_stays(tmp_path):
    from reconnect_lib.reports import ReportError

    reports = tmp_path / "reports"
    good = tiny_report(reports, tiny_notebooks(tmp_path / "good"))
    before = tree(reports)
    dying = tiny_notebooks(tmp_path / "dying", extra="import os\nos._exit(1)")
    with pytest.raises(ReportError) as caught:
        tiny_report(reports, dying)
    message = str(caught.value)
    assert "the weekly report could not run: DeadKernelError" in message
    assert "the previous report is unchanged" in message
    failed = reports / "consulting-firm" / "failed" / f"{WEEK}-weekly_campaign_report.ipynb"
    assert f"kept at {failed}" in message
    assert failed.exists()
    assert {k: v for k, v in tree(reports).items() if not k.startswith("consulting-firm/failed/")} == before
    assert temps(reports) == []
    assert good.html.exists()


def test_a_notebook_that_is_not_json_is_a_report_error(tmp_path):
    from reconnect_lib.reports import ReportError

    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    (notebooks / "weekly_campaign_report.ipynb").write_text("{ not json", encoding="utf-8")
    with pytest.raises(ReportError, match="the weekly report could not run") as caught:
        tiny_report(tmp_path / "reports", notebooks)
    assert "no notebook was produced" in str(caught.value)
    assert temps(tmp_path) == []


@pytest.mark.parametrize("blocker", ["file", "under_a_file", "read_only"])
def test_report_into_an_unwritable_reports_folder_is_one_message(tmp_path, blocker, monkeypatch):
    reports = tmp_path / "reports"
    notebooks = tiny_notebooks(tmp_path / "nb")
    if blocker == "file":
        reports.write_bytes(b"a file")
    elif blocker == "under_a_file":
        reports.mkdir()
        (reports / "consulting-firm").write_bytes(b"a file")
    elif os.geteuid() != 0:
        reports.mkdir(mode=0o555)
    else:  # root writes anywhere: make the folder refuse as a read-only one would
        reports.mkdir()

        def refuse(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

        monkeypatch.setattr(Path, "mkdir", refuse)
    before = tree(tmp_path)
    with pytest.raises(WriteError) as caught:
        tiny_report(reports, notebooks)
    message = str(caught.value)
    assert "cannot write" in message
    assert "Hint: check [reports] folder in campaign.toml" in message
    assert ("is a file, not a folder" if blocker != "read_only" else "permission denied") in message
    assert tree(tmp_path) == before


@pytest.mark.slow
def test_report_a_full_disk_at_any_step_keeps_each_file_whole(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    notebooks = tiny_notebooks(tmp_path / "nb")
    tiny_report(reports, notebooks)
    week = reports / "consulting-firm" / WEEK
    old = tree(week)
    real = os.replace
    for failing in range(4):  # the manifest of digests, the numbers, the notebook, the page
        _disk_full_at(monkeypatch, failing, into=week)
        with pytest.raises(WriteError, match="the disk is full"):
            tiny_report(reports, notebooks)
        monkeypatch.setattr(os, "replace", real)
        assert set(tree(week)) == set(old)
        for rel, data in tree(week).items():
            if rel.startswith(".reconnect-"):  # the digests of the old files and the new: both are its own
                assert json.loads(data)["sha256"]
            elif rel.endswith(".json"):
                assert data == old[rel]
            else:  # the notebook and page carry run times: whole means parseable to the end
                assert data.rstrip().endswith(b"}" if rel.endswith(".ipynb") else b"</html>")
        assert temps(reports) == []

    import reconnect_lib.reports as reports_module

    real_export = reports_module.export_html

    def full(notebook, html_path):
        html_path.write_bytes(b"<html><body>half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(html_path))

    monkeypatch.setattr(reports_module, "export_html", full)  # the disk fills while exporting
    with pytest.raises(WriteError, match="the disk is full"):
        tiny_report(reports, notebooks)
    assert set(tree(week)) == set(old)
    assert not any(data.endswith(b"half") for data in tree(week).values())
    assert temps(reports) == []
    monkeypatch.setattr(reports_module, "export_html", real_export)
    assert tiny_report(reports, notebooks).kept == ()  # after all that, no file is taken for the user's


KILL_REPORT = """
import sys
from datetime import date
from pathlib import Path
from reconnect_lib.reports import run_report
run_report("weekly", config=Path(sys.argv[1]), campaign="consulting-firm", reports_folder=Path(sys.argv[2]),
           week="2026-W48", as_of=date(2026, 11, 23), notebooks=Path(sys.argv[3]), progress=False)
"""


@pytest.mark.slow
def test_report_killed_at_random_times_leaves_the_last_report_and_a_rerun_cleans_up(tmp_path):
    reports = tmp_path / "reports"
    notebooks = tiny_notebooks(tmp_path / "nb", extra="import time\ntime.sleep(1)")
    script = tmp_path / "report.py"
    script.write_text(KILL_REPORT, encoding="utf-8")
    command = [PYTHON, str(script), str(SAMPLE / "campaign.toml"), str(reports), str(notebooks)]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    week = reports / "consulting-firm" / WEEK
    names = sorted(tree(week))
    for delay in (1.0, 3.0, 5.0):
        # its own session, so the kill reaches the kernel it started too
        run = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(delay)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        assert sorted(tree(week)) == names
        assert json.loads((week / "weekly_campaign_report.json").read_text(encoding="utf-8")) == {
            "week": WEEK
        }
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    assert temps(reports) == []


@pytest.mark.slow
def test_two_report_runs_at_once_both_finish_with_whole_files(tmp_path):
    reports = tmp_path / "reports"
    notebooks = tiny_notebooks(tmp_path / "nb")
    script = tmp_path / "report.py"
    script.write_text(KILL_REPORT, encoding="utf-8")
    command = [PYTHON, str(script), str(SAMPLE / "campaign.toml"), str(reports), str(notebooks)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    week = reports / "consulting-firm" / WEEK
    assert json.loads((week / "weekly_campaign_report.ipynb").read_text(encoding="utf-8"))["cells"]
    assert temps(reports) == []


@pytest.mark.parametrize("command", ["weekly", "overview"])
def test_report_commands_into_a_reports_folder_that_is_a_file_exit_2(campaign, command):
    from click.testing import CliRunner

    from reconnect_lib.cli import main

    (campaign.parents[1] / "reports").write_bytes(b"a file")
    result = CliRunner().invoke(main, ["report", command, "--config", str(campaign), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "reports is a file, not a folder" in result.output
    assert (campaign.parents[1] / "reports").read_bytes() == b"a file"


def test_plan_into_a_reports_folder_that_is_a_file_exits_2(campaign):
    from click.testing import CliRunner

    from reconnect_lib.cli import main

    (campaign.parents[1] / "reports").write_bytes(b"a file")
    result = CliRunner().invoke(main, ["plan", "--config", str(campaign)])
    assert result.exit_code == 2, result.output
    assert "reports is a file, not a folder" in result.output


# --- sample ------------------------------------------------------------------------------


def _sample_versions(tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    from reconnect_lib.sample import write_sample

    versions = []
    for seed in (1, 2):
        write_sample(tmp_path / f"seed-{seed}", firm="consulting-firm", seed=seed)
        versions.append({k: v for k, v in tree(tmp_path / f"seed-{seed}").items() if not k.startswith(".")})
    return versions[0], versions[1]


def test_sample_a_failure_at_any_step_keeps_every_file_whole(user_folder, tmp_path, monkeypatch):
    from reconnect_lib.sample import write_sample

    home, planted = user_folder
    old, new = _sample_versions(tmp_path)
    out = home / "sample"
    real = os.replace
    steps = len(new) + 2  # each file, and the manifest before and after
    for failing in range(steps):
        write_sample(out, firm="consulting-firm", seed=1)
        _disk_full_at(monkeypatch, failing)
        with pytest.raises(WriteError, match="the disk is full"):
            write_sample(out, firm="consulting-firm", seed=2)
        monkeypatch.setattr(os, "replace", real)
        assert {k: tree(home)[k] for k in planted} == planted
        assert_old_or_new(out, old, new)
        assert temps(home) == []
    write_sample(out, firm="consulting-firm", seed=2)
    assert {k: v for k, v in tree(out).items() if not k.startswith(".")} == new


@pytest.mark.parametrize("blocker", ["file", "under_a_file", "read_only"])
def test_sample_into_an_unwritable_target_is_one_message(user_folder, blocker, monkeypatch):
    from click.testing import CliRunner

    from reconnect_lib.cli import main

    home, _ = user_folder
    out = home / "sample"
    if blocker == "file":
        out.write_bytes(b"a file")
    elif blocker == "under_a_file":
        (home / "block").write_bytes(b"a file")
        out = home / "block" / "sample"
    elif os.geteuid() != 0:
        out.mkdir(mode=0o555)
    else:  # root writes anywhere: refuse as a read-only folder would
        out.mkdir()

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out))

        monkeypatch.setattr(os, "open", refuse)
        monkeypatch.setattr(Path, "write_text", refuse)
    before = tree(home)
    result = CliRunner().invoke(main, ["sample", str(out), "--firm", "consulting-firm"])
    monkeypatch.undo()
    if out.is_dir():
        out.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(out) in result.output
    assert ("is a file" if blocker != "read_only" else "permission denied") in result.output
    assert tree(home) == before
    assert temps(home) == []


KILL_SAMPLE_AT_STEP = """
import os, signal, sys
from reconnect_lib.sample import write_sample
step = int(sys.argv[2])
real = os.replace
calls = [0]
def replace(*args, **kwargs):
    if calls[0] == step:
        os.kill(os.getpid(), signal.SIGKILL)
    calls[0] += 1
    return real(*args, **kwargs)
os.replace = replace
write_sample(sys.argv[1], firm="consulting-firm", seed=2)
"""


@pytest.mark.slow
def test_sample_killed_at_any_step_and_two_runs_at_once(user_folder, tmp_path):
    from reconnect_lib.sample import write_sample

    home, planted = user_folder
    old, new = _sample_versions(tmp_path)
    out = home / "sample"
    script = tmp_path / "kill.py"
    script.write_text(KILL_SAMPLE_AT_STEP, encoding="utf-8")
    for step in (0, 3, len(new) + 1):
        write_sample(out, firm="consulting-firm", seed=1)
        done = subprocess.run([PYTHON, str(script), str(out), str(step)], check=False)
        assert done.returncode == -signal.SIGKILL
        assert {k: tree(home)[k] for k in planted} == planted
        assert_old_or_new(out, old, new)
    command = [str(Path(PYTHON).parent / "reconnect"), "sample", str(out), "--firm", "consulting-firm"]
    command += ["--seed", "2"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert {k: v for k, v in tree(out).items() if not k.startswith(".")} == new
    assert temps(home) == []
    assert {k: tree(home)[k] for k in planted} == planted


# --- clean-up of temporary names ---------------------------------------------------------


def test_clean_stale_temps_removes_only_what_no_live_run_uses(tmp_path):
    from reconnect_lib.files import _host, clean_stale_temps, temp_dir

    dead = _dead_pid()
    day_old = time.time() - 2 * 86400
    made = {
        "dead": f".tmp-r{dead}.{_host()}-plan-0123456789",
        "dead_no_host": f".tmp-r{dead}-plan-0123456789",
        "live_other_process": f".tmp-r{os.getppid()}.{_host()}-plan-0123456789",
        "other_host_fresh": f".tmp-r{dead}.ffffff-plan-0123456789",
        "other_host_old": f".tmp-r{dead}.eeeeee-plan-0123456789",
        "mine_left": f".tmp-r{os.getpid()}.{_host()}-plan-0123456789",
        "not_ours": ".tmp-notes",
        "legacy_fresh": ".tmp-2026-W48-abcd1234",
    }
    for name in made.values():
        (tmp_path / name).mkdir()
    os.utime(tmp_path / made["other_host_old"], (day_old, day_old))
    with temp_dir(tmp_path, "in-use") as in_use:
        removed = clean_stale_temps(tmp_path, legacy=re.compile(r"\.tmp-\d{4}-W\d{2}-[a-z0-9_]{8}"))
        assert in_use.exists()
    assert sorted(p.name for p in removed) == sorted(
        made[k] for k in ("dead", "dead_no_host", "other_host_old", "mine_left")
    )
    kept = {"live_other_process", "other_host_fresh", "not_ours", "legacy_fresh"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(made[k] for k in kept)


def test_plan_into_a_reports_folder_that_links_nowhere_says_so(campaign):
    # A reports folder that is a link to a drive not mounted (or a folder since removed) said only
    # "File exists", about the campaign's folder.
    from click.testing import CliRunner

    from reconnect_lib.cli import main

    gone = campaign.parents[1] / "unmounted-drive"
    (campaign.parents[1] / "reports").symlink_to(gone)
    result = CliRunner().invoke(main, ["plan", "--config", str(campaign)])
    assert result.exit_code == 2, result.output
    assert f"reports is a link to {gone}, which does not exist" in " ".join(result.output.split())
    assert not gone.exists()
