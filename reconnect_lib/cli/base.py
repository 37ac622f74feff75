"""The ``reconnect`` group, its shared options, and the client-base commands.

Nothing here decides a number; every figure comes from a library function.
This package is the only place that reads the clock (the default ``--as-of``),
and the place that refuses an as-of date years ahead (:func:`check_as_of`).
"""

from __future__ import annotations

import errno
import importlib
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..errors import ConfigError, ReconnectError

if TYPE_CHECKING:  # pandas loads with the command that needs it, not for --help
    import pandas as pd

FORMATS = ("table", "csv", "json")

#: An as-of date further than this after today is refused unless --allow-future-as-of
#: is given: years ahead is almost always a typo in the year, and every date of a
#: plan or report would follow it without a word.
AS_OF_DAYS_AHEAD = 366

_AS_OF = "reconnect_lib.as_of"
_CONFIG = "reconnect_lib.config_path"
_ALLOW_FUTURE = "reconnect_lib.allow_future_as_of"


def today() -> date:
    """The default as-of date: the only read of the clock in reconnect_lib."""
    return date.today()


def _remember(key: str):
    """A callback that keeps an option's value for :func:`_check_as_of`."""

    def callback(ctx: click.Context, param: click.Parameter, value):
        if not ctx.resilient_parsing:
            ctx.meta[key] = value
            _check_as_of(ctx)
        return value

    return callback


def _allow_future(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta[_ALLOW_FUTURE] = value
    return value


def _ahead(days: int) -> str:
    if days >= 730:
        return f"about {round(days / 365.25)} years"
    return f"{days:,} days"


def _check_as_of(ctx: click.Context) -> None:
    """Refuse an as-of date (--as-of, else [campaign] as_of) before 1900, after 2199, or far ahead.

    Runs once both --as-of and --config have been read, whatever their order on
    the command line; a command without --as-of (it has no as-of date) is left alone.
    """
    names = {p.name for p in ctx.command.params}
    if "as_of" not in names or _AS_OF not in ctx.meta:
        return
    if "config_path" in names and _CONFIG not in ctx.meta:
        return
    as_of = ctx.meta.pop(_AS_OF)
    config_path = ctx.meta.pop(_CONFIG, None)
    from ..config import load_config

    if as_of is not None:
        day, file = as_of.date() if isinstance(as_of, datetime) else as_of, None
        what = f"--as-of {day}"
        fix = "pass --as-of with the date you mean"
    elif config_path is not None:
        cfg = load_config(config_path)  # a wrong campaign.toml is reported here, before any work
        if cfg.campaign.as_of is None:
            return
        day, file = cfg.campaign.as_of, str(config_path)
        what = f"key `campaign.as_of` = {day}"
        fix = "fix as_of under [campaign] in campaign.toml, or pass --as-of"
    else:
        return
    check_as_of(day, what=what, fix=fix, file=file)


def check_as_of(day: date, *, what: str, fix: str, file: str | None = None) -> None:
    """Refuse an as-of date before 1900 or after 2199, or more than a year ahead.

    The options do this for --as-of and [campaign] as_of; a command that derives
    its as-of date another way (from --week, say) calls it with that date.
    ``what`` names the date as the user gave it, ``fix`` says how to change it.
    A date ahead is accepted after --allow-future-as-of.

    Raises
    ------
    ConfigError
    """
    from ..config import EARLIEST_AS_OF, LATEST_AS_OF

    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise ConfigError(
            f"{what} is out of range",
            file=file,
            expected=f"a date from {EARLIEST_AS_OF} to {LATEST_AS_OF}",
            hint=f"check the year; {fix}",
        )
    ctx = click.get_current_context(silent=True)
    allowed = ctx is not None and ctx.meta.get(_ALLOW_FUTURE, False)
    now = today()
    ahead = (day - now).days
    if ahead > AS_OF_DAYS_AHEAD and not allowed:
        raise ConfigError(
            f"{what} is {_ahead(ahead)} after today ({now})",
            file=file,
            expected=f"an as-of date at most {AS_OF_DAYS_AHEAD} days after today",
            hint=f"check the year; {fix}; to compute as of that date on purpose, add --allow-future-as-of",
        )


def as_of_option(f):
    f = click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        callback=_remember(_AS_OF),
        help="Date to compute as of (YYYY-MM-DD). Default: [campaign] as_of, else today. "
        f"At most {AS_OF_DAYS_AHEAD} days after today unless --allow-future-as-of.",
    )(f)
    return click.option(
        "--allow-future-as-of",
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=_allow_future,
        help=f"Accept an as-of date more than {AS_OF_DAYS_AHEAD} days after today (a forecast on purpose).",
    )(f)


#: What --config is when it is not given: the campaign.toml of the current folder.
DEFAULT_CONFIG = Path("campaign.toml")


def _config_here(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """--config as given; left out, ./campaign.toml, which must then be there."""
    source = ctx.get_parameter_source(param.name) if param.name else None
    if not ctx.resilient_parsing and source is click.core.ParameterSource.DEFAULT and not value.is_file():
        raise ConfigError(
            f"no campaign.toml here ({Path.cwd()}): pass --config or run reconnect init",
            expected="a campaign.toml in the current folder, or --config PATH",
            hint="reconnect init FILE --out DIR writes one for your own files; "
            "reconnect sample DIR --firm consulting-firm writes a sample campaign",
        )
    return _remember(_CONFIG)(ctx, param, value)


def config_option(f):
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_CONFIG,
        callback=_config_here,
        help="Path of the campaign.toml. Default: campaign.toml in the current folder.",
    )(f)


def format_option(f):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table: for reading; csv or json: for a spreadsheet or a program (money to the cent).",
    )(f)


def engine_option(f):
    from ..options import ENGINES

    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default=None,
        help="What reads the data and computes the client base. Default: [engine] name, else pandas.",
    )(f)


def campaign_source(config_path: Path, as_of, *, week: str | None = None, engine: str | None = None):
    """The campaign of --config resolved once: its as-of date (--as-of, --week, campaign.toml, today)."""
    from ..pipeline import CampaignSource

    return CampaignSource.open(config_path, as_of=as_of, week=week, engine=engine, today=today())


def campaign_from(config_path: Path, as_of, engine: str | None = None, *, collect: bool = True):
    """The scored campaign; on an engine other than pandas kept lazy with ``collect=False``."""
    from ..pipeline import scored_base

    return scored_base(campaign_source(config_path, as_of, engine=engine), collect=collect)


def money_cell(x: float, currency: str | None = None, locale: str | None = None) -> str:
    """An amount of a terminal table: whole units, in the campaign's currency when it has one."""
    from ..money import format_money

    return format_money(x, currency, locale=locale, whole=True)


def render_bucket_table(
    table: pd.DataFrame, *, title: str, currency: str | None = None, locale: str | None = None
) -> None:
    """Print the bucket table with a totals row as a readable terminal table.

    Amounts are shown in ``currency`` (``[campaign] currency``) with the
    separators of ``locale``; without a currency, as plain whole numbers.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def _money(x: float) -> str:
        return money_cell(x, currency, locale)

    has_value = "value_at_stake" in table.columns
    # Text, not markup: a campaign called "Acme [/]" is printed as it is, not read as a closing tag.
    t = Table(title=Text(title, style="table.title"), title_justify="left")
    t.add_column("Dormancy", style="bold", no_wrap=True)
    for name in ("Clients", "Due", "Do not contact", "Due & contactable", "Revenue", "Share"):
        t.add_column(name, justify="right")
    if has_value:
        t.add_column("Value at stake / yr", justify="right")
        t.add_column("Expected win-back / yr", justify="right")
    for row in table.itertuples(index=False):
        cells = [
            str(row.dormancy_bucket),
            f"{row.clients:,}",
            f"{row.due:,}",
            f"{row.do_not_contact:,}",
            f"{row.due_contactable:,}",
            _money(row.total_revenue),
            f"{row.share_of_revenue:.1%}",
        ]
        if has_value:
            cells += [_money(row.value_at_stake), _money(row.expected_value)]
        t.add_row(*cells)
    totals = [
        "Total",
        f"{table['clients'].sum():,}",
        f"{table['due'].sum():,}",
        f"{table['do_not_contact'].sum():,}",
        f"{table['due_contactable'].sum():,}",
        _money(table["total_revenue"].sum()),
        f"{table['share_of_revenue'].sum():.0%}",
    ]
    if has_value:
        totals += [_money(table["value_at_stake"].sum()), _money(table["expected_value"].sum())]
    t.add_section()
    t.add_row(*totals, style="bold")
    console = Console()
    if not console.is_terminal:  # a pipe or a log file: do not squeeze the table into 80 columns
        console = Console(width=140)
    console.print(t)


def emit(frame: pd.DataFrame, fmt: str) -> None:
    """Write a frame to stdout as CSV or JSON records, money to the cent (plain numbers, no symbol)."""
    import json

    from ..money import MONEY_COLUMNS, cents, round_money

    frame = round_money(frame)
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        # pandas' JSON writer prints the float nearest a cent with 17 digits (8880963.2199999988):
        # Python's json prints the shortest form that reads back the same.
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        for record in records:
            record.update({c: cents(record[c]) for c in MONEY_COLUMNS if c in record})
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))


class _UserError(click.ClickException):
    exit_code = 2

    def format_message(self) -> str:
        return self.message


_OS_HINTS = {
    errno.EACCES: "check that you may read and write there (ls -l), or choose another path",
    errno.EPERM: "check that you may read and write there (ls -l), or choose another path",
    errno.ENOENT: "check that the path exists (relative paths in campaign.toml start at its folder)",
    errno.EISDIR: "that is a folder where a file was expected: give the file's path",
    errno.ENOTDIR: "a part of that path is a file, not a folder",
    errno.ENOSPC: "the disk is full: free some space and run the command again",
    errno.EDQUOT: "your disk quota is used up: free some space and run the command again",
    errno.EROFS: "that file system is read-only: choose a folder you can write to",
    errno.ENAMETOOLONG: "the path is too long: choose a shorter folder or campaign name",
}

BUG_NOTE = (
    "This is a bug in reconnect_lib, not a mistake in your files: please report it "
    "with the traceback above and the command you ran."
)


def os_error_message(err: OSError) -> str:
    """One readable line for an operating-system error: the path(s), the reason, what to do."""
    paths = [str(p) for p in (err.filename, err.filename2) if p is not None]
    reason = err.strerror or str(err) or type(err).__name__
    text = f"{' -> '.join(paths)}: {reason}" if paths else reason
    hint = _OS_HINTS.get(err.errno or 0, "check the path and run the command again")
    return f"{text}\n  Hint: {hint}"


def decode_error_message(err: UnicodeDecodeError) -> str:
    """One readable line for a file that is not text in the encoding it was read with."""
    byte = err.object[err.start : err.start + 1].hex() if isinstance(err.object, bytes | bytearray) else "?"
    return (
        f"a file is not {err.encoding} text: byte 0x{byte} at offset {err.start:,} ({err.reason})\n"
        "  Hint: save the file as UTF-8, or name its encoding under [data] in campaign.toml, "
        'e.g. encoding = "cp1252"'
    )


#: The commands registered by the other modules of this package: name -> (module,
#: the first sentence of its help, which ``reconnect --help`` shortens as click does).
#: A module is imported only when its command runs (or its own --help is asked
#: for), so the command line starts without importing what the other commands
#: need; tests/test_cli.py checks each line against its command's own help.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "reconnect_lib.cli.init",
        "Read client lists and histories (CSV, Excel, Parquet) and write OUT/campaign.toml for them.",
    ),
    "outcome": (
        "reconnect_lib.cli.outcome",
        "Record what each contact brought, import staff sheets, and summarise the win-back.",
    ),
    "plan": (
        "reconnect_lib.cli.plan",
        "Plan the catch-up week by week and write this week's call sheet, mail merge and letters.",
    ),
    "report": (
        "reconnect_lib.cli.report",
        "Generate a campaign report (papermill + offline HTML) under the reports folder.",
    ),
}


class _Group(click.Group):
    """Turns a user's error into one readable message and exit code 2, never a traceback.

    A :class:`ReconnectError`, an operating-system error (a path that cannot be
    read or written, a full disk) and a file that is not text become a message
    naming what went wrong. Anything else is a bug: its traceback is kept, so it
    can be fixed, with a last line saying so. Ctrl-C stays click's "Aborted!".

    The commands of :data:`LAZY_COMMANDS` load on first use (click's lazy
    subcommands): their module registers them on :data:`main` when imported.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(LAZY_COMMANDS[cmd_name][0])
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of --help, from :data:`LAZY_COMMANDS` for a command not loaded yet."""
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                rows.append((name, click.utils.make_default_short_help(LAZY_COMMANDS[name][1], limit)))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReconnectError as err:
            raise _UserError(str(err)) from err
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except UnicodeDecodeError as err:
            raise _UserError(decode_error_message(err)) from err
        except OSError as err:
            if err.errno == errno.EPIPE:  # output piped into `head`: click ends quietly
                raise
            raise _UserError(os_error_message(err)) from err
        except Exception as err:
            if BUG_NOTE not in getattr(err, "__notes__", ()):
                err.add_note(BUG_NOTE)
            raise


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconnect")
def main() -> None:
    """Win back a business's past clients: buckets, scores, plans and reports."""


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--firm",
    type=click.Choice(["consulting-firm", "financial-planner"]),
    required=True,
    help="Which sample business to generate.",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Random seed (same seed, same files)."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-11-23",
    show_default=True,
    help="The sample's as-of date: nothing is dated after it.",
)
@click.option(
    "--reports-folder",
    default="reports",
    show_default=True,
    help="[reports] folder of the campaign.toml, relative to OUTDIR (default: reports/ beside it; "
    "the repository's data/sample/<firm> use ../../../reports).",
)
def sample(outdir: Path, firm: str, seed: int, as_of, reports_folder: str) -> None:
    """Write a sample firm's data and campaign.toml into OUTDIR."""
    from ..config import EARLIEST_AS_OF, LATEST_AS_OF
    from ..sample import write_sample

    if not EARLIEST_AS_OF <= as_of.date() <= LATEST_AS_OF:
        raise ConfigError(
            f"--as-of {as_of.date()} is out of range",
            expected=f"a date from {EARLIEST_AS_OF} to {LATEST_AS_OF}",
            hint="check the year",
        )
    paths = write_sample(outdir, firm=firm, seed=seed, as_of=as_of.date(), reports_folder=reports_folder)
    for path in paths.values():
        click.echo(str(path))


@main.command()
@config_option
@as_of_option
@engine_option
@format_option
def buckets(config_path: Path, as_of, engine: str | None, fmt: str) -> None:
    """Print the dormancy bucket table: clients, value at stake, share of revenue."""
    from ..engines import to_pandas

    # The table is built in the engine, from the scored base it keeps there.
    campaign = campaign_from(config_path, as_of, engine, collect=False)
    table = to_pandas(campaign.buckets)
    if fmt != "table":
        emit(table, fmt)
        return
    section = campaign.config.campaign
    render_bucket_table(
        table,
        title=f"{section.name}: clients by time since last contact, as of {campaign.as_of}",
        currency=section.currency,
        locale=section.locale,
    )
    click.echo(str(campaign.inputs.report))
    if campaign.history_text:
        click.echo(campaign.history_text)
