"""The ``plan`` command: this week's contact plan, call sheet, mail merge and letters.

Parses the options, builds the plan with :func:`reconnect_lib.plan.plan_from_config`,
writes the week's files with :func:`reconnect_lib.exports.write_week` and prints
the summary the plan computed. Nothing here decides a number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .base import as_of_option, campaign_source, check_as_of, config_option, main


@main.command("plan")
@config_option
@as_of_option
@click.option(
    "--week", default=None, help="ISO week to write, e.g. 2026-W48. Default: the plan's first week."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the week's files: a new or empty one, or one an earlier plan wrote (its files are "
    "replaced, nothing else is touched). Default: <reports folder>/<campaign>/<week>/plan/.",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Your letter template (Jinja2): a copy of reconnect_lib/templates/letter/letter.html.j2.",
)
@click.option(
    "--firm",
    default=None,
    help="The firm's name in letters and e-mails. Default: [sender] firm, else from the campaign name.",
)
@click.option(
    "--sender",
    default="",
    help="Who signs letters to clients with no account owner (an owner signs their own), "
    "e.g. 'Daniel Okoye'. Default: [sender] signer.",
)
def plan_command(
    config_path: Path,
    as_of,
    week: str | None,
    out_dir: Path | None,
    template: Path | None,
    firm: str | None,
    sender: str,
) -> None:
    """Plan the catch-up week by week and write this week's call sheet, mail merge and letters."""
    from ..errors import ConfigError
    from ..exports import check_template, write_week, writer_of
    from ..files import safe_folder_name
    from ..pipeline import scored_base
    from ..plan import first_week, plan_from_config, week_monday

    # Check the options before loading any data, so that a typo fails at once.
    source = campaign_source(config_path, as_of)
    day = source.as_of
    start = first_week(day)
    week = week or start
    if week_monday(week) < week_monday(start):
        raise ConfigError(
            f"week {week} is before the plan starts ({start}, the week of {day})",
            expected=f"{start} or later",
            hint="pass --as-of to plan from an earlier date",
        )
    check_as_of(week_monday(week), what=f"week {week}", fix="pass --week with the week you mean")
    if template is not None:
        check_template(template)

    # The outcome log decides who is won back, lost or asked to be left alone, and its
    # counts update the chance of winning back that orders the plan.
    campaign = scored_base(source, outcomes=True)
    plan = plan_from_config(campaign.scored, campaign.config, as_of=campaign.as_of, status=campaign.status)
    name = campaign.config.campaign.name
    folder = out_dir or campaign.config.reports.folder / safe_folder_name(name) / week / "plan"
    firm_text, writer = writer_of(campaign.config, firm=firm, signer=sender)
    paths = write_week(
        plan,
        week,
        folder,
        template=template,
        firm=firm_text,
        sender=writer,
        currency=campaign.config.campaign.currency,
        locale=campaign.config.campaign.locale,
    )
    render_summary(
        plan.summary(week),
        plan,
        title=f"{name}: contact plan as of {campaign.as_of}",
        due_after_months=campaign.config.dormancy.due_after_months,
    )
    click.echo(f"Files in {folder}:")
    for path in paths.values():
        click.echo(f"  {path.name}{'/' if path.is_dir() else ''}")


def _unit(primary: tuple[str, ...], count: int) -> str:
    if primary == ("letter",):
        return "letter" if count == 1 else "letters"
    if primary == ("email",):
        return "e-mail" if count == 1 else "e-mails"
    if primary == ("phone",):
        return "call" if count == 1 else "calls"
    return "first contact" if count == 1 else "first contacts"


_ACTION_LABELS = {
    "letter": "Letters",
    "email": "E-mails",
    "call": "Calls (first contact)",
    "follow_up_call": "Follow-up calls",
    "gift": "Gifts",
}
_REASON_LABELS = {
    "do_not_contact": "do not contact",
    "lost": "lost (moved on)",
    "recently_contacted": "recently contacted",
    "unreachable": "unreachable",
    "not_due": "not due",
    "holdout": "hold-out",
    "beyond_horizon": "beyond the horizon",
}


def render_summary(summary: dict[str, Any], plan: Any, *, title: str, due_after_months: int = 6) -> None:
    """Print a plan's week summary: this week per channel, what is left, the forecast, the notes."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..money import counted

    console = Console(highlight=False)
    if not console.is_terminal:  # a pipe or a log: do not squeeze lines into 80 columns
        console = Console(width=140, highlight=False)
    week = summary["week"]
    # The title holds the campaign's name: printed as text, never read as rich markup ("[/]", "[link=...]").
    console.print(
        Text.assemble((title, "bold"), f": week {week}, from {summary['week_start']:%A %d %B %Y}")
    )
    table = Table()
    table.add_column("This week")
    table.add_column("Planned", justify="right")
    for action, count in summary["this_week"].items():
        if count or (action in ("letter", "follow_up_call") and "letter" in plan.primary):
            table.add_row(_ACTION_LABELS[action], f"{count:,}")
    console.print(table)

    capacity = summary["weekly_capacity"]
    unit = _unit(plan.primary, capacity)
    lines = [
        f"Catch-up: {counted(summary['catch_up_clients'], 'due client', 'due clients')} to contact; "
        f"{summary['catch_up_left']:,} left after {week}.",
    ]
    if summary["end_week"]:
        lines.append(
            f"Forecast: at {capacity:,} {unit} a week the catch-up ends in {summary['end_week']} "
            f"({counted(summary['weeks_needed'], 'week')} from {plan.start_week})."
        )
        needed = summary["capacity_to_finish"]
        lines.append(
            f"To finish in {counted(summary['finish_in_weeks'], 'week')} (by {summary['finish_by_week']}): "
            f"{needed:,} {_unit(plan.primary, needed)} a week."
        )
    else:
        lines.append("Forecast: nobody is due for contact; the plan is in keep-up mode.")
    lines.append(
        f"Keep-up: {counted(summary['keep_up_clients'], 'client not yet due is', 'clients not yet due are')} "
        f"planned too, each before {counted(due_after_months, 'month')} of silence (right after the "
        f"catch-up if they lapse during it); keeping everyone under {counted(due_after_months, 'month')} "
        f"takes about {counted(summary['keep_up_per_week'], 'contact')} a week once caught up."
    )
    excluded = {r: n for r, n in summary["excluded"].items() if n}
    if excluded:
        lines.append(
            "Not planned: " + ", ".join(f"{n:,} {_REASON_LABELS[r]}" for r, n in excluded.items()) + "."
        )
    for line in lines:
        console.print(line, markup=False)
    if summary["notes"]:
        console.print("Notes:")
        for note in summary["notes"]:
            console.print(f"  - {note}", markup=False)
