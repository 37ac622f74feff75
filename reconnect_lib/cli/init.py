"""``reconnect init``: from a consultant's exports to a campaign.toml in one command.

The guessing is :func:`reconnect_lib.init.guess_campaign`; this command reads
the files, asks about ambiguous guesses only with ``--interactive`` (CI has no
stdin), writes ``OUT/campaign.toml`` and prints what it found.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .base import as_of_option, main, today


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write campaign.toml into (created if needed); data files are referenced, not copied.",
)
@click.option("--name", default=None, help="The campaign's name. Default: the first file's name.")
@click.option("--force", is_flag=True, help="Replace an existing campaign.toml in the folder.")
@click.option("--interactive", is_flag=True, help="Ask about each guess that reads two ways.")
@as_of_option
def init(files: tuple[Path, ...], out: Path, name: str | None, force: bool, interactive: bool, as_of) -> None:
    """Read client lists and histories (CSV, Excel, Parquet) and write OUT/campaign.toml for them."""
    from ..init import check_target, guess_campaign

    day = as_of.date() if as_of else today()
    check_target(out, force=force)  # before reading any file: an existing campaign.toml is said at once
    answers: dict[str, str] = {}
    guess = guess_campaign(files, as_of=day, name=name, answers=answers)
    if interactive:
        asked: set[str] = set()
        while unasked := [q for q in guess.questions if q.key not in asked]:
            for question in unasked:
                asked.add(question.key)
                answers[question.key] = click.prompt(
                    question.text, type=click.Choice(question.choices), default=question.default
                )
            guess = guess_campaign(files, as_of=day, name=name, answers=answers)
    path = guess.write(out, force=force)
    click.echo(guess.summary())
    click.echo(f"Wrote {path}")
    if guess.problems:
        raise InputError(
            f"{path} is written, but loading it fails: fix the file or its data, then run "
            "`reconnect buckets --config` on it",
            hint="the problems are listed above, under 'to check'",
        )
    if guess.questions and not interactive:
        click.echo("Some guesses read two ways: check the lines marked CHECK, or rerun with --interactive.")
    click.echo(f"Next: reconnect buckets --config {path}")
