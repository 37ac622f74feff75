"""The ``report`` commands: run a report notebook with papermill and export offline HTML.

``reconnect report weekly`` is the one to schedule: it picks the current ISO
week by default, and rerunning a week replaces that week's report atomically
(see :func:`reconnect_lib.reports.run_report`), so running it twice is safe.
"""

from __future__ import annotations

from pathlib import Path

import click

from .base import as_of_option, campaign_source, check_as_of, config_option, main


def _week_option(help_text: str):
    return click.option("--week", default=None, help=help_text)


def _echo(paths) -> None:
    click.echo(f"Report: {paths.html}")
    for kept in paths.kept:
        click.echo(f"Your changed copy of that report file is kept as {kept}")


def _quiet_option(f):
    return click.option("--quiet", is_flag=True, help="No progress bar.")(f)


@main.group()
def report() -> None:
    """Generate a campaign report (papermill + offline HTML) under the reports folder."""


@report.command("overview")
@config_option
@as_of_option
@_week_option("ISO week folder, e.g. 2026-W48. Default: the as-of date's week.")
@_quiet_option
def report_overview(config_path: Path, as_of, week: str | None, quiet: bool) -> None:
    """The state of the past-client base, for a strategic focus plan."""
    from ..reports import run_report, start_kernel
    from ..weeks import iso_week

    kernel = start_kernel("overview")  # it starts while the campaign is opened
    try:
        # Resolved as the weekly report is: a week's overview is as of the same day.
        source = campaign_source(config_path, as_of, week=week)  # also checks the data files are there
        week = week or iso_week(source.as_of)
        check_as_of(source.as_of, what=f"week {week}", fix="pass --week with the week you mean")
        cfg = source.config
        paths = run_report(
            "overview",
            config=cfg.source or config_path,
            campaign=cfg.campaign.name,
            reports_folder=cfg.reports.folder,
            week=week,
            as_of=source.as_of,
            progress=not quiet,
            kernel=kernel,
        )
    finally:
        if kernel is not None:
            kernel.close(now=True)  # closed already, unless the report stopped before it ran
    _echo(paths)


@report.command("weekly")
@config_option
@as_of_option
@_week_option(
    "ISO week to report, e.g. 2026-W48. Default: the week of --as-of, else of campaign.toml's "
    "as_of, else the current week."
)
@_quiet_option
def report_weekly(config_path: Path, as_of, week: str | None, quiet: bool) -> None:
    """This week's contacts, catch-up progress, outcomes with intervals, reasons, lift and keep-up list.

    A report for --week without --as-of is as of that week's Monday (or of
    campaign.toml's as_of when it falls in that week), so a rerun gives the
    same numbers.
    """
    from ..reports import run_report, start_kernel
    from ..weeks import iso_week

    kernel = start_kernel("weekly")  # it starts while the campaign is opened
    try:
        source = campaign_source(config_path, as_of, week=week)  # also checks the data files are there
        cfg, day = source.config, source.as_of
        week = week or iso_week(day)
        check_as_of(day, what=f"week {week}", fix="pass --week with the week you mean")
        paths = run_report(
            "weekly",
            config=cfg.source or config_path,
            campaign=cfg.campaign.name,
            reports_folder=cfg.reports.folder,
            week=week,
            as_of=day,
            progress=not quiet,
            kernel=kernel,
        )
    finally:
        if kernel is not None:
            kernel.close(now=True)  # closed already, unless the report stopped before it ran
    _echo(paths)
