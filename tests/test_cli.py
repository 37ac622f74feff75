"""The reconnect command: readable tables, machine formats, and errors without tracebacks."""

import errno
import json
import shutil
import traceback
from datetime import date
from io import StringIO
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from reconnect_lib.cli import main
from reconnect_lib.cli.base import BUG_NOTE, _Group

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
CONSULTING = str(SAMPLE / "consulting-firm" / "campaign.toml")


@pytest.fixture
def runner():
    return CliRunner()


def test_buckets_prints_a_table_with_totals(runner):
    result = runner.invoke(main, ["buckets", "--config", CONSULTING])
    assert result.exit_code == 0, result.output
    out = result.output
    for label in (
        "active (< 6 months)",
        "6–12 months",
        "1–2 years",
        "2–3 years",
        "3 years and more",
        "Total",
    ):
        assert label in out
    assert "532" in out  # clients in the sample consulting firm
    assert "clients.csv: 532 rows read, 532 kept" in out


def test_buckets_csv_and_json_agree(runner):
    as_csv = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", "csv"])
    as_json = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", "json"])
    assert as_csv.exit_code == as_json.exit_code == 0
    frame = pd.read_csv(StringIO(as_csv.output))
    records = json.loads(as_json.output)
    assert list(frame["clients"]) == [r["clients"] for r in records]
    assert frame["clients"].sum() == 532


def test_as_of_flag_overrides_the_campaign_file(runner):
    base = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", "json"])
    later = runner.invoke(
        main, ["buckets", "--config", CONSULTING, "--format", "json", "--as-of", "2027-06-01"]
    )
    due = [sum(r["due"] for r in json.loads(x.output)) for x in (base, later)]
    assert due[1] > due[0]


def test_bad_config_is_one_message_and_exit_2(runner, tmp_path):
    bad = tmp_path / "campaign.toml"
    bad.write_text('[campaign]\nname = "x"\n[data]\nclients = "missing.csv"\n[plan]\nstrategy = "loud"\n')
    result = runner.invoke(main, ["buckets", "--config", str(bad), "--as-of", "2026-01-01"])
    assert result.exit_code == 2
    assert "plan.strategy" in result.output
    assert "Traceback" not in result.output


def test_missing_data_file_is_reported_not_raised(runner, tmp_path):
    cfg = tmp_path / "campaign.toml"
    cfg.write_text('[campaign]\nname = "x"\nas_of = 2026-01-01\n[data]\nclients = "missing.csv"\n')
    result = runner.invoke(main, ["buckets", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "missing.csv" in result.output
    assert "Traceback" not in result.output


def test_sample_command_writes_a_campaign_that_buckets(runner, tmp_path):
    out = tmp_path / "firm"
    result = runner.invoke(
        main, ["sample", str(out), "--firm", "consulting-firm", "--seed", "7", "--reports-folder", "reports"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "campaign.toml").exists()
    table = runner.invoke(main, ["buckets", "--config", str(out / "campaign.toml"), "--format", "json"])
    assert table.exit_code == 0, table.output
    assert sum(r["clients"] for r in json.loads(table.output)) > 500


def test_buckets_engine_flag_lists_the_engines(runner):
    result = runner.invoke(main, ["buckets", "--config", CONSULTING, "--engine", "dask"])
    assert result.exit_code == 2
    for engine in ("pandas", "polars", "duckdb", "spark"):
        assert engine in result.output


def test_buckets_on_duckdb_prints_the_pandas_table(runner):
    want = runner.invoke(main, ["buckets", "--config", CONSULTING])
    got = runner.invoke(main, ["buckets", "--config", CONSULTING, "--engine", "duckdb"])
    assert got.exit_code == 0, got.output
    assert got.output == want.output


# --- An as-of date years ahead or before 1900 is refused, with the way to override it ---


@pytest.fixture
def fixed_today(monkeypatch):
    from reconnect_lib.cli import base

    monkeypatch.setattr(base, "today", lambda: date(2026, 12, 6))
    return date(2026, 12, 6)


@pytest.mark.parametrize("order", ["config first", "as-of first"])
def test_an_as_of_years_ahead_is_refused_with_the_override(runner, fixed_today, order):
    options = [["--config", CONSULTING], ["--as-of", "2062-11-23"]]
    args = ["buckets", *(options[0] + options[1] if order == "config first" else options[1] + options[0])]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "--as-of 2062-11-23 is about 36 years after today (2026-12-06)" in result.output
    assert "add --allow-future-as-of" in result.output
    assert "Traceback" not in result.output
    allowed = runner.invoke(main, [*args, "--allow-future-as-of", "--format", "json"])
    assert allowed.exit_code == 0, allowed.output
    assert sum(r["clients"] for r in json.loads(allowed.output)) == 532


def test_an_as_of_within_a_year_is_fine(runner, fixed_today):
    result = runner.invoke(
        main, ["buckets", "--config", CONSULTING, "--as-of", "2027-12-07", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    too_far = runner.invoke(main, ["buckets", "--config", CONSULTING, "--as-of", "2027-12-08"])
    assert too_far.exit_code == 2
    assert "367 days after today" in too_far.output


@pytest.mark.parametrize("day", ["1899-12-31", "0001-01-01", "2200-01-01", "9999-12-31"])
def test_an_as_of_out_of_range_is_refused_even_when_the_future_is_allowed(runner, fixed_today, day):
    result = runner.invoke(main, ["buckets", "--config", CONSULTING, "--as-of", day, "--allow-future-as-of"])
    assert result.exit_code == 2
    assert "is out of range (expected a date from 1900-01-01 to 2199-12-31)" in result.output
    assert "Traceback" not in result.output


def test_campaign_toml_as_of_years_ahead_is_refused_unless_overridden(runner, fixed_today, tmp_path):
    firm = tmp_path / "firm"
    shutil.copytree(SAMPLE / "consulting-firm", firm, ignore=shutil.ignore_patterns("outcomes.sqlite*"))
    toml = firm / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("as_of = 2026-11-23", "as_of = 2062-11-23"), encoding="utf-8"
    )
    for command in (["buckets"], ["outcome", "summary"], ["plan", "--out", str(tmp_path / "out")]):
        result = runner.invoke(main, [*command, "--config", str(toml)])
        assert result.exit_code == 2, command
        assert (
            "campaign.toml: key `campaign.as_of` = 2062-11-23 is about 36 years after today" in result.output
        )
        assert "--allow-future-as-of" in result.output
    # --as-of replaces the file's date, so the file's date is not checked then.
    ok = runner.invoke(main, ["buckets", "--config", str(toml), "--as-of", "2026-11-23", "--format", "csv"])
    assert ok.exit_code == 0, ok.output
    forced = runner.invoke(
        main, ["buckets", "--config", str(toml), "--allow-future-as-of", "--format", "csv"]
    )
    assert forced.exit_code == 0, forced.output


def test_sample_refuses_an_as_of_out_of_range(runner, tmp_path):
    result = runner.invoke(
        main, ["sample", str(tmp_path / "x"), "--firm", "consulting-firm", "--as-of", "9999-01-01"]
    )
    assert result.exit_code == 2
    assert "--as-of 9999-01-01 is out of range" in result.output
    assert not (tmp_path / "x").exists()


# --- What escapes a command: an OS error is a message; a bug keeps its traceback and says so ---


def _group_raising(exc: BaseException) -> click.Group:
    group = _Group("reconnect")  # the CLI's group class, with one command that raises `exc`

    @group.command()
    def boom() -> None:
        raise exc

    return group


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/srv/reports/plan.csv"), "may read and write"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/srv/clients.csv"), "a folder where a file"),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory", "/srv/file/x"), "is a file, not a folder"),
        (
            FileNotFoundError(errno.ENOENT, "No such file or directory", "/srv/gone.csv"),
            "check that the path",
        ),
        (OSError(errno.ENOSPC, "No space left on device", "/srv/reports/week.html"), "the disk is full"),
    ],
)
def test_an_os_error_is_one_message_naming_the_path_and_exit_2(runner, exc, shown):
    result = runner.invoke(_group_raising(exc), ["boom"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {exc.filename}: {exc.strerror}\n  Hint: ")
    assert shown in result.output
    assert "Traceback" not in result.output


def test_an_os_error_without_a_path_still_reads(runner):
    result = runner.invoke(_group_raising(OSError(errno.ENOSPC, "No space left on device")), ["boom"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: No space left on device\n  Hint: the disk is full")


def test_a_file_that_is_not_text_is_one_message(runner):
    try:
        b"client_id\n\xe9\n".decode("utf-8")
    except UnicodeDecodeError as err:
        exc = err
    result = runner.invoke(_group_raising(exc), ["boom"])
    assert result.exit_code == 2
    assert "a file is not utf-8 text: byte 0xe9 at offset 10" in result.output
    assert 'encoding = "cp1252"' in result.output


def test_a_bug_keeps_its_traceback_and_says_it_is_a_bug(runner):
    result = runner.invoke(_group_raising(ValueError("index out of step")), ["boom"])
    assert result.exit_code == 1
    assert isinstance(result.exception, ValueError)
    assert BUG_NOTE in result.exception.__notes__
    assert "".join(traceback.format_exception(result.exception)).rstrip().endswith(BUG_NOTE)


def test_ctrl_c_stays_aborted(runner):
    result = runner.invoke(_group_raising(KeyboardInterrupt()), ["boom"])
    assert result.exit_code == 1
    assert "Aborted!" in result.output
    assert "bug" not in result.output


def test_check_as_of_serves_a_date_derived_another_way(fixed_today):
    from reconnect_lib.cli.base import check_as_of
    from reconnect_lib.errors import ConfigError

    check_as_of(date(2027, 6, 1), what="week 2027-W22", fix="pass --week")
    with pytest.raises(ConfigError, match=r"week 2032-W01 is about 5 years after today \(2026-12-06\)"):
        check_as_of(date(2031, 12, 29), what="week 2032-W01", fix="pass --week with the week you mean")
    with pytest.raises(ConfigError, match="out of range"):
        check_as_of(date(1800, 1, 6), what="week 1800-W02", fix="pass --week")


def _run_python(code: str) -> str:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_help_imports_neither_pandas_nor_a_command_module():
    # `reconnect --help` took about a second importing the whole library; each
    # command's module (and pandas, pandera) now loads when that command runs.
    code = (
        "import sys\n"
        "from reconnect_lib.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'pandas', 'pandera', 'numpy', 'pydantic', 'sqlalchemy',\n"
        "         'reconnect_lib.load', 'reconnect_lib.pipeline'}\n"
        "loaded = {m for m in sys.modules if m.startswith('reconnect_lib.cli.')}\n"
        "print(sorted(heavy & set(sys.modules)), sorted(loaded))\n"
    )
    out = _run_python(code).splitlines()
    assert "Commands:" in out
    assert out[-1] == "[] ['reconnect_lib.cli.base']"


def test_a_command_loads_only_its_own_module():
    code = (
        "import sys\n"
        "from reconnect_lib.cli import main\n"
        "try:\n"
        "    main(['plan', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('reconnect_lib.cli.')))\n"
    )
    assert _run_python(code).splitlines()[-1] == "['reconnect_lib.cli.base', 'reconnect_lib.cli.plan']"


def test_help_lists_each_lazy_command_as_its_own_help_says():
    # The list --help prints before any command module is loaded is the list
    # click prints from the commands themselves; each lazy command is defined
    # in the module LAZY_COMMANDS names.
    import ast

    from reconnect_lib.cli.base import LAZY_COMMANDS

    code = (
        "import click\n"
        "from reconnect_lib.cli import main\n"
        "ctx = click.Context(main, info_name='reconnect')\n"
        "before = main.get_help(ctx)\n"
        "for name in main.list_commands(ctx):\n"
        "    main.get_command(ctx, name)\n"
        "where = {n: c.callback.__module__ for n, c in main.commands.items()}\n"
        "print(repr((before, main.get_help(ctx), where)))\n"
    )
    before, after, where = ast.literal_eval(_run_python(code))
    assert before == after
    assert {name: where[name] for name in LAZY_COMMANDS} == {n: m for n, (m, _) in LAZY_COMMANDS.items()}
    assert all(f"  {name} " in before for name in where)


# --- money, numbers and defaults (issue 17) -----------------------------------------


def _with_currency(consulting_copy: Path, lines: str) -> Path:
    text = consulting_copy.read_text(encoding="utf-8")
    consulting_copy.write_text(text.replace("[campaign]\n", f"[campaign]\n{lines}\n", 1), encoding="utf-8")
    return consulting_copy


def test_buckets_shows_money_in_the_campaigns_currency(runner, consulting_copy):
    plain = runner.invoke(main, ["buckets", "--config", str(consulting_copy)])
    assert plain.exit_code == 0, plain.output
    assert "£" not in plain.output
    config = _with_currency(consulting_copy, 'currency = "GBP"')
    result = runner.invoke(main, ["buckets", "--config", str(config)])
    assert result.exit_code == 0, result.output
    total = json.loads(runner.invoke(main, ["buckets", "--config", str(config), "--format", "json"]).output)
    revenue = sum(r["total_revenue"] for r in total)
    assert f"£{revenue:,.0f}" in result.output  # the totals row
    config = _with_currency(consulting_copy, 'locale = "de_DE"')
    german = runner.invoke(main, ["buckets", "--config", str(config)])
    assert f"{revenue:,.0f}\xa0€".replace(",", ".") not in german.output  # still GBP, German separators
    assert f"{revenue:,.0f}\xa0£".replace(",", ".") in german.output


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_money_in_csv_and_json_is_to_the_cent_and_counts_are_whole(runner, fmt):
    result = runner.invoke(main, ["buckets", "--config", CONSULTING, "--format", fmt])
    assert result.exit_code == 0, result.output
    money = ("total_revenue", "value_at_stake", "expected_value")
    if fmt == "json":
        records = json.loads(result.output)
        assert all(isinstance(r["clients"], int) for r in records)
        texts = [
            line.split(":", 1)[1].strip().rstrip(",")
            for line in result.output.splitlines()
            if line.strip().startswith(tuple(f'"{c}"' for c in money))
        ]
    else:
        frame = pd.read_csv(StringIO(result.output), dtype=str)
        texts = [v for c in money for v in frame[c]]
        assert all(v.isdigit() for v in frame["clients"])
    assert texts
    assert all(len(t.partition(".")[2]) <= 2 for t in texts), texts  # no 2578658.3199999998


def test_config_defaults_to_the_campaign_toml_of_the_current_folder(runner, consulting_copy, monkeypatch):
    monkeypatch.chdir(consulting_copy.parent)
    here = runner.invoke(main, ["buckets", "--format", "json"])
    given = runner.invoke(main, ["buckets", "--config", str(consulting_copy), "--format", "json"])
    assert here.exit_code == 0, here.output
    assert here.output == given.output
    monkeypatch.chdir(consulting_copy.parent.parent)  # no campaign.toml here
    for command in (["buckets"], ["plan"], ["outcome", "events"], ["report", "weekly"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 2, (command, result.output)
        assert "no campaign.toml here" in result.output
        assert "pass --config or run reconnect init" in result.output
        assert "Traceback" not in result.output


def _every_option():
    import importlib

    from reconnect_lib.cli.base import LAZY_COMMANDS

    for module, _ in LAZY_COMMANDS.values():
        importlib.import_module(module)

    def walk(command: click.Command, path: tuple[str, ...]):
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                yield " ".join(path), param
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, (*path, name))

    return list(walk(main, ("reconnect",)))


def test_every_option_of_every_command_has_help_text():
    options = _every_option()
    assert len(options) > 30  # every command was walked, the lazy ones too
    missing = [
        f"{path} {'/'.join(option.opts)}" for path, option in options if not (option.help or "").strip()
    ]
    assert missing == []


def test_the_plan_summary_says_1_week_not_1_weeks(capsys):
    from types import SimpleNamespace

    from reconnect_lib.cli.plan import render_summary

    summary = {
        "week": "2026-W48",
        "week_start": date(2026, 11, 23),
        "this_week": {"letter": 1},
        "weekly_capacity": 1,
        "catch_up_clients": 1,
        "catch_up_left": 0,
        "end_week": "2026-W48",
        "weeks_needed": 1,
        "capacity_to_finish": 1,
        "finish_in_weeks": 1,
        "finish_by_week": "2026-W48",
        "keep_up_clients": 1,
        "keep_up_per_week": 1,
        "excluded": {},
        "notes": [],
    }
    render_summary(
        summary, SimpleNamespace(primary=("letter",), start_week="2026-W48"), title="t", due_after_months=1
    )
    out = " ".join(capsys.readouterr().out.split())
    assert "1 weeks" not in out
    assert "1 months" not in out
    assert "(1 week from 2026-W48)" in out
    assert "To finish in 1 week (by 2026-W48)" in out
    assert "Catch-up: 1 due client to contact" in out
    assert "Keep-up: 1 client not yet due is planned too, each before 1 month of silence" in out


def test_plan_writes_the_call_sheet_in_the_campaigns_currency(runner, consulting_copy, tmp_path):
    config = _with_currency(consulting_copy, 'currency = "GBP"')
    out = tmp_path / "week"
    result = runner.invoke(main, ["plan", "--config", str(config), "--week", "2026-W49", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = pd.read_csv(out / "call_sheet.csv", dtype=str, encoding="utf-8-sig")
    assert sheet["WhatTheyBought"].str.contains(" £[0-9,]+ in total", regex=True).any()
    assert "£" in (out / "call_sheet.html").read_text(encoding="utf-8")
    assert all(len(v.partition(".")[2]) <= 2 for v in sheet["ValueAtStake"].dropna())


def test_the_kernels_tcp_warning_stays_out_of_the_report_progress_bar(tmp_path, capfd):
    # ipykernel logged "[IPKernelApp] WARNING | Kernel is running over TCP without encryption"
    # to the terminal in the middle of papermill's progress bar on every `reconnect report`.
    from test_reports import tiny_weekly_notebook

    from reconnect_lib.reports import run_report

    paths = run_report(
        "weekly",
        config=SAMPLE / "consulting-firm" / "campaign.toml",
        campaign="quiet",
        reports_folder=tmp_path / "reports",
        week="2026-W48",
        as_of=date(2026, 11, 23),
        notebooks=tiny_weekly_notebook(tmp_path),
        progress=True,
    )
    assert json.loads(paths.numbers.read_text(encoding="utf-8")) == {"week": "2026-W48"}
    captured = capfd.readouterr()
    output = captured.out + captured.err
    assert "Executing" in output  # the progress bar is there
    assert "IPKernelApp" not in output
    assert "without encryption" not in output
